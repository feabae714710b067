using MiniApiServer.Api.Reviews;
using MiniApiServer.Authentication;
using MiniApiServer.Authentication.Bearer;
using MiniApiServer.Authentication.Bootstrap;
using MiniApiServer.Authentication.Oidc;
using MiniApiServer.Authentication.RequestHeader;
using MiniApiServer.Authentication.TokenFile;
using MiniApiServer.Authentication.Webhook;
using MiniApiServer.Authentication.X509;
using MiniApiServer.Storage;

namespace MiniApiServer.Hosting;

/// <summary>
/// kube-apiserver's authenticator, assembled from the options in its order (pkg/kubeapiserver/authenticator
/// config.go): request header → x509 → bearer token → WebSocket bearer token; the bearer token union is token
/// file → service accounts → bootstrap → OIDC/JWT → webhook, wrapped once in the result cache (successes
/// 10 s, failures never). The same cached union reviews tokens for the TokenReview API.
/// </summary>
public sealed class AuthenticationSetup
{
    public AuthenticationChain Chain { get; }
    public ITokenAuthenticator Tokens { get; }
    public ITokenReviewer Reviewer { get; }
    public IReadOnlyList<string> ApiAudiences { get; }

    /// <summary>The static token file as read at start (null when off): the ready-made token kubeconfigs come from it.</summary>
    public TokenFileAuthenticator? TokenFile { get; }

    public AuthenticationSetup(ServerOptions options, RequestHeaderAuthenticator? requestHeader, IObjectStore store, TimeProvider time, ILoggerFactory loggers, CancellationToken stopping,
        IReadOnlyList<ITokenAuthenticator>? serviceAccountTokens = null)
    {
        ApiAudiences = options.ApiAudiences;
        var request = new List<IRequestAuthenticator>();
        // The proxy comes first: its client certificate is a proxy's, not a user's.
        if (requestHeader is not null) request.Add(requestHeader);
        if (options.ClientCaFile.Length > 0)
            request.Add(new X509ClientCertificateAuthenticator(
                ClientCaBundle.FromFile(options.ClientCaFile, time, loggers.CreateLogger("MiniApiServer.Authentication.X509")), time,
                denyList: options.ClientCertDenyList.Length > 0
                    ? Certificates.CertificateDenyList.FromFile(options.ClientCertDenyList, time, loggers.CreateLogger("MiniApiServer.Certificates"))
                    : null));

        var tokens = new List<ITokenAuthenticator>();
        var tokenFile = TokenFile = options.TokenFile?.CreateAuthenticator(loggers);
        if (tokenFile is not null) tokens.Add(tokenFile);
        var log = loggers.CreateLogger("MiniApiServer.Authentication");
        foreach (var warning in IdentityCollisions.Find(options, tokenFile?.UserNames ?? []))
            log.LogWarning("{Warning}", warning);
        // Service-account tokens: legacy, then bound, right after the token file.
        tokens.AddRange(serviceAccountTokens ?? []);
        if (options.BootstrapTokenAuth)
            tokens.Add(new BootstrapTokenAuthenticator(store, time, loggers.CreateLogger("MiniApiServer.Authentication.Bootstrap")));
        if (options.Oidc is { Authenticators.Count: > 0 } oidc)
        {
            var jwt = OidcAuthenticatorFactory.Create(oidc, time, loggers);
            _ = jwt.StartAsync(stopping); // discovery and JWKS, retried every 10 s until the issuer answers
            tokens.Add(jwt);
        }
        if (options.WebhookToken is { } webhook)
            tokens.Add(WebhookTokenAuthenticatorFactory.Create(webhook, options.ApiAudiences, time, loggers));
        Tokens = new CachedTokenAuthenticator(new TokenUnion(tokens), time);
        if (tokens.Count > 0)
        {
            request.Add(new BearerTokenAuthenticator(Tokens));
            request.Add(new WebSocketBearerAuthenticator(Tokens));
        }
        Chain = new AuthenticationChain(new AuthenticatorUnion(request), options.AnonymousAuth, options.AnonymousPaths);
        Reviewer = new TokenUnionReviewer(Tokens, options.ApiAudiences, options.AnonymousAuth);
    }
}
