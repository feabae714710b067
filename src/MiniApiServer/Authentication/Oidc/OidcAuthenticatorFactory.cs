using Microsoft.Extensions.Logging;

namespace MiniApiServer.Authentication.Oidc;

/// <summary>Builds the JWT authenticators of the options: one per issuer, in the file's order.</summary>
public static class OidcAuthenticatorFactory
{
    /// <summary>
    /// The authenticators (not yet initialised: call <see cref="JwtAuthenticators.StartAsync"/> with the server's
    /// lifetime). <paramref name="handler"/> replaces the TLS client of every issuer (tests run a fake issuer).
    /// </summary>
    public static JwtAuthenticators Create(OidcOptions options, TimeProvider time, ILoggerFactory loggers, HttpMessageHandler? handler = null)
    {
        var logger = loggers.CreateLogger("MiniApiServer.Authentication.Oidc");
        return new JwtAuthenticators(options.Authenticators
            .Select(a => new JwtAuthenticator(a, options.SigningAlgorithms, time, logger, handler))
            .ToList());
    }
}
