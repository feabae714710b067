using MiniApiServer.Hosting;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Time.Testing;
using MiniApiServer.Authentication;
using MiniApiServer.Authentication.X509;
using MiniApiServer.Pki;
using MiniApiServer.Tests.Pki;
using static MiniApiServer.Tests.Authentication.X509.TestPki;

namespace MiniApiServer.Tests.Authentication.X509;

public sealed class X509ClientCertificateAuthenticatorTests : IDisposable
{
    private static readonly CertificateAuthority ClusterCa = NewRootCa("kubernetes");
    private static readonly CertificateAuthority ForeignCa = NewRootCa("someone-else");

    private readonly FakeTimeProvider _time = new(Now);
    private readonly X509ClientCertificateAuthenticator _authenticator;
    private readonly TempDirectory _dir = new();

    public X509ClientCertificateAuthenticatorTests()
    {
        _authenticator = new X509ClientCertificateAuthenticator(new ClientCaBundle(Roots(ClusterCa)), _time);
    }

    public void Dispose() => _dir.Dispose();

    [Fact]
    public void VerifiedCertificateNamesUserGroupsInOrderUidAndCredentialId()
    {
        using var cert = Leaf(ClusterCa, [O("dev"), O("system:masters"), Cn("alice"), O("ops"), Uid("u-42")], [ClientAuth]);

        var result = _authenticator.Authenticate(cert, []);

        Assert.True(result.Succeeded, result.Error);
        Assert.Equal("x509", result.Authenticator);
        var user = result.User!;
        Assert.Equal("alice", user.Name);
        Assert.Equal(["dev", "system:masters", "ops"], user.Groups);
        Assert.Equal("u-42", user.Uid);
        var credentialId = Assert.Single(user.Extra[UserInfo.CredentialIdKey]);
        Assert.Equal("X509SHA256=" + Convert.ToHexStringLower(SHA256.HashData(cert.RawData)), credentialId);
        Assert.Single(user.Extra);
    }

    [Fact]
    public void CertificateIssuedByClusterPkiAuthenticates()
    {
        var issued = ClusterCa.IssueClientCertificate("bob", ["viewers"], Now.AddMinutes(-5), Now.AddDays(1));
        using var cert = issued.ToCertificateWithKey();

        var user = _authenticator.Authenticate(cert, []).User;

        Assert.Equal(("bob", "", "viewers"), (user!.Name, user.Uid, Assert.Single(user.Groups)));
    }

    public static TheoryData<string, string[]?> AcceptedUsages => new()
    {
        { "clientAuth", [ClientAuth] },
        { "no EKU extension (Go: any usage)", null },
        { "anyExtendedKeyUsage", ["2.5.29.37.0"] },
        { "serverAuth and clientAuth", [ServerAuth, ClientAuth] },
    };

    [Theory]
    [MemberData(nameof(AcceptedUsages))]
    public void KeyUsageThatPermitsClientAuthIsAccepted(string why, string[]? ekus)
    {
        using var cert = Leaf(ClusterCa, [Cn("carol")], ekus);

        var result = _authenticator.Authenticate(cert, []);

        Assert.True(result.Succeeded, $"{why}: {result.Error}");
    }

    public static TheoryData<string, Func<X509Certificate2>, string> Rejected => new()
    {
        {
            "expired",
            () => Leaf(ClusterCa, [Cn("dave")], [ClientAuth], Now.AddDays(-10), Now.AddDays(-1)),
            "x509: certificate has expired or is not yet valid: current time 2025-03-01T12:00:00Z is after 2025-02-28T12:00:00Z"
        },
        {
            "not yet valid",
            () => Leaf(ClusterCa, [Cn("dave")], [ClientAuth], Now.AddHours(1), Now.AddDays(1)),
            "x509: certificate has expired or is not yet valid: current time 2025-03-01T12:00:00Z is before 2025-03-01T13:00:00Z"
        },
        { "signed by a foreign CA", () => Leaf(ForeignCa, [Cn("dave")], [ClientAuth]), "x509: certificate signed by unknown authority" },
        { "serverAuth only", () => Leaf(ClusterCa, [Cn("dave")], [ServerAuth]), "x509: certificate specifies an incompatible key usage" },
    };

    [Theory]
    [MemberData(nameof(Rejected))]
    public void UnverifiableCertificateIsAnErrorNamingItInKubesWords(string why, Func<X509Certificate2> make, string goError)
    {
        using var cert = make();

        var result = _authenticator.Authenticate(cert, []);

        Assert.False(result.Succeeded, why);
        var ski = cert.Extensions.OfType<X509SubjectKeyIdentifierExtension>().Single().SubjectKeyIdentifierBytes.ToArray();
        var aki = cert.Extensions.OfType<X509AuthorityKeyIdentifierExtension>().Single().KeyIdentifier!.Value.ToArray();
        var serial = new System.Numerics.BigInteger(cert.SerialNumberBytes.Span, isUnsigned: false, isBigEndian: true);
        Assert.Equal(
            $"verifying certificate SN={serial}, SKID={string.Join(':', ski.Select(b => b.ToString("X2")))}, AKID={string.Join(':', aki.Select(b => b.ToString("X2")))} failed: {goError}",
            result.Error);
    }

    public static TheoryData<string, (string, string)[], string> BadUids => new()
    {
        { "two UID attributes", [Cn("erin"), Uid("a"), Uid("b")], "expected 1 UID, but found multiple: [a b]" },
        { "an empty UID", [Cn("erin"), Uid("")], "UID cannot be an empty string" },
    };

    [Theory]
    [MemberData(nameof(BadUids))]
    public void UidMustBeSingleAndNonEmpty(string why, (string, string)[] subject, string error)
    {
        using var cert = Leaf(ClusterCa, subject, [ClientAuth]);

        var result = _authenticator.Authenticate(cert, []);

        Assert.False(result.Succeeded, why);
        Assert.Equal(error, result.Error);
    }

    [Fact]
    public void EmptyCommonNameIsNoOpinionSoAnonymousMayApply()
    {
        using var cert = Leaf(ClusterCa, [O("system:masters")], [ClientAuth]);

        var result = _authenticator.Authenticate(cert, []);

        Assert.Equal(AuthenticationResult.NotMine("x509"), result);
    }

    [Fact]
    public void EmptyCommonNameOnAnUnverifiableCertificateIsStillAnError()
    {
        using var cert = Leaf(ForeignCa, [O("system:masters")], [ClientAuth]);

        Assert.NotNull(_authenticator.Authenticate(cert, []).Error);
    }

    [Fact]
    public void IntermediateSentByThePeerCompletesTheChain()
    {
        using var intermediate = NewIntermediateCa(ClusterCa, "team-ca", Now.AddDays(30));
        using var cert = Leaf(intermediate, [Cn("frank")], [ClientAuth]);
        using var intermediatePublic = X509CertificateLoader.LoadCertificate(intermediate.Certificate.RawData);

        Assert.Equal("x509: certificate signed by unknown authority", GoError(_authenticator.Authenticate(cert, [])));
        Assert.Equal("frank", _authenticator.Authenticate(cert, [intermediatePublic]).User?.Name);
    }

    [Fact]
    public void IntermediateWithOnlyServerAuthForbidsClientAuthBelowIt()
    {
        using var key = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var request = new CertificateRequest("CN=servers-only", key, HashAlgorithmName.SHA256);
        request.CertificateExtensions.Add(new X509BasicConstraintsExtension(true, false, 0, true));
        request.CertificateExtensions.Add(new X509KeyUsageExtension(X509KeyUsageFlags.KeyCertSign, true));
        request.CertificateExtensions.Add(new X509EnhancedKeyUsageExtension([new Oid(ServerAuth)], false));
        request.CertificateExtensions.Add(new X509SubjectKeyIdentifierExtension(request.PublicKey, false));
        using var intermediate = new CertificateAuthority(ClusterCa.Sign(request, Now.AddDays(-1), Now.AddDays(30)).CopyWithPrivateKey(key));
        using var cert = Leaf(intermediate, [Cn("gina")], [ClientAuth]);

        var result = _authenticator.Authenticate(cert, [X509CertificateLoader.LoadCertificate(intermediate.Certificate.RawData)]);

        Assert.Equal("x509: certificate specifies an incompatible key usage", GoError(result));
    }

    [Fact]
    public void NotYetValidCertificateAuthenticatesOnceItsTimeComes()
    {
        using var cert = Leaf(ClusterCa, [Cn("hank")], [ClientAuth], Now.AddHours(1), Now.AddDays(1));
        Assert.False(_authenticator.Authenticate(cert, []).Succeeded);

        _time.Advance(TimeSpan.FromHours(2));

        Assert.Equal("hank", _authenticator.Authenticate(cert, []).User?.Name);
    }

    [Fact]
    public void RepeatedCertificateIsServedFromTheCache()
    {
        using var cert = Leaf(ClusterCa, [Cn("ivy")], [ClientAuth]);

        var first = _authenticator.Authenticate(cert, []);
        var second = _authenticator.Authenticate(X509CertificateLoader.LoadCertificate(cert.RawData), []);

        Assert.True(second.Succeeded);
        Assert.Equal(first.User, second.User);
        Assert.Equal(1, _authenticator.ChainVerifications);
    }

    [Fact]
    public void CachedSuccessEndsWhenTheLeafExpires()
    {
        using var cert = Leaf(ClusterCa, [Cn("jack")], [ClientAuth], Now.AddDays(-1), Now.AddHours(1));
        Assert.True(_authenticator.Authenticate(cert, []).Succeeded);

        _time.Advance(TimeSpan.FromHours(2));

        Assert.Contains("is after", _authenticator.Authenticate(cert, []).Error);
    }

    [Fact]
    public void CachedSuccessEndsWhenAnIntermediateExpires()
    {
        using var intermediate = NewIntermediateCa(ClusterCa, "short-lived", Now.AddHours(1));
        using var cert = Leaf(intermediate, [Cn("kate")], [ClientAuth], Now.AddDays(-1), Now.AddDays(10));
        X509Certificate2[] sent = [X509CertificateLoader.LoadCertificate(intermediate.Certificate.RawData)];
        Assert.True(_authenticator.Authenticate(cert, sent).Succeeded);

        _time.Advance(TimeSpan.FromHours(2));

        var error = GoError(_authenticator.Authenticate(cert, sent));
        Assert.StartsWith("x509: certificate signed by unknown authority (possibly because of \"x509: certificate has expired or is not yet valid:", error);
        Assert.EndsWith("while trying to verify candidate authority certificate \"short-lived\")", error);
        Assert.Equal(2, _authenticator.ChainVerifications);
    }

    [Fact]
    public void CacheIsBounded()
    {
        var authenticator = new X509ClientCertificateAuthenticator(new ClientCaBundle(Roots(ClusterCa)), _time, cacheCapacity: 2);
        var certs = Enumerable.Range(0, 3).Select(i => Leaf(ClusterCa, [Cn($"user{i}")], [ClientAuth])).ToList();

        foreach (var cert in certs)
        {
            authenticator.Authenticate(cert, []);
        }
        authenticator.Authenticate(certs[0], []); // evicted as the least recently used: verified again

        Assert.Equal(2, authenticator.CachedResults);
        Assert.Equal(4, authenticator.ChainVerifications);
    }

    [Fact]
    public void ClientCaFileChangesAreReloaded()
    {
        var caFile = _dir.File("client-ca.crt");
        File.WriteAllText(caFile, ClusterCa.CertificatePem);
        var authenticator = new X509ClientCertificateAuthenticator(ClientCaBundle.FromFile(caFile, _time), _time);
        using var ours = Leaf(ClusterCa, [Cn("liam")], [ClientAuth]);
        using var theirs = Leaf(ForeignCa, [Cn("mona")], [ClientAuth]);
        Assert.True(authenticator.Authenticate(ours, []).Succeeded);
        Assert.False(authenticator.Authenticate(theirs, []).Succeeded);

        File.WriteAllText(caFile, ForeignCa.CertificatePem + "\n" + "# a comment line between certificates\n");
        File.SetLastWriteTimeUtc(caFile, DateTime.UtcNow.AddMinutes(1));
        _time.Advance(ReloadingFile<ClientCaSnapshot>.RecheckInterval);

        Assert.Equal("x509: certificate signed by unknown authority", GoError(authenticator.Authenticate(ours, [])));
        Assert.True(authenticator.Authenticate(theirs, []).Succeeded);
    }

    [Fact]
    public void UnreadableReplacementKeepsThePreviousRoots()
    {
        var caFile = _dir.File("client-ca.crt");
        File.WriteAllText(caFile, ClusterCa.CertificatePem);
        var bundle = ClientCaBundle.FromFile(caFile, _time);

        File.WriteAllText(caFile, "not a certificate");
        File.SetLastWriteTimeUtc(caFile, DateTime.UtcNow.AddMinutes(1));
        _time.Advance(ReloadingFile<ClientCaSnapshot>.RecheckInterval);

        Assert.Equal((1L, ClusterCa.Certificate.Thumbprint), (bundle.Current.Generation, Assert.Single(bundle.Current.Roots).Thumbprint));
    }

    [Fact]
    public void ClientCaFileWithoutCertificatesStopsStartup()
    {
        var caFile = _dir.File("empty.crt");
        File.WriteAllText(caFile, "\n");

        var error = Assert.Throws<PkiException>(() => ClientCaBundle.FromFile(caFile, _time));

        Assert.Equal(caFile, error.FilePath);
    }

    [Fact]
    public async Task RequestWithoutClientCertificateIsNotMine()
    {
        var result = await _authenticator.AuthenticateAsync(new DefaultHttpContext(), CancellationToken.None);

        Assert.Equal(AuthenticationResult.NotMine("x509"), result);
    }

    [Fact]
    public async Task RequestReadsTheConnectionCertificateAndThePeersIntermediates()
    {
        using var intermediate = NewIntermediateCa(ClusterCa, "team-ca", Now.AddDays(30));
        using var cert = Leaf(intermediate, [O("team"), Cn("nora")], [ClientAuth]);
        var context = new DefaultHttpContext();
        context.Connection.ClientCertificate = cert;
        context.Features.Set<IPeerCertificateChainFeature>(new PeerCertificateChainFeature([X509CertificateLoader.LoadCertificate(intermediate.Certificate.RawData)]));

        var result = await _authenticator.AuthenticateAsync(context, CancellationToken.None);

        Assert.Equal(("nora", "team"), (result.User?.Name, Assert.Single(result.User!.Groups)));
    }

    private static X509Certificate2Collection Roots(CertificateAuthority ca) => [X509CertificateLoader.LoadCertificate(ca.Certificate.RawData)];

    /// <summary>The Go error after kube's "verifying certificate … failed: " prefix.</summary>
    private static string GoError(AuthenticationResult result)
    {
        Assert.NotNull(result.Error);
        const string marker = " failed: ";
        return result.Error[(result.Error.IndexOf(marker, StringComparison.Ordinal) + marker.Length)..];
    }
}
