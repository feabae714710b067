using System.Buffers.Text;
using System.Net;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;

namespace MiniApiServer.Tests.Authentication.Oidc;

/// <summary>
/// An OpenID provider in the test process: serves discovery and JWKS through an HttpMessageHandler, signs tokens
/// with its own RSA and EC keys, can rotate keys, fail, and count what it served.
/// </summary>
public sealed class FakeOidcIssuer : HttpMessageHandler
{
    public const string DefaultUrl = "https://issuer.example.com";

    readonly Lock _gate = new();
    readonly List<SigningKey> _published = [];
    int _discoveryRequests;
    int _jwksRequests;

    public FakeOidcIssuer(string url = DefaultUrl, string? discoveryUrl = null)
    {
        Url = url;
        DiscoveryUrl = discoveryUrl ?? url.TrimEnd('/') + "/.well-known/openid-configuration";
        Current = SigningKey.Rsa("key-1");
        _published.Add(Current);
        _published.Add(SigningKey.EcP256("ec-1"));
    }

    public string Url { get; }
    public string DiscoveryUrl { get; }
    public string JwksUrl => Url.TrimEnd('/') + "/keys";
    /// <summary>The issuer written in the discovery document (normally the URL).</summary>
    public string? AdvertisedIssuer { get; set; }
    public SigningKey Current { get; private set; }
    public bool Failing { get; set; }
    public TimeSpan? JwksMaxAge { get; set; }
    public int DiscoveryRequests => Volatile.Read(ref _discoveryRequests);
    public int JwksRequests => Volatile.Read(ref _jwksRequests);

    public SigningKey Ec => _published.First(k => k.Algorithm == "ES256");

    /// <summary>A new RSA key becomes current and is published; the old ones are withdrawn.</summary>
    public SigningKey Rotate(string kid)
    {
        lock (_gate)
        {
            Current = SigningKey.Rsa(kid);
            _published.Clear();
            _published.Add(Current);
            return Current;
        }
    }

    protected override Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
    {
        var uri = request.RequestUri!.ToString();
        if (uri == DiscoveryUrl) Interlocked.Increment(ref _discoveryRequests);
        if (uri == JwksUrl) Interlocked.Increment(ref _jwksRequests);
        if (Failing) return Task.FromResult(new HttpResponseMessage(HttpStatusCode.ServiceUnavailable) { Content = new StringContent("down") });
        if (uri == DiscoveryUrl)
        {
            var doc = new JsonObject { ["issuer"] = AdvertisedIssuer ?? Url, ["jwks_uri"] = JwksUrl, ["authorization_endpoint"] = Url + "/auth" };
            return Task.FromResult(Json(doc.ToJsonString()));
        }
        if (uri == JwksUrl)
        {
            JsonArray keys;
            lock (_gate) keys = new JsonArray([.. _published.Select(k => (JsonNode)k.Jwk())]);
            var response = Json(new JsonObject { ["keys"] = keys }.ToJsonString());
            if (JwksMaxAge is { } age) response.Headers.CacheControl = new System.Net.Http.Headers.CacheControlHeaderValue { MaxAge = age };
            return Task.FromResult(response);
        }
        return Task.FromResult(new HttpResponseMessage(HttpStatusCode.NotFound) { Content = new StringContent("404 page not found") });
    }

    static HttpResponseMessage Json(string body) => new(HttpStatusCode.OK) { Content = new StringContent(body, Encoding.UTF8, "application/json") };

    /// <summary>Standard valid claims at <paramref name="now"/>: iss, aud, sub, iat, exp (+1 h).</summary>
    public JsonObject Claims(DateTimeOffset now, string audience = "kube") => new()
    {
        ["iss"] = Url,
        ["aud"] = audience,
        ["sub"] = "1234",
        ["iat"] = now.ToUnixTimeSeconds(),
        ["exp"] = now.AddHours(1).ToUnixTimeSeconds(),
    };

    /// <summary>A token signed with the current key (or <paramref name="key"/>).</summary>
    public string Mint(JsonObject claims, SigningKey? key = null) => (key ?? Current).Sign(claims);

    public static string B64(byte[] bytes) => Base64Url.EncodeToString(bytes);
    public static string B64(string text) => B64(Encoding.UTF8.GetBytes(text));
}

/// <summary>One signing key of the fake issuer with its JWK.</summary>
public sealed class SigningKey
{
    readonly RSA? _rsa;
    readonly ECDsa? _ec;

    SigningKey(string kid, string algorithm, RSA? rsa, ECDsa? ec)
    {
        Kid = kid;
        Algorithm = algorithm;
        _rsa = rsa;
        _ec = ec;
    }

    public string Kid { get; }
    public string Algorithm { get; }
    public RSA? RsaKey => _rsa;

    public static SigningKey Rsa(string kid) => new(kid, "RS256", RSA.Create(2048), null);
    public static SigningKey EcP256(string kid) => new(kid, "ES256", null, ECDsa.Create(ECCurve.NamedCurves.nistP256));

    public JsonObject Jwk()
    {
        if (_rsa is not null)
        {
            var p = _rsa.ExportParameters(false);
            return new JsonObject { ["kty"] = "RSA", ["kid"] = Kid, ["use"] = "sig", ["n"] = FakeOidcIssuer.B64(p.Modulus!), ["e"] = FakeOidcIssuer.B64(p.Exponent!) };
        }
        var q = _ec!.ExportParameters(false);
        return new JsonObject { ["kty"] = "EC", ["kid"] = Kid, ["use"] = "sig", ["crv"] = "P-256", ["x"] = FakeOidcIssuer.B64(q.Q.X!), ["y"] = FakeOidcIssuer.B64(q.Q.Y!) };
    }

    /// <summary>Signs with this key's algorithm (or <paramref name="alg"/>: RS/PS 256-512 for RSA keys).</summary>
    public string Sign(JsonObject claims, string? alg = null, string? kid = null, bool includeKid = true)
    {
        alg ??= Algorithm;
        var header = new JsonObject { ["alg"] = alg, ["typ"] = "JWT" };
        if (includeKid) header["kid"] = kid ?? Kid;
        var signingInput = FakeOidcIssuer.B64(header.ToJsonString()) + "." + FakeOidcIssuer.B64(claims.ToJsonString());
        var data = Encoding.ASCII.GetBytes(signingInput);
        var hash = alg[2..] switch { "384" => HashAlgorithmName.SHA384, "512" => HashAlgorithmName.SHA512, _ => HashAlgorithmName.SHA256 };
        byte[] signature = alg[..2] switch
        {
            "RS" => _rsa!.SignData(data, hash, RSASignaturePadding.Pkcs1),
            "PS" => _rsa!.SignData(data, hash, RSASignaturePadding.Pss),
            "ES" => _ec!.SignData(data, hash),
            _ => throw new ArgumentException($"unsupported test alg {alg}"),
        };
        return signingInput + "." + FakeOidcIssuer.B64(signature);
    }

    /// <summary>The classic key-confusion forgery: HS256 keyed with this RSA public key (its PEM and its JWK modulus tried).</summary>
    public IEnumerable<string> ForgeHs256WithPublicKey(JsonObject claims)
    {
        var header = new JsonObject { ["alg"] = "HS256", ["typ"] = "JWT", ["kid"] = Kid };
        var signingInput = FakeOidcIssuer.B64(header.ToJsonString()) + "." + FakeOidcIssuer.B64(claims.ToJsonString());
        var secrets = new[]
        {
            Encoding.ASCII.GetBytes(_rsa!.ExportSubjectPublicKeyInfoPem()),
            _rsa.ExportRSAPublicKey(),
            _rsa.ExportParameters(false).Modulus!,
        };
        foreach (var secret in secrets)
            yield return signingInput + "." + FakeOidcIssuer.B64(HMACSHA256.HashData(secret, Encoding.ASCII.GetBytes(signingInput)));
    }

    /// <summary>An unsigned token: alg none, empty signature.</summary>
    public static string Unsigned(JsonObject claims) =>
        FakeOidcIssuer.B64(new JsonObject { ["alg"] = "none", ["typ"] = "JWT" }.ToJsonString()) + "." + FakeOidcIssuer.B64(claims.ToJsonString()) + ".";
}
