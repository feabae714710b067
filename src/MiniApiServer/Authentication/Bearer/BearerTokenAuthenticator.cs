using Microsoft.AspNetCore.Http;
using MiniApiServer.Api.Http;

namespace MiniApiServer.Authentication.Bearer;

/// <summary>
/// k8s.io/apiserver request/bearertoken: the token of an <c>Authorization: Bearer &lt;token&gt;</c> header, checked
/// by the token authenticator (kube-apiserver: the cached token union). A header that is absent, not "bearer"
/// (case-insensitive: Basic…) or has no token is "not mine", so the request may still be anonymous. A token nobody
/// accepts is an error ("invalid bearer token"): 401 even with anonymous on.
/// </summary>
public sealed class BearerTokenAuthenticator(ITokenAuthenticator tokens) : IRequestAuthenticator
{
    public const string AuthenticatorName = "bearer-token";
    public const string InvalidToken = "invalid bearer token";
    public const string ExtraSpaceWarning = "the provided Authorization header contains extra space before the bearer token, and is ignored";

    public string Name => AuthenticatorName;

    public ITokenAuthenticator Tokens => tokens;

    public async ValueTask<AuthenticationResult> AuthenticateAsync(HttpContext context, CancellationToken cancellationToken)
    {
        var headers = context.Request.Headers.Authorization;
        var header = headers.Count > 0 ? headers[0] : null; // Go's Header.Get: the first value
        switch (ParseHeader(header))
        {
            case { Token: { } token }:
                AuthenticationResult result;
                using (var warnings = TokenWarnings.Record())
                {
                    result = await tokens.AuthenticateTokenAsync(token, cancellationToken);
                    // kube's warning recorder wraps authentication: its warnings reach the client, 401 or not.
                    Negotiation.AddWarnings(context.Response, warnings.Warnings);
                }
                if (result.Succeeded)
                {
                    // "remove the bearer token so that no one is ever tempted to use it inside of the API server"
                    context.Request.Headers.Authorization = default;
                    return result;
                }
                return AuthenticationResult.Failure(Name, result.Error ?? InvalidToken);
            case { ExtraSpace: true }:
                Negotiation.AddWarnings(context.Response, [ExtraSpaceWarning]);
                return AuthenticationResult.NotMine(Name);
            default:
                return AuthenticationResult.NotMine(Name);
        }
    }

    /// <summary>What an Authorization header holds: a token, nothing, or (with the warning) "Bearer" and two spaces.</summary>
    public readonly record struct ParsedHeader(string? Token, bool ExtraSpace);

    /// <summary>
    /// kube's parsing: TrimSpace the value, SplitN on a single space into at most 3 parts, the first must be
    /// "bearer" in any case, the second is the token (a third part is ignored). "Bearer\ttok" is one part (no
    /// token); "Bearer  tok" has an empty second part: no token, and the extra-space warning.
    /// </summary>
    public static ParsedHeader ParseHeader(string? header)
    {
        var value = (header ?? "").Trim();
        if (value.Length == 0)
        {
            return default;
        }
        var parts = value.Split(' ', 3);
        if (parts.Length < 2 || !parts[0].Equals("bearer", StringComparison.OrdinalIgnoreCase))
        {
            return default;
        }
        if (parts[1].Length == 0)
        {
            return new ParsedHeader(null, ExtraSpace: parts.Length == 3);
        }
        return new ParsedHeader(parts[1], false);
    }
}
