using MiniApiServer.Tests.Authentication;
using System.Collections.Concurrent;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Primitives;
using MiniApiServer.Api;
using MiniApiServer.Api.Errors;
using MiniApiServer.Authentication;
using MiniApiServer.Authentication.Impersonation;
using MiniApiServer.Authorization;
using ImpersonationFilter = MiniApiServer.Authentication.Impersonation.Impersonation;

namespace MiniApiServer.Tests.Authentication.Impersonation;

/// <summary>Allows exactly the listed impersonations ("resource[/subresource] [ns/]name" in group g) and records every question.</summary>
internal sealed class FakeAuthorizer(params string[] allowed) : IAuthorizer
{
    public ConcurrentQueue<AuthorizationAttributes> Asked { get; } = new();
    public string DenialReason { get; init; } = "";

    public static string Describe(RequestInfo r) =>
        $"{r.Verb} {r.ApiGroup}/{r.ApiVersion} {r.Resource}{(r.Subresource.Length > 0 ? "/" + r.Subresource : "")} {(r.Namespace.Length > 0 ? r.Namespace + "/" : "")}{r.Name}";

    public ValueTask<AuthorizationResult> AuthorizeAsync(AuthorizationAttributes attributes, CancellationToken cancellationToken)
    {
        Asked.Enqueue(attributes);
        return ValueTask.FromResult(allowed.Contains(Describe(attributes.Request))
            ? AuthorizationResult.Allow()
            : new AuthorizationResult(Decision.NoOpinion, DenialReason));
    }
}

public sealed class ImpersonationTests
{
    private static readonly UserInfo Bob = new("bob", "bob-uid", ["dev", UserInfo.AllAuthenticated], UserInfo.NoExtra);

    private static DefaultHttpContext Request(UserInfo user, params (string Name, string[] Values)[] headers)
    {
        var context = new DefaultHttpContext();
        context.SetUser(user);
        context.Items[KubeAuthenticationHandler.AuthenticatorClaim] = "x509";
        foreach (var (name, values) in headers)
        {
            context.Request.Headers[name] = new StringValues(values);
        }
        context.Request.Headers.Accept = "application/json";
        return context;
    }

    [Fact]
    public async Task NoImpersonationHeadersLeaveTheUserAloneAndAskNothing()
    {
        var authorizer = new FakeAuthorizer();
        var context = Request(Bob);

        await ImpersonationFilter.HandleAsync(context, authorizer);

        Assert.Same(Bob, context.GetUser());
        Assert.Null(context.GetImpersonatingUser());
        Assert.Empty(authorizer.Asked);
    }

    [Fact]
    public async Task AllowedUserGroupsUidAndExtrasReplaceTheUserAndTheRealOneIsKept()
    {
        var authorizer = new FakeAuthorizer(
            "impersonate / users jane", "impersonate / groups qa", "impersonate / groups ops",
            "impersonate authentication.k8s.io/v1 uids jane-uid",
            "impersonate authentication.k8s.io/v1 userextras/scopes read", "impersonate authentication.k8s.io/v1 userextras/scopes write",
            "impersonate authentication.k8s.io/v1 userextras/acme.com/project p1");
        var context = Request(Bob,
            ("Impersonate-User", ["jane"]), ("Impersonate-Group", ["qa", "ops"]), ("Impersonate-Uid", ["jane-uid"]),
            ("Impersonate-Extra-Scopes", ["read", "write"]), ("impersonate-extra-Acme.com%2Fproject", ["p1"]), ("X-Other", ["kept"]));

        await ImpersonationFilter.HandleAsync(context, authorizer);

        var jane = context.GetUser()!;
        Assert.Equal(("jane", "jane-uid"), (jane.Name, jane.Uid));
        Assert.Equal(["qa", "ops", UserInfo.AllAuthenticated], jane.Groups);
        Assert.Equal(["read", "write"], jane.Extra["scopes"]);
        Assert.Equal(["p1"], jane.Extra["acme.com/project"]);
        Assert.Same(Bob, context.GetImpersonatingUser());
        Assert.Same(Bob, context.Items[ImpersonationFilter.RealUserKey]);
        Assert.Equal("jane", context.User.Identity?.Name);
        Assert.Equal(["X-Other", "Accept"], context.Request.Headers.Keys);
        Assert.All(authorizer.Asked, a => Assert.Same(Bob, a.User));
        Assert.Equal(7, authorizer.Asked.Count);
    }

    public static TheoryData<string, (string, string[])[], string, string, string, string?> Denials => new()
    {
        {
            "user", [("Impersonate-User", ["jane"])],
            "users \"jane\" is forbidden: User \"bob\" cannot impersonate resource \"users\" in API group \"\" at the cluster scope",
            "", "users", "jane"
        },
        {
            "group", [("Impersonate-User", ["alice"]), ("Impersonate-Group", ["system:masters"])],
            "groups \"system:masters\" is forbidden: User \"bob\" cannot impersonate resource \"groups\" in API group \"\" at the cluster scope",
            "", "groups", "system:masters"
        },
        {
            "uid", [("Impersonate-User", ["alice"]), ("Impersonate-Uid", ["1234"])],
            "uids.authentication.k8s.io \"1234\" is forbidden: User \"bob\" cannot impersonate resource \"uids\" in API group \"authentication.k8s.io\" at the cluster scope",
            "authentication.k8s.io", "uids", "1234"
        },
        {
            "extra", [("Impersonate-User", ["alice"]), ("Impersonate-Extra-Scopes", ["view"])],
            "userextras.authentication.k8s.io \"view\" is forbidden: User \"bob\" cannot impersonate resource \"userextras/scopes\" in API group \"authentication.k8s.io\" at the cluster scope",
            "authentication.k8s.io", "userextras", "view"
        },
        {
            "empty extra value", [("Impersonate-User", ["alice"]), ("Impersonate-Extra-Scopes", [""])],
            "userextras.authentication.k8s.io is forbidden: User \"bob\" cannot impersonate resource \"userextras/scopes\" in API group \"authentication.k8s.io\" at the cluster scope",
            "authentication.k8s.io", "userextras", null
        },
        {
            "service account", [("Impersonate-User", ["system:serviceaccount:kube-system:default"])],
            "serviceaccounts \"default\" is forbidden: User \"bob\" cannot impersonate resource \"serviceaccounts\" in API group \"\" in the namespace \"kube-system\"",
            "", "serviceaccounts", "default"
        },
    };

    [Theory]
    [MemberData(nameof(Denials))]
    public async Task RefusedItemIsKubesForbiddenStatusAndNothingChanges(string kind, (string, string[])[] headers, string message, string group, string resource, string? name)
    {
        // Only alice may be impersonated, so the refusal is the item under test.
        var authorizer = new FakeAuthorizer("impersonate / users alice");
        var context = Request(Bob, headers);

        var e = await Assert.ThrowsAsync<ApiException>(() => ImpersonationFilter.HandleAsync(context, authorizer));

        Assert.Equal((403, "Forbidden", message), (e.Status.Code, e.Status.Reason, e.Status.Message));
        Assert.Equal((group.Length == 0 ? null : group, resource, name), (e.Status.Details.Group, e.Status.Details.Kind, e.Status.Details.Name));
        Assert.Same(Bob, context.GetUser());
        Assert.True(context.Request.Headers.ContainsKey("Impersonate-User"), kind);
    }

    [Fact]
    public async Task AuthorizerReasonIsAppendedAndOnlyTheUserPartIsHtmlEscaped()
    {
        var authorizer = new FakeAuthorizer { DenialReason = "RBAC: clusterrole \"x<y\" not found" };
        var context = Request(Bob with { Name = "a&b" }, ("Impersonate-User", ["<jane>"]));

        var e = await Assert.ThrowsAsync<ApiException>(() => ImpersonationFilter.HandleAsync(context, authorizer));

        Assert.Equal("users \"<jane>\" is forbidden: User \"a&amp;b\" cannot impersonate resource \"users\" in API group \"\" at the cluster scope: RBAC: clusterrole \"x<y\" not found", e.Status.Message);
    }

    [Fact]
    public async Task ItemsAreAskedInKubesOrderAndTheFirstRefusalStops()
    {
        var authorizer = new FakeAuthorizer("impersonate / users jane", "impersonate / groups a");
        var context = Request(Bob, ("Impersonate-Uid", ["u"]), ("Impersonate-Group", ["a", "b", "c"]), ("Impersonate-User", ["jane"]));

        var e = await Assert.ThrowsAsync<ApiException>(() => ImpersonationFilter.HandleAsync(context, authorizer));

        Assert.StartsWith("groups \"b\" is forbidden", e.Status.Message);
        Assert.Equal(["impersonate / users jane", "impersonate / groups a", "impersonate / groups b"], authorizer.Asked.Select(a => FakeAuthorizer.Describe(a.Request)));
    }

    public static TheoryData<(string, string[])[], string> WithoutUser => new()
    {
        { [("Impersonate-Group", ["g1"])], "requested [{Group  g1    }] without impersonating a user" },
        { [("Impersonate-User", [""]), ("Impersonate-Uid", ["123"])], "requested [{UID  123  authentication.k8s.io/v1  }] without impersonating a user" },
        {
            [("Impersonate-Group", ["g1", "g2"]), ("Impersonate-Extra-Scopes", ["v"])],
            "requested [{Group  g1    } {Group  g2    } {UserExtra  v  authentication.k8s.io/v1  scopes}] without impersonating a user"
        },
    };

    [Theory]
    [MemberData(nameof(WithoutUser))]
    public async Task GroupsUidOrExtrasWithoutAUserAreABadRequest((string, string[])[] headers, string message)
    {
        var authorizer = new FakeAuthorizer();

        var e = await Assert.ThrowsAsync<ApiException>(() => ImpersonationFilter.HandleAsync(Request(Bob, headers), authorizer));

        Assert.Equal((400, "BadRequest", message), (e.Status.Code, e.Status.Reason, e.Status.Message));
        Assert.Empty(authorizer.Asked);
    }

    [Fact]
    public async Task ServiceAccountIsCheckedInItsNamespaceAndGetsItsGroups()
    {
        var authorizer = new FakeAuthorizer("impersonate / serviceaccounts kube-system/default");
        var context = Request(Bob, ("Impersonate-User", ["system:serviceaccount:kube-system:default"]));

        await ImpersonationFilter.HandleAsync(context, authorizer);

        var sa = context.GetUser()!;
        Assert.Equal("system:serviceaccount:kube-system:default", sa.Name);
        Assert.Equal(["system:serviceaccounts", "system:serviceaccounts:kube-system", UserInfo.AllAuthenticated], sa.Groups);
    }

    [Fact]
    public async Task ServiceAccountWithRequestedGroupsGetsOnlyThose()
    {
        var authorizer = new FakeAuthorizer("impersonate / serviceaccounts ns1/robot", "impersonate / groups team");
        var context = Request(Bob, ("Impersonate-User", ["system:serviceaccount:ns1:robot"]), ("Impersonate-Group", ["team"]));

        await ImpersonationFilter.HandleAsync(context, authorizer);

        Assert.Equal(["team", UserInfo.AllAuthenticated], context.GetUser()!.Groups);
    }

    [Theory]
    [InlineData("system:serviceaccount:ns1")]
    [InlineData("system:serviceaccount:ns1:robot:extra")]
    [InlineData("system:serviceaccount:Bad_NS:robot")]
    [InlineData("system:serviceaccount::robot")]
    [InlineData("system:serviceaccounts:ns1")]
    public async Task NamesThatAreNotServiceAccountsAreImpersonatedAsUsers(string name)
    {
        var authorizer = new FakeAuthorizer($"impersonate / users {name}");
        var context = Request(Bob, ("Impersonate-User", [name]));

        await ImpersonationFilter.HandleAsync(context, authorizer);

        Assert.Equal(name, context.GetUser()!.Name);
        Assert.Equal([UserInfo.AllAuthenticated], context.GetUser()!.Groups);
    }

    public static TheoryData<string, string[], string[]> GroupRules => new()
    {
        { "jane", [], [UserInfo.AllAuthenticated] },
        { "jane", ["qa"], ["qa", UserInfo.AllAuthenticated] },
        { "jane", [UserInfo.AllAuthenticated, "qa"], [UserInfo.AllAuthenticated, "qa"] },
        { "jane", [UserInfo.AllUnauthenticated], [UserInfo.AllUnauthenticated] },
        { UserInfo.Anonymous, [], [UserInfo.AllUnauthenticated] },
        { UserInfo.Anonymous, ["qa"], ["qa", UserInfo.AllUnauthenticated] },
        { UserInfo.Anonymous, [UserInfo.AllAuthenticated], [UserInfo.AllAuthenticated, UserInfo.AllUnauthenticated] },
        { UserInfo.Anonymous, [UserInfo.AllUnauthenticated], [UserInfo.AllUnauthenticated] },
    };

    [Theory]
    [MemberData(nameof(GroupRules))]
    public void AuthenticatedOrUnauthenticatedGroupIsAddedAsKubeDoes(string user, string[] groups, string[] expected)
    {
        IReadOnlyList<ImpersonationRequest> requests =
            [new(ImpersonationKind.User, "", user), .. groups.Select(g => new ImpersonationRequest(ImpersonationKind.Group, "", g))];

        var impersonated = ImpersonationFilter.ImpersonatedUser(requests, groupsSpecified: groups.Length > 0);

        Assert.Equal(expected, impersonated.Groups);
    }

    [Fact]
    public async Task OnlySystemMastersMayImpersonateUnderTheInterimAuthorizer()
    {
        var authorizer = new AuthorizerUnion([new PrivilegedGroupAuthorizer(), new BootstrapPublicAuthorizer()]);
        var admin = new UserInfo("kubernetes-admin", "", [UserInfo.Masters, UserInfo.AllAuthenticated], UserInfo.NoExtra);

        var asAdmin = Request(admin, ("Impersonate-User", ["jane"]), ("Impersonate-Group", ["qa"]));
        await ImpersonationFilter.HandleAsync(asAdmin, authorizer);
        var e = await Assert.ThrowsAsync<ApiException>(() => ImpersonationFilter.HandleAsync(Request(Bob, ("Impersonate-User", ["jane"])), authorizer));

        Assert.Equal("jane", asAdmin.GetUser()!.Name);
        Assert.Equal(["qa", UserInfo.AllAuthenticated], asAdmin.GetUser()!.Groups);
        Assert.Equal(403, e.Status.Code);
    }

    [Fact]
    public async Task MiddlewareTakesTheAuthorizerFromTheServicesAndCallsNextWithTheNewUser()
    {
        var services = new Microsoft.Extensions.DependencyInjection.ServiceCollection();
        Microsoft.Extensions.DependencyInjection.ServiceCollectionServiceExtensions.AddSingleton<IAuthorizer>(services, new FakeAuthorizer("impersonate / users jane"));
        var context = Request(Bob, ("Impersonate-User", ["jane"]));
        context.RequestServices = Microsoft.Extensions.DependencyInjection.ServiceCollectionContainerBuilderExtensions.BuildServiceProvider(services);
        UserInfo? seen = null;

        await ImpersonationFilter.InvokeAsync(context, c => { seen = c.GetUser(); return Task.CompletedTask; });

        Assert.Equal("jane", seen?.Name);
    }
}
