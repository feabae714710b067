using MiniApiServer.Hosting;

namespace MiniApiServer.Tests.Hosting;

public sealed class IdentityCollisionsTests : IDisposable
{
    readonly string dir = Directory.CreateTempSubdirectory("collisions-").FullName;

    ServerOptions Options(params string[] args) => ServerOptions.FromFlags(new FlagSet(ServerOptions.Flags).Parse(args));

    string TokenFile(string content)
    {
        var path = Path.Combine(dir, "tokens.csv");
        File.WriteAllText(path, content);
        return path;
    }

    [Fact]
    public void AnUnprefixedJwtIssuerBesideStaticTokensAndCertificatesIsReported()
    {
        var path = TokenFile("t1,alice,1\n");
        var options = Options($"--token-auth-file={path}", "--oidc-issuer-url=https://issuer.example", "--oidc-client-id=k8s",
            "--oidc-username-claim=email");
        var warning = Assert.Single(IdentityCollisions.Find(options, ["alice"]));
        Assert.Contains("JWT issuer https://issuer.example maps user names from claim \"email\" with no prefix", warning);
        Assert.Contains($"static token users (--token-auth-file {path})", warning);
        Assert.Contains("client-certificate CNs (--client-ca-file)", warning);
    }

    [Fact]
    public void APrefixedIssuerIsNotReported()
    {
        var options = Options("--oidc-issuer-url=https://issuer.example", "--oidc-client-id=k8s", "--oidc-username-claim=sub");
        Assert.Empty(IdentityCollisions.Find(options, []));
    }

    [Fact]
    public void AStaticTokenUserNamedLikeAServiceAccountIsReported()
    {
        var path = TokenFile("t1,system:serviceaccount:team:robot,1\n");
        var warning = Assert.Single(IdentityCollisions.Find(Options($"--token-auth-file={path}"), ["system:serviceaccount:team:robot"]));
        Assert.Equal($"static token user \"system:serviceaccount:team:robot\" (--token-auth-file {path}) is named like a service account but is not one: RBAC bindings for that service account apply to it", warning);
    }

    public void Dispose() => Directory.Delete(dir, recursive: true);
}
