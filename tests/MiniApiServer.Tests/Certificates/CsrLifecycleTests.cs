using System.Net;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using System.Text.Json.Nodes;
using MiniApiServer.Tests.Integration;
using static MiniApiServer.Tests.Certificates.CsrRequests;

namespace MiniApiServer.Tests.Certificates;

/// <summary>
/// The CertificateSigningRequest lifecycle through the whole server: create (the requester is whoever asked),
/// approve or deny through /approval, the kube-apiserver-client signer issuing the certificate, and the
/// certificate then authenticating as CN/O; and every way kube refuses a request.
/// </summary>
public sealed class CsrLifecycleTests(ApiServerFactory server) : IClassFixture<ApiServerFactory>
{
    static readonly string[] Groups = ["engineering", "qa"];

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public async Task AnApprovedRequestIsSignedAndItsCertificateAuthenticatesAsCnAndO(bool rsa)
    {
        var admin = server.Admin();
        var name = NewName("dev1");
        var (pem, key) = Pkcs10("dev1", Groups, rsa);
        // kube's system:node-bootstrapper role is what lets a non-admin ask for certificates.
        await Bind(admin, NewName("bootstrapper"), "system:node-bootstrapper", "alice");
        var created = await server.ClientFor("alice", "requesters").Post(CsrPath, Body(name, pem, expirationSeconds: 3600)).Expect(HttpStatusCode.Created);
        Assert.Equal("alice", (string?)created["spec"]!["username"]);
        Assert.Equal(["requesters", "system:authenticated"], created["spec"]!["groups"]!.AsArray().Select(g => (string?)g));
        Assert.Equal(new JsonObject(), created["status"]);

        await Decide(admin, name, "Approved").Expect(HttpStatusCode.OK);
        var issued = await WaitFor(admin, name, Issued);

        using var certificate = Certificate(issued);
        Assert.Equal("dev1", certificate.GetNameInfo(X509NameType.SimpleName, forIssuer: false));
        Assert.Equal(TimeSpan.FromMinutes(65), certificate.NotAfter - certificate.NotBefore); // one hour, back-dated five minutes
        var eku = Assert.Single(certificate.Extensions.OfType<X509EnhancedKeyUsageExtension>());
        Assert.Equal(["1.3.6.1.5.5.7.3.2"], eku.EnhancedKeyUsages.Cast<Oid>().Select(o => o.Value));
        Assert.False(Assert.Single(certificate.Extensions.OfType<X509BasicConstraintsExtension>()).CertificateAuthority);

        using var withKey = rsa ? certificate.CopyWithPrivateKey((RSA)key) : certificate.CopyWithPrivateKey((ECDsa)key);
        var review = await server.ClientWithCertificate(withKey)
            .Post("/apis/authentication.k8s.io/v1/selfsubjectreviews", """{"apiVersion":"authentication.k8s.io/v1","kind":"SelfSubjectReview"}""")
            .Expect(HttpStatusCode.Created);
        Assert.Equal("dev1", (string?)review["status"]!["userInfo"]!["username"]);
        Assert.Equal(["engineering", "qa", "system:authenticated"], review["status"]!["userInfo"]!["groups"]!.AsArray().Select(g => (string?)g));
    }

    [Fact]
    public async Task ADeniedRequestIsNeverSignedAndCannotBeApprovedAfterwards()
    {
        var admin = server.Admin();
        var name = NewName("deny");
        await admin.Post(CsrPath, Body(name, Pkcs10("mallory", []).Pem)).Expect(HttpStatusCode.Created);
        var denied = await Decide(admin, name, "Denied", "KubectlDeny").Expect(HttpStatusCode.OK);
        Assert.Equal("Denied", (string?)denied["status"]!["conditions"]![0]!["type"]);
        Assert.NotNull(denied["status"]!["conditions"]![0]!["lastUpdateTime"]);

        var status = await Decide(admin, name, "Approved").ExpectStatus(HttpStatusCode.UnprocessableEntity, "Invalid");
        Assert.Contains("status.conditions[1].type: Invalid value: \"Approved\": Approved and Denied conditions are mutually exclusive", (string?)status["message"]);
        Assert.False(Issued(await admin.GetAsync($"{CsrPath}/{name}").Expect(HttpStatusCode.OK)));
    }

    [Theory]
    [InlineData("server auth", "invalid usage for client certificate: server auth")]
    [InlineData("digital signature", "missing required usage for client certificate: client auth")]
    public async Task TheClientSignerFailsRequestsWithOtherUsages(string usage, string message)
    {
        var admin = server.Admin();
        var name = NewName("usage");
        await admin.Post(CsrPath, Body(name, Pkcs10("u", []).Pem, usages: [usage])).Expect(HttpStatusCode.Created);
        await Decide(admin, name, "Approved").Expect(HttpStatusCode.OK);
        var failed = await WaitFor(admin, name, csr => HasCondition(csr, "Failed"));
        var condition = failed["status"]!["conditions"]!.AsArray().Single(c => (string?)c!["type"] == "Failed")!;
        Assert.Equal(("True", "SignerValidationFailure", message), ((string?)condition["status"], (string?)condition["reason"], (string?)condition["message"]));
        Assert.False(Issued(failed));
    }

    [Fact]
    public async Task ARequestForASignerWithoutAControllerStaysApprovedAndUnsigned()
    {
        var admin = server.Admin();
        var name = NewName("other");
        await admin.Post(CsrPath, Body(name, Pkcs10("u", []).Pem, signer: "example.com/my-signer")).Expect(HttpStatusCode.Created);
        await Decide(admin, name, "Approved").Expect(HttpStatusCode.OK);
        var table = await admin.GetAs($"{CsrPath}/{name}", Integration.Api.TableAccept).Expect(HttpStatusCode.OK);
        Assert.Equal(["Name", "Age", "SignerName", "Requestor", "RequestedDuration", "Condition"],
            table["columnDefinitions"]!.AsArray().Select(c => (string?)c!["name"]));
        var cells = table["rows"]![0]!["cells"]!.AsArray();
        Assert.Equal(("example.com/my-signer", "kubernetes-admin", "<none>", "Approved"),
            ((string?)cells[2], (string?)cells[3], (string?)cells[4], (string?)cells[5]));
    }

    public static TheoryData<string, Func<string, string>, string> BadRequests => new()
    {
        { "not a PEM request", name => Body(name, "hello"), "spec.request: Invalid value: []byte{0x68, 0x65, 0x6c, 0x6c, 0x6f}: PEM block type must be CERTIFICATE REQUEST" },
        { "a tampered signature", name => Body(name, Tampered(Pkcs10("u", []).Pem)), ": x509: ECDSA verification failure" },
        { "no usages", name => Body(name, Pkcs10("u", []).Pem, usages: []), "spec.usages: Required value" },
        { "an unknown usage", name => Body(name, Pkcs10("u", []).Pem, usages: ["client auth", "teleport"]), "spec.usages[1]: Unsupported value: \"teleport\"" },
        { "a duplicate usage", name => Body(name, Pkcs10("u", []).Pem, usages: ["client auth", "client auth"]), "spec.usages[1]: Duplicate value: \"client auth\"" },
        { "a signer without a domain", name => Body(name, Pkcs10("u", []).Pem, signer: "my-signer"), "spec.signerName: Invalid value: \"my-signer\": must be a fully qualified domain and path of the form 'example.com/signer-name'" },
        { "a single-label domain", name => Body(name, Pkcs10("u", []).Pem, signer: "example/signer"), "spec.signerName: Invalid value: \"example\": should be a domain with at least two segments separated by dots" },
        { "the legacy signer", name => Body(name, Pkcs10("u", []).Pem, signer: "kubernetes.io/legacy-unknown"), "spec.signerName: Invalid value: \"kubernetes.io/legacy-unknown\": the legacy signerName is not allowed via this API version" },
        { "less than ten minutes", name => Body(name, Pkcs10("u", []).Pem, expirationSeconds: 599), "spec.expirationSeconds: Invalid value: 599: may not specify a duration less than 600 seconds (10 minutes)" },
    };

    [Theory]
    [MemberData(nameof(BadRequests))]
    public async Task InvalidRequestsAreRefusedWith422(string why, Func<string, string> body, string message)
    {
        var name = NewName("bad");
        var status = await server.Admin().Post(CsrPath, body(name)).ExpectStatus(HttpStatusCode.UnprocessableEntity, "Invalid");
        Assert.True(((string?)status["message"])!.Contains(message), $"{why}: {status["message"]}");
    }

    [Fact]
    public async Task TheClientSignerRefusesSystemMasters()
    {
        await Bind(server.Admin(), NewName("bootstrapper"), "system:node-bootstrapper", "eve");
        await server.ClientFor("eve", "requesters").Post(CsrPath, Body("masters", Pkcs10("eve", ["system:masters"]).Pem)).ExpectStatus(HttpStatusCode.Forbidden, "Forbidden",
            "certificatesigningrequests.certificates.k8s.io \"masters\" is forbidden: use of kubernetes.io/kube-apiserver-client signer with system:masters group is not allowed");
    }

    [Fact]
    public async Task ApprovingNeedsTheApproveVerbOnTheSigner()
    {
        var admin = server.Admin();
        var name = NewName("perm");
        var approver = NewName("approver");
        await admin.Post(CsrPath, Body(name, Pkcs10("u", []).Pem)).Expect(HttpStatusCode.Created);
        // May update the approval subresource, but not yet approve for the signer.
        await admin.Post("/apis/rbac.authorization.k8s.io/v1/clusterroles", $$"""
            {"metadata":{"name":"{{approver}}"},"rules":[{"apiGroups":["certificates.k8s.io"],"resources":["certificatesigningrequests","certificatesigningrequests/approval"],"verbs":["get","update"]}]}
            """).Expect(HttpStatusCode.Created);
        await Bind(admin, approver, approver, "carol");
        var carol = server.ClientFor("carol");
        await Decide(carol, name, "Approved").ExpectStatus(HttpStatusCode.Forbidden, "Forbidden",
            $"certificatesigningrequests.certificates.k8s.io \"{name}\" is forbidden: user not permitted to approve requests with signerName \"kubernetes.io/kube-apiserver-client\"");

        await Bind(admin, approver + "-signer", "system:certificates.k8s.io:kube-apiserver-client-approver", "carol");
        await Decide(carol, name, "Approved").Expect(HttpStatusCode.OK);
    }

    [Fact]
    public async Task TheMainResourceCannotChangeTheSpecOrTheStatus()
    {
        var admin = server.Admin();
        var name = NewName("immutable");
        var created = await admin.Post(CsrPath, Body(name, Pkcs10("u", []).Pem)).Expect(HttpStatusCode.Created);
        created["spec"]!["signerName"] = "example.com/other";
        created["status"] = JsonNode.Parse("""{"conditions":[{"type":"Approved","status":"True"}]}""");
        created["metadata"]!["labels"] = new JsonObject { ["team"] = "a" };
        var updated = await admin.Put($"{CsrPath}/{name}", created.ToJsonString()).Expect(HttpStatusCode.OK);
        Assert.Equal((ClientSigner, "a"), ((string?)updated["spec"]!["signerName"], (string?)updated["metadata"]!["labels"]!["team"]));
        Assert.False(HasCondition(updated, "Approved"));
    }

    [Fact]
    public async Task TheStatusSubresourceNeedsTheSignVerbAndCannotApprove()
    {
        var admin = server.Admin();
        var name = NewName("status");
        var created = await admin.Post(CsrPath, Body(name, Pkcs10("u", []).Pem)).Expect(HttpStatusCode.Created);
        created["status"] = JsonNode.Parse("""{"conditions":[{"type":"Approved","status":"True"}]}""");
        var status = await admin.Put($"{CsrPath}/{name}/status", created.ToJsonString()).ExpectStatus(HttpStatusCode.UnprocessableEntity, "Invalid");
        Assert.Contains("status.conditions: Forbidden: updates may not add a condition of type \"Approved\"", (string?)status["message"]);

        await admin.Post("/apis/rbac.authorization.k8s.io/v1/clusterroles", $$"""
            {"metadata":{"name":"{{name}}"},"rules":[{"apiGroups":["certificates.k8s.io"],"resources":["certificatesigningrequests","certificatesigningrequests/status"],"verbs":["get","update"]}]}
            """).Expect(HttpStatusCode.Created);
        await Bind(admin, name, name, "dave");
        created["status"] = JsonNode.Parse("""{"conditions":[{"type":"Failed","status":"True","reason":"Nope"}]}""");
        await server.ClientFor("dave").Put($"{CsrPath}/{name}/status", created.ToJsonString()).ExpectStatus(HttpStatusCode.Forbidden, "Forbidden",
            $"certificatesigningrequests.certificates.k8s.io \"{name}\" is forbidden: user not permitted to sign requests with signerName \"kubernetes.io/kube-apiserver-client\"");
    }

    static Task<JsonObject> Bind(HttpClient admin, string name, string role, string user) =>
        admin.Post("/apis/rbac.authorization.k8s.io/v1/clusterrolebindings", $$"""
            {"metadata":{"name":"{{name}}"},"roleRef":{"apiGroup":"rbac.authorization.k8s.io","kind":"ClusterRole","name":"{{role}}"},
             "subjects":[{"kind":"User","apiGroup":"rbac.authorization.k8s.io","name":"{{user}}"}]}
            """).Expect(HttpStatusCode.Created);

    /// <summary>The same request with one byte of its signature flipped.</summary>
    static string Tampered(string pem)
    {
        var der = Convert.FromBase64String(string.Concat(pem.Split('\n').Where(l => !l.StartsWith("-----"))));
        der[^1] ^= 0x01;
        return PemEncoding.WriteString("CERTIFICATE REQUEST", der);
    }
}
