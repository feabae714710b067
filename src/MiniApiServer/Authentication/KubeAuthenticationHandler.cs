using System.Security.Claims;
using System.Text.Encodings.Web;
using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using MiniApiServer.Api;
using MiniApiServer.Api.Errors;
using MiniApiServer.Api.Http;

namespace MiniApiServer.Authentication;

/// <summary>
/// The single ASP.NET Core authentication handler: it runs kube-apiserver's authenticator chain on every
/// request (no cookies, no sessions), turns the user into the request's ClaimsPrincipal, strips what kube
/// strips after a success, and answers a failure with kube's exact 401 Status (which leaks nothing; the
/// reasons are logged).
/// </summary>
public sealed class KubeAuthenticationHandler(
    IOptionsMonitor<AuthenticationSchemeOptions> options,
    ILoggerFactory loggerFactory,
    UrlEncoder encoder,
    AuthenticationChain chain,
    IEnumerable<RequestHeader.RequestHeaderAuthenticator> proxies,
    ApiAudiences? apiAudiences = null)
    : AuthenticationHandler<AuthenticationSchemeOptions>(options, loggerFactory, encoder)
{
    public const string SchemeName = "Kubernetes";
    public const string AuthenticatorClaim = "miniapiserver/authenticator";
    public const string UidClaim = "miniapiserver/uid";
    public const string GroupClaim = "miniapiserver/group";
    public const string ExtraClaimPrefix = "miniapiserver/extra/";

    static readonly string[] ProxyHeaders = ["X-Remote-User", "X-Remote-Uid", "X-Remote-Group"];

    protected override async Task<AuthenticateResult> HandleAuthenticateAsync()
    {
        // kube's authentication filter: every request's tokens must be good for the API audiences.
        AuthenticationResult result;
        using (TokenAudiences.Use(apiAudiences?.Value))
            result = await chain.AuthenticateAsync(Context, Context.RequestAborted);
        if (!result.Succeeded)
        {
            Logger.LogInformation("Unable to authenticate the request {Method} {Path}: {Reason}", Request.Method, Request.Path, result.Error ?? "no credentials and anonymous is disabled");
            return AuthenticateResult.Fail(result.Error ?? "no credentials");
        }
        var user = result.User!;
        Context.SetUser(user);
        Context.Items[AuthenticatorClaim] = result.Authenticator;
        // What kube deletes after any successful authentication.
        Request.Headers.Authorization = default;
        foreach (var h in ProxyHeaders) Request.Headers.Remove(h);
        foreach (var h in Request.Headers.Keys.Where(k => k.StartsWith("X-Remote-Extra-", StringComparison.OrdinalIgnoreCase)).ToList())
            Request.Headers.Remove(h);
        foreach (var p in proxies) p.ClearAuthenticationHeaders(Request.Headers);
        return AuthenticateResult.Success(new AuthenticationTicket(ToPrincipal(user, result.Authenticator), SchemeName));
    }

    public static ClaimsPrincipal ToPrincipal(UserInfo user, string authenticator)
    {
        var claims = new List<Claim> { new(ClaimTypes.Name, user.Name), new(UidClaim, user.Uid), new(AuthenticatorClaim, authenticator) };
        claims.AddRange(user.Groups.Select(g => new Claim(GroupClaim, g)));
        foreach (var (k, values) in user.Extra) claims.AddRange(values.Select(v => new Claim(ExtraClaimPrefix + k, v)));
        return new ClaimsPrincipal(new ClaimsIdentity(claims, SchemeName, ClaimTypes.Name, GroupClaim));
    }

    protected override Task HandleChallengeAsync(AuthenticationProperties properties)
    {
        if (Request.Protocol == "HTTP/2") Response.Headers.Connection = "close";
        return Negotiation.WriteStatusAsync(Context, StatusErrors.Unauthorized().Status);
    }

    protected override Task HandleForbiddenAsync(AuthenticationProperties properties) =>
        Negotiation.WriteStatusAsync(Context, StatusErrors.Forbidden("forbidden", "", "", null).Status);
}

/// <summary>--api-audiences: the audiences every request's bearer token must be good for.</summary>
public sealed record ApiAudiences(IReadOnlyList<string> Value);
