namespace MiniApiServer.Tests.Runtime;

/// <summary>The in-container sh: quoting, expansion, lists, control flow and the coreutils it runs.</summary>
public sealed class ShellTests
{
    static ContainerHarness Harness()
    {
        var h = new ContainerHarness();
        h.Files["/var/run/secrets/kubernetes.io/serviceaccount/token"] = "tok-123";
        h.Files["/var/run/secrets/kubernetes.io/serviceaccount/namespace"] = "team";
        h.Files["/etc/config/a.txt"] = "one\ntwo\nthree\n";
        h.Env["GREETING"] = "hello world";
        return h;
    }

    public static TheoryData<string, string, string, int> Scripts => new()
    {
        { "echo plain", "echo hi there", "hi there\n", 0 },
        { "single quotes are literal", "echo '$GREETING'", "$GREETING\n", 0 },
        { "double quotes expand, no splitting", "printf '%s|' \"$GREETING\"", "hello world|", 0 },
        { "unquoted expansion splits into fields", "printf '%s|' $GREETING", "hello|world|", 0 },
        { "braces and default", "echo ${GREETING} ${MISSING:-fallback}", "hello world fallback\n", 0 },
        { "command substitution of a mounted file", "echo \"Bearer $(cat /var/run/secrets/kubernetes.io/serviceaccount/token)\"", "Bearer tok-123\n", 0 },
        { "backquotes", "echo `cat /var/run/secrets/kubernetes.io/serviceaccount/namespace`", "team\n", 0 },
        { "semicolon runs both", "echo a; echo b", "a\nb\n", 0 },
        { "&& stops at a failure", "false && echo no; echo $?", "1\n", 0 },
        { "|| runs on failure", "false || echo yes", "yes\n", 0 },
        { "exit status of the last command", "echo x; false", "x\n", 1 },
        { "exit with a code", "exit 3", "", 3 },
        { "pipeline", "cat /etc/config/a.txt | grep t | wc -l", "2\n", 0 },
        { "negated pipeline", "! grep -q nope /etc/config/a.txt && echo absent", "absent\n", 0 },
        { "if / else", "if [ -f /etc/config/a.txt ]; then echo file; else echo none; fi", "file\n", 0 },
        { "elif", "if [ 1 -eq 2 ]; then echo a; elif [ x = x ]; then echo b; fi", "b\n", 0 },
        { "for over words", "for n in 1 2 3; do echo n$n; done", "n1\nn2\nn3\n", 0 },
        { "while with a counter file test", "i=0; while [ $i != 2 ]; do echo $i; i=$(echo 2); done", "0\n", 0 },
        { "assignment then use", "X=5; echo $X", "5\n", 0 },
        { "prefix assignment reaches the program's environment", "FOO=bar printenv FOO", "bar\n", 0 },
        { "redirect stderr to /dev/null", "cat /nope 2>/dev/null; echo $?", "1\n", 0 },
        { "stderr joins stdout", "cat /nope 2>&1", "cat: /nope: No such file or directory\n", 1 },
        { "positional arguments of sh -c", "sh -c 'echo $0 $1 $#' name first", "name first 1\n", 0 },
        { "head and tail", "head -n 1 /etc/config/a.txt; tail -n 1 /etc/config/a.txt", "one\nthree\n", 0 },
        { "glob in a folder", "echo /etc/config/*.txt", "/etc/config/a.txt\n", 0 },
        { "base64 round trip", "echo -n abc | base64 | base64 -d", "abc", 0 },
        { "comment", "echo a # not this", "a\n", 0 },
        { "group", "{ echo a; echo b; } | wc -l", "2\n", 0 },
    };

    [Theory]
    [MemberData(nameof(Scripts))]
    public async Task RunsScripts(string because, string script, string stdout, int exitCode)
    {
        var r = await Harness().ShAsync(script);
        Assert.True(stdout == r.StdOut && exitCode == r.ExitCode, $"{because}: got exit {r.ExitCode}, stdout {r.StdOut}, stderr {r.StdErr}");
    }

    [Theory]
    [InlineData("nope", "sh: nope: not found\n", 127)]
    [InlineData("echo 'open", "sh: syntax error: unterminated quoted string\n", 2)]
    [InlineData("if true; then echo", "sh: syntax error: unexpected end of file (expecting \"fi\")\n", 2)]
    [InlineData("echo x > /etc/out", "sh: can't create /etc/out: Read-only file system\n", 1)]
    public async Task ReportsErrorsAsBusyboxShDoes(string script, string stderr, int exitCode)
    {
        var r = await Harness().ShAsync(script);
        Assert.Equal((stderr, exitCode), (r.StdErr, r.ExitCode));
    }

    [Fact]
    public async Task ExecOfAnUnknownProgramFailsAsTheRuntimeDoes()
    {
        var r = await Harness().ExecAsync(["nginx", "-v"]);
        Assert.Equal(127, r.ExitCode);
        Assert.Contains("exec: \"nginx\": executable file not found in $PATH", r.StdErr);
    }

    [Fact]
    public async Task CatCopiesStdin()
    {
        var r = await Harness().ExecAsync(["cat"], stdin: "abc\n");
        Assert.Equal("abc\n", r.StdOut);
    }

    [Fact]
    public async Task LsListsAMountedFolder()
    {
        var r = await Harness().ExecAsync(["ls", "/var/run/secrets/kubernetes.io/serviceaccount"]);
        Assert.Equal("namespace\ntoken\n", r.StdOut);
        var missing = await Harness().ExecAsync(["ls", "/nope"]);
        Assert.Equal((2, "ls: cannot access '/nope': No such file or directory\n"), (missing.ExitCode, missing.StdErr));
    }

    [Fact]
    public async Task EnvAndPrintenvShowTheEnvironment()
    {
        var h = Harness();
        Assert.Contains("GREETING=hello world\n", (await h.ExecAsync(["env"])).StdOut);
        Assert.Equal("hello world\n", (await h.ExecAsync(["printenv", "GREETING"])).StdOut);
        Assert.Equal(1, (await h.ExecAsync(["printenv", "NOPE"])).ExitCode);
        Assert.Equal("web\n", (await h.ExecAsync(["hostname"])).StdOut);
    }

    [Fact]
    public async Task SleepWaitsOnTheContainerClock()
    {
        var clock = new Microsoft.Extensions.Time.Testing.FakeTimeProvider();
        var h = new ContainerHarness { Time = clock };
        var run = h.ExecAsync(["sleep", "5"]);
        await Task.Delay(50);
        Assert.False(run.IsCompleted);
        clock.Advance(TimeSpan.FromSeconds(5));
        Assert.Equal(0, (await run.WaitAsync(TimeSpan.FromSeconds(10))).ExitCode);
    }
}
