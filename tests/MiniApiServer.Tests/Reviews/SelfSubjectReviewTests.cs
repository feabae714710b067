using MiniApiServer.Api.Reviews;
using MiniApiServer.Authentication;
using MiniApiServer.Tests.Protobuf;

namespace MiniApiServer.Tests.Reviews;

/// <summary>POST /apis/authentication.k8s.io/v1/selfsubjectreviews — what <c>kubectl auth whoami</c> asks (kube's selfsubjectreview REST).</summary>
public sealed class SelfSubjectReviewTests
{
    /// <summary>JSON written with single quotes, for readability.</summary>
    static string J(string s) => s.Replace('\'', '"');

    static string Message(string status) => System.Text.Json.Nodes.JsonNode.Parse(status)!["message"]!.GetValue<string>();

    const string Path = "/apis/authentication.k8s.io/v1/selfsubjectreviews";
    const string Request = """{"apiVersion":"authentication.k8s.io/v1","kind":"SelfSubjectReview","metadata":{"name":"ignored","creationTimestamp":null},"status":{"userInfo":{}}}""";

    [Fact]
    public async Task TheAnswerIsTheRequestsUserWithANewCreationTimestamp()
    {
        await using var host = ReviewHost.Start();
        host.User = new UserInfo("system:serviceaccount:default:tester", "1234",
            ["system:serviceaccounts", "system:serviceaccounts:default", "system:authenticated"],
            new Dictionary<string, IReadOnlyList<string>>
            {
                ["authentication.kubernetes.io/pod-name"] = ["web-0"],
                ["authentication.kubernetes.io/credential-id"] = ["JTI=abc"],
            });

        var (code, body, response) = await host.PostAsync(Path, Request);

        Assert.Equal(201, code);
        Assert.Equal("application/json", response.Content.Headers.ContentType?.MediaType);
        Assert.Equal(
            """{"kind":"SelfSubjectReview","apiVersion":"authentication.k8s.io/v1","metadata":{"creationTimestamp":"2025-03-01T12:00:00Z"},""" +
            J("'status':{'userInfo':{'username':'system:serviceaccount:default:tester','uid':'1234',") +
            J("'groups':['system:serviceaccounts','system:serviceaccounts:default','system:authenticated'],") +
            J("'extra':{'authentication.kubernetes.io/credential-id':['JTI=abc'],'authentication.kubernetes.io/pod-name':['web-0']}}}}"),
            body);
    }

    [Fact]
    public async Task EmptyUidGroupsAndExtraAreLeftOut()
    {
        await using var host = ReviewHost.Start();
        host.User = AuthenticationChain.AnonymousUser with { Groups = [] };
        var (_, body, _) = await host.PostAsync(Path, Request);
        Assert.Contains("""
            "status":{"userInfo":{"username":"system:anonymous"}}}
            """, body);
    }

    [Fact]
    public async Task KubectlsProtobufBodyIsAccepted()
    {
        await using var host = ReviewHost.Start();
        var (code, body) = await host.PostBytesAsync(Path, Convert.FromHexString(KubectlCaptures.AuthWhoami), "application/vnd.kubernetes.protobuf");
        Assert.Equal(201, code);
        Assert.Contains("\"username\":\"alice\"", body);
    }

    [Theory]
    [InlineData("""{"apiVersion":"authentication.k8s.io/v1","kind":"TokenReview"}""", "TokenReview in version \"authentication.k8s.io/v1\" cannot be handled as a SelfSubjectReview")]
    [InlineData("""{"apiVersion":"authentication.k8s.io/v1beta1","kind":"SelfSubjectReview"}""", "cannot be handled as a SelfSubjectReview")]
    [InlineData("""{"metadata":{"name":7}}""", "SelfSubjectReview in version \"v1\" cannot be handled as a SelfSubjectReview")]
    public async Task ABodyThatIsNotAV1SelfSubjectReviewIsABadRequest(string request, string message)
    {
        await using var host = ReviewHost.Start();
        var (code, body, _) = await host.PostAsync(Path, request);
        Assert.Equal(400, code);
        Assert.Contains(message, Message(body));
    }

    [Fact]
    public async Task UnknownFieldsAreWarnedAboutOrRefusedWhenStrict()
    {
        await using var host = ReviewHost.Start();
        var withUnknown = """{"apiVersion":"authentication.k8s.io/v1","kind":"SelfSubjectReview","spec":{}}""";

        var (code, _, response) = await host.PostAsync(Path, withUnknown);
        Assert.Equal(201, code);
        Assert.Equal("299 - \"unknown field \\\"spec\\\"\"", Assert.Single(response.Headers.GetValues("Warning")));

        var (strictCode, strictBody, _) = await host.PostAsync(Path + "?fieldValidation=Strict", withUnknown);
        Assert.Equal(400, strictCode);
        Assert.Equal("strict decoding error: unknown field \"spec\"", Message(strictBody));
    }

    /// <summary>The create handler validates CreateOptions for a kind without storage as for any other: a 422 on
    /// CreateOptions for an unsupported fieldValidation or dryRun, before the body is read.</summary>
    [Theory]
    [InlineData("?fieldValidation=Loose", "CreateOptions.meta.k8s.io \"\" is invalid: fieldValidation: Unsupported value: \"Loose\": supported values: ")]
    [InlineData("?dryRun=Some", "CreateOptions.meta.k8s.io \"\" is invalid: dryRun: Unsupported value: \"Some\": supported values: \"All\"")]
    public async Task BadCreateOptionsAreInvalid(string query, string message)
    {
        await using var host = ReviewHost.Start();
        var (code, body, _) = await host.PostAsync(Path + query, Request);
        Assert.Equal(422, code);
        Assert.StartsWith(message, Message(body));
    }

    [Fact]
    public void TheDefinitionIsACreateOnlyClusterScopedKind()
    {
        var def = ReviewResources.SelfSubjectReviews;
        Assert.Equal(("authentication.k8s.io", "v1", "selfsubjectreviews", "selfsubjectreview", "SelfSubjectReview", false),
            (def.Group, def.Version, def.Plural, def.Singular, def.Kind, def.Namespaced));
        Assert.Equal(["create"], def.Verbs);
        Assert.Equal(typeof(k8s.Models.V1SelfSubjectReview), def.ModelType);
    }
}
