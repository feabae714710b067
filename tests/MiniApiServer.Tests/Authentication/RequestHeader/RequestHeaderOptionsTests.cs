using MiniApiServer.Authentication.RequestHeader;
using MiniApiServer.Hosting;
using MiniApiServer.Tests.Pki;
using static MiniApiServer.Tests.Authentication.X509.TestPki;

namespace MiniApiServer.Tests.Authentication.RequestHeader;

public sealed class RequestHeaderOptionsTests : IDisposable
{
    private readonly TempDirectory _dir = new();
    private readonly string _proxyCaFile;
    private readonly string _clusterCaFile;

    public RequestHeaderOptionsTests()
    {
        _proxyCaFile = _dir.File("front-proxy-ca.crt");
        _clusterCaFile = _dir.File("ca.crt");
        using var proxyCa = NewRootCa("front-proxy-ca");
        using var clusterCa = NewRootCa("kubernetes");
        File.WriteAllText(_proxyCaFile, proxyCa.CertificatePem);
        File.WriteAllText(_clusterCaFile, clusterCa.CertificatePem);
    }

    public void Dispose() => _dir.Dispose();

    private static RequestHeaderOptions? Parse(params string[] args) =>
        RequestHeaderOptions.FromFlags(new FlagSet(RequestHeaderOptions.Flags).Parse(args));

    [Fact]
    public void FlagsAreKubeApiserversWithEmptyDefaults()
    {
        Assert.Equal(
            ["requestheader-allowed-names", "requestheader-client-ca-file", "requestheader-extra-headers-prefix", "requestheader-group-headers", "requestheader-uid-headers", "requestheader-username-headers"],
            RequestHeaderOptions.Flags.Select(f => f.Name).Order(StringComparer.Ordinal));
        Assert.All(RequestHeaderOptions.Flags, f => Assert.Equal("", f.Default));
    }

    [Theory]
    [InlineData]
    [InlineData("--requestheader-client-ca-file=")]
    [InlineData("--requestheader-username-headers=X-Remote-User")]
    public void WithoutTheCaFileTheMechanismIsOff(params string[] args) => Assert.Null(Parse(args));

    [Fact]
    public void CaFileAloneEnablesItWithNoHeaderNames()
    {
        var options = Parse($"--requestheader-client-ca-file={_proxyCaFile}")!;

        Assert.Equal(_proxyCaFile, options.ClientCaFile);
        Assert.Empty(options.UsernameHeaders.Concat(options.UidHeaders).Concat(options.GroupHeaders).Concat(options.ExtraHeaderPrefixes).Concat(options.AllowedNames));
        Assert.Empty(options.Warnings);
    }

    [Fact]
    public void KubeadmFlagsAreReadAsLists()
    {
        var options = Parse($"--requestheader-client-ca-file={_proxyCaFile}", "--requestheader-allowed-names=front-proxy-client,aggregator",
            "--requestheader-username-headers=X-Remote-User", "--requestheader-uid-headers=X-Remote-Uid", "--requestheader-group-headers=X-Remote-Group",
            "--requestheader-group-headers=X-Team", "--requestheader-extra-headers-prefix=X-Remote-Extra-")!;

        Assert.Equal(["front-proxy-client", "aggregator"], options.AllowedNames);
        Assert.Equal(["X-Remote-User"], options.UsernameHeaders);
        Assert.Equal(["X-Remote-Uid"], options.UidHeaders);
        Assert.Equal(["X-Remote-Group", "X-Team"], options.GroupHeaders);
        Assert.Equal(["X-Remote-Extra-"], options.ExtraHeaderPrefixes);
        Assert.Empty(options.Warnings);
    }

    [Fact]
    public void ListsWithoutTheStandardNamesOnlyWarn()
    {
        var options = Parse($"--requestheader-client-ca-file={_proxyCaFile}", "--requestheader-username-headers=X-User", "--requestheader-group-headers=x-remote-group")!;

        Assert.Equal(["--requestheader-username-headers is set without specifying the standard X-Remote-User header - API aggregation will not work"], options.Warnings);
    }

    public static TheoryData<string[], string> Rejected => new()
    {
        { ["--requestheader-client-ca-file=/no/such/ca.crt"], "--requestheader-client-ca-file: unable to load client CA file /no/such/ca.crt" },
        { ["--requestheader-uid-headers=X-Uid"], "--requestheader-uid-headers is set without specifying the standard X-Remote-Uid header - API aggregation will not work" },
        { ["--requestheader-username-headers=X-Remote-User,,X-Other"], "empty value in \"requestheader-username-headers\"" },
        { ["--requestheader-group-headers= "], "empty value in \"requestheader-group-headers\"" },
        { ["--requestheader-allowed-names=a, "], "empty value in \"requestheader-allowed-names\"" },
    };

    [Theory]
    [MemberData(nameof(Rejected))]
    public void BadValuesStopTheStartNamingTheFlag(string[] args, string message)
    {
        var e = Assert.Throws<ConfigurationException>(() => Parse([$"--requestheader-client-ca-file={_proxyCaFile}", .. args]));

        Assert.StartsWith(message, e.Message);
    }

    [Fact]
    public void CaFileWithoutCertificateIsRejected()
    {
        var empty = _dir.File("empty.crt");
        File.WriteAllText(empty, "not a certificate\n");

        var e = Assert.Throws<ConfigurationException>(() => Parse($"--requestheader-client-ca-file={empty}"));

        Assert.StartsWith("--requestheader-client-ca-file: unable to load client CA file", e.Message);
    }

    [Fact]
    public void SharedCaWithoutAllowedNamesIsRefused()
    {
        var shared = Parse($"--requestheader-client-ca-file={_clusterCaFile}")!;
        var restricted = Parse($"--requestheader-client-ca-file={_clusterCaFile}", "--requestheader-allowed-names=front-proxy-client")!;
        var separate = Parse($"--requestheader-client-ca-file={_proxyCaFile}")!;

        var e = Assert.Throws<ConfigurationException>(() => shared.CheckClientCaOverlap(_clusterCaFile));
        Assert.Equal("--requestheader-client-ca-file and --client-ca-file contain overlapping certificates; --requestheader-allowed-names must be specified to ensure regular client certificates cannot set authenticating proxy headers for arbitrary users", e.Message);
        restricted.CheckClientCaOverlap(_clusterCaFile);
        separate.CheckClientCaOverlap(_clusterCaFile);
        shared.CheckClientCaOverlap("");
    }
}
