using Microsoft.AspNetCore.Connections;
using Microsoft.AspNetCore.Server.Kestrel.Https;

namespace MiniApiServer.Authentication.X509;

/// <summary>
/// Kestrel's side of kube-apiserver's client-certificate handling: the server asks for a certificate but
/// never fails the handshake over it (Go <c>tls.RequestClientCert</c>); verification happens per request
/// in <see cref="X509ClientCertificateAuthenticator"/>, so a bad certificate still lets a bearer token or
/// anonymous access be tried, as in kube.
/// </summary>
public static class ClientCertificateTls
{
    /// <summary>
    /// The connection whose handshake is running. Kestrel gives its validation callback no connection, so
    /// <see cref="HttpsConnectionAdapterOptions.OnAuthenticate"/> (which has it) records it here; the value
    /// flows into the handshake's async calls and ends with them.
    /// </summary>
    private static readonly AsyncLocal<ConnectionContext?> Handshaking = new();

    /// <summary>Call from <c>ListenOptions.UseHttps(options => …)</c> / <c>ConfigureHttpsDefaults</c>.</summary>
    public static void Configure(HttpsConnectionAdapterOptions options)
    {
        options.ClientCertificateMode = ClientCertificateMode.AllowCertificate;
        options.CheckCertificateRevocation = false;
        var previousOnAuthenticate = options.OnAuthenticate;
        options.OnAuthenticate = (connection, ssl) =>
        {
            previousOnAuthenticate?.Invoke(connection, ssl);
            Handshaking.Value = connection;
        };
        // Accept every certificate; record what the peer sent after its leaf, which Kestrel does not keep.
        options.ClientCertificateValidation = static (certificate, chain, _) =>
        {
            if (chain is not null && Handshaking.Value is { } connection)
            {
                connection.Features.Set<IPeerCertificateChainFeature>(PeerCertificateChainFeature.FromHandshake(certificate, chain));
            }
            return true;
        };
    }
}
