using System.Net;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http;
using MiniApiServer.Authentication.ServiceAccounts;
using MiniApiServer.Hosting;

namespace MiniApiServer.Api.ServiceAccountIssuer;

/// <summary>
/// Service-account issuer discovery (kube's pkg/routes/openidmetadata.go): <c>GET /.well-known/openid-configuration</c>
/// (application/json) and <c>GET /openid/v1/jwks</c> (application/jwk-set+json), both <c>Cache-Control: public,
/// max-age=3600</c>. They are ordinary authenticated non-resource paths: the bootstrap role
/// system:service-account-issuer-discovery lets every service account read them. Installed only when the first
/// issuer is an https URL without query or fragment, as kube-apiserver does (it logs why otherwise).
/// </summary>
public static class IssuerDiscoveryEndpoints
{
    public const string CacheControl = "public, max-age=3600";
    public const string JwksMediaType = "application/jwk-set+json";

    public static WebApplication MapServiceAccountIssuerDiscovery(this WebApplication app)
    {
        var tokens = app.Services.GetRequiredService<ServiceAccountTokens>();
        var issuer = tokens.Options.Issuers[0];
        if (OpenIdMetadata.IssuerProblem(issuer) is { } problem)
        {
            app.Services.GetRequiredService<ILoggerFactory>().CreateLogger("MiniApiServer.ServiceAccountIssuer")
                .LogInformation("Skipping service account issuer discovery endpoints: {Problem}", problem);
            return app;
        }
        var keyset = OpenIdMetadata.KeysetJson(tokens.VerificationKeys);
        byte[]? config = null;
        app.MapGet(OpenIdMetadata.ConfigPath, context =>
        {
            // The default jwks_uri names the server's own address, known once it listens (--secure-port 0).
            config ??= OpenIdMetadata.ConfigJson(issuer, tokens.Options.JwksUri ?? DefaultJwksUri(context, app.Services.GetRequiredService<ServerOptions>()), tokens.VerificationKeys);
            return WriteAsync(context, "application/json", config);
        });
        app.MapGet(OpenIdMetadata.JwksPath, context => WriteAsync(context, JwksMediaType, keyset));
        return app;
    }

    static Task WriteAsync(HttpContext context, string contentType, byte[] body)
    {
        context.Response.ContentType = contentType;
        context.Response.Headers.CacheControl = CacheControl;
        return context.Response.Body.WriteAsync(body, context.RequestAborted).AsTask();
    }

    /// <summary>
    /// kube: <c>https://&lt;external address&gt;/openid/v1/jwks</c>, the external address being the advertised
    /// host and the secure port. Here: the bind address (127.0.0.1 for a wildcard) and the port the server
    /// listens on; an in-process host without addresses uses the request's host.
    /// </summary>
    static string DefaultJwksUri(HttpContext context, ServerOptions options)
    {
        var address = context.RequestServices.GetService<IServer>()?.Features.Get<IServerAddressesFeature>()?.Addresses.FirstOrDefault();
        if (address is null || !Uri.TryCreate(address.Replace("[::]", "localhost").Replace("0.0.0.0", "localhost"), UriKind.Absolute, out var listening))
            return $"https://{context.Request.Host}{OpenIdMetadata.JwksPath}";
        var host = options.BindAddress.Equals(IPAddress.Any) || options.BindAddress.Equals(IPAddress.IPv6Any) ? "127.0.0.1"
            : options.BindAddress.AddressFamily == System.Net.Sockets.AddressFamily.InterNetworkV6 ? $"[{options.BindAddress}]"
            : options.BindAddress.ToString();
        return $"https://{host}:{listening.Port}{OpenIdMetadata.JwksPath}";
    }
}
