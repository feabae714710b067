using MiniApiServer.Api.Resources;
using MiniApiServer.Hosting;
using MiniApiServer.Storage;

namespace MiniApiServer.Authentication.ServiceAccounts;

/// <summary>
/// Everything service-account tokens need, built once at start (so a bad key file stops the start): the
/// signing key and the verification keys read from the flags' files, the issuer, and kube-apiserver's two
/// token authenticators in their union order — legacy tokens (issuer <c>kubernetes/serviceaccount</c>, lookups
/// per <c>--service-account-lookup</c>) then bound tokens (the <c>--service-account-issuer</c> list).
/// </summary>
public sealed class ServiceAccountTokens
{
    public ServiceAccountTokens(ServiceAccountOptions options, IReadOnlyList<string> apiAudiences, IObjectStore store,
        Func<ResourceRest> rest, TimeProvider time, IRandomSource random, ILoggerFactory loggers)
    {
        Options = options;
        ApiAudiences = apiAudiences;
        SigningKey = ServiceAccountKeyFiles.LoadSigningKey(options.SigningKeyFile);
        VerificationKeys = ServiceAccountKeyFiles.LoadVerificationKeys(options.KeyFiles);
        Issuer = new ServiceAccountTokenIssuer(SigningKey, options, apiAudiences, store, time, random);
        var getter = new ServiceAccountTokenGetter(store);
        var tracker = new LegacyTokenTracker(rest, time, loggers.CreateLogger("MiniApiServer.Authentication.ServiceAccounts"));
        Authenticators =
        [
            new ServiceAccountTokenAuthenticator(ServiceAccountTokenAuthenticator.LegacyName, [ServiceAccountClaims.LegacyIssuer],
                VerificationKeys, apiAudiences, new LegacyTokenValidator(options.Lookup, getter, tracker)),
            new ServiceAccountTokenAuthenticator(ServiceAccountTokenAuthenticator.BoundName, options.Issuers,
                VerificationKeys, apiAudiences, new BoundTokenValidator(getter, time)),
        ];
    }

    public ServiceAccountOptions Options { get; }
    public IReadOnlyList<string> ApiAudiences { get; }
    public ServiceAccountKey SigningKey { get; }

    /// <summary>The keys of every <c>--service-account-key-file</c>, in order: what verifies tokens and what the JWKS publishes.</summary>
    public IReadOnlyList<ServiceAccountKey> VerificationKeys { get; }

    public ServiceAccountTokenIssuer Issuer { get; }

    /// <summary>Legacy, then bound: the token union's members right after the token file.</summary>
    public IReadOnlyList<ITokenAuthenticator> Authenticators { get; }
}
