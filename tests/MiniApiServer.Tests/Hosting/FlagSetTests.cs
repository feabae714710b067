using MiniApiServer.Hosting;

namespace MiniApiServer.Tests.Hosting;

public sealed class FlagSetTests
{
    static FlagSet Parse(params string[] args) => new FlagSet(ServerOptions.Flags).Parse(args);

    [Theory]
    [InlineData("--secure-port=7443")]
    [InlineData("--secure-port", "7443")]
    public void BothFlagFormsWork(params string[] args) => Assert.Equal(7443, Parse(args).GetInt("secure-port"));

    [Theory]
    [InlineData(true, "--in-memory")]
    [InlineData(true, "--in-memory=true")]
    [InlineData(false, "--in-memory=false")]
    [InlineData(false)]
    public void BooleansAreBareOrExplicit(bool expected, params string[] args) => Assert.Equal(expected, Parse(args).GetBool("in-memory"));

    [Fact]
    public void ListFlagsRepeatAndTakeCommaLists() =>
        Assert.Equal(["RBAC", "AlwaysAllow", "RBAC"], Parse("--authorization-mode=RBAC,AlwaysAllow", "--authorization-mode", "RBAC").GetList("authorization-mode"));

    [Fact]
    public void TheLastValueOfAScalarFlagWins() => Assert.Equal(2, Parse("--secure-port=1", "--secure-port=2").GetInt("secure-port"));

    [Theory]
    [InlineData("unknown flag: --bogus (see --help)", "--bogus")]
    [InlineData("invalid argument \"x\" for \"--secure-port\" flag: expected int", "--secure-port=x")]
    [InlineData("flag needs an argument: --data-dir", "--data-dir")]
    [InlineData("invalid argument \"maybe\" for \"--in-memory\" flag: expected bool", "--in-memory=maybe")]
    [InlineData("unexpected argument \"serve\": flags are written --name=value", "--in-memory", "serve")]
    public void BadFlagsNameTheFlag(string message, params string[] args) =>
        Assert.Equal(message, Assert.Throws<ConfigurationException>(() => Parse(args)).Message);

    [Theory]
    [InlineData("--authorization-mode: authorization mode \"Webhook\" is not supported (supported: RBAC, AlwaysAllow)", "--authorization-mode=Webhook")]
    [InlineData("--secure-port 70000 must be between 0 and 65535", "--secure-port=70000")]
    [InlineData("invalid argument \"localhost\" for \"--bind-address\" flag: not an IP address", "--bind-address=localhost")]
    public void BadValuesStopTheStart(string message, params string[] args) =>
        Assert.Equal(message, Assert.Throws<ConfigurationException>(() => ServerOptions.FromFlags(Parse(args))).Message);

    [Fact]
    public void DefaultsFollowTheContract()
    {
        var o = ServerOptions.FromFlags(Parse());
        Assert.Equal(6443, o.SecurePort);
        Assert.Equal("127.0.0.1", o.BindAddress.ToString());
        Assert.Equal(Path.GetFullPath("./certs/apiserver.crt"), o.TlsCertFile);
        Assert.Equal(Path.GetFullPath("./certs/client-ca.crt"), o.ClientCaFile);
        Assert.Equal(Path.GetFullPath("./data"), o.DataDir);
        Assert.True(o.AnonymousAuth);
        Assert.False(o.InMemory);
    }

    [Fact]
    public void AnExplicitEmptyClientCaSwitchesX509Off() => Assert.Equal("", ServerOptions.FromFlags(Parse("--client-ca-file=")).ClientCaFile);

    [Theory]
    [InlineData("10s", 10_000)]
    [InlineData("1h30m", 5_400_000)]
    [InlineData("500ms", 500)]
    [InlineData("2m0s", 120_000)]
    public void GoDurationsParse(string text, double ms)
    {
        Assert.True(GoDuration.TryParse(text, out var d));
        Assert.Equal(ms, d.TotalMilliseconds);
    }
}
