using System.Net;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using System.Text;
using System.Text.Json.Nodes;
using MiniApiServer.Tests.Integration;

namespace MiniApiServer.Tests.Certificates;

/// <summary>PKCS#10 requests as openssl makes them (RSA or ECDSA), and CertificateSigningRequest bodies around them.</summary>
public static class CsrRequests
{
    public const string CsrPath = "/apis/certificates.k8s.io/v1/certificatesigningrequests";
    public const string ClientSigner = "kubernetes.io/kube-apiserver-client";

    /// <summary>A request for CN=<paramref name="user"/>, one O per group, with its key.</summary>
    public static (string Pem, AsymmetricAlgorithm Key) Pkcs10(string user, string[] groups, bool rsa = false)
    {
        var subject = new X500DistinguishedNameBuilder();
        foreach (var g in groups.Reverse()) subject.AddOrganizationName(g);
        subject.AddCommonName(user);
        var name = subject.Build();
        if (rsa)
        {
            var key = RSA.Create(2048);
            return (new CertificateRequest(name, key, HashAlgorithmName.SHA256, RSASignaturePadding.Pkcs1).CreateSigningRequestPem(), key);
        }
        var ec = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        return (new CertificateRequest(name, ec, HashAlgorithmName.SHA256).CreateSigningRequestPem(), ec);
    }

    public static string Body(string name, string requestPem, string signer = ClientSigner, string[]? usages = null, int? expirationSeconds = null)
    {
        var spec = new JsonObject
        {
            ["request"] = Convert.ToBase64String(Encoding.UTF8.GetBytes(requestPem)),
            ["signerName"] = signer,
            ["usages"] = new JsonArray((usages ?? ["client auth"]).Select(u => (JsonNode?)u).ToArray()),
        };
        if (expirationSeconds is { } s) spec["expirationSeconds"] = s;
        return new JsonObject
        {
            ["apiVersion"] = "certificates.k8s.io/v1", ["kind"] = "CertificateSigningRequest",
            ["metadata"] = new JsonObject { ["name"] = name }, ["spec"] = spec,
        }.ToJsonString();
    }

    /// <summary>What <c>kubectl certificate approve|deny</c> does: GET, add the condition, PUT to /approval.</summary>
    public static async Task<HttpResponseMessage> Decide(HttpClient client, string name, string type, string reason = "KubectlApprove")
    {
        var csr = await client.GetAsync($"{CsrPath}/{name}").Expect(HttpStatusCode.OK);
        var status = csr["status"] as JsonObject ?? [];
        var conditions = status["conditions"] as JsonArray ?? [];
        conditions.Add(new JsonObject { ["type"] = type, ["status"] = "True", ["reason"] = reason, ["message"] = $"This CSR was {type.ToLowerInvariant()} by a test." });
        status["conditions"] = conditions;
        csr["status"] = status;
        return await client.PutAsync($"{CsrPath}/{name}/approval", Integration.Api.Json(csr.ToJsonString()));
    }

    public static Task<JsonObject> WaitFor(HttpClient client, string name, Func<JsonObject, bool> condition) =>
        client.WaitFor(CsrPath, name, condition);

    public static bool Issued(JsonObject csr) => !string.IsNullOrEmpty((string?)csr["status"]?["certificate"]);

    public static bool HasCondition(JsonObject csr, string type) =>
        (csr["status"]?["conditions"] as JsonArray ?? []).Any(c => (string?)c!["type"] == type);

    public static X509Certificate2 Certificate(JsonObject csr) =>
        X509Certificate2.CreateFromPem(Encoding.UTF8.GetString(Convert.FromBase64String((string)csr["status"]!["certificate"]!)));

    public static string NewName(string prefix) => $"{prefix}-{Guid.NewGuid():N}"[..20];
}
