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
    /// <summary>Call from <c>ListenOptions.UseHttps(options => …)</c> / <c>ConfigureHttpsDefaults</c>.</summary>
    public static void Configure(HttpsConnectionAdapterOptions options)
    {
        options.ClientCertificateMode = ClientCertificateMode.AllowCertificate;
        options.ClientCertificateValidation = static (_, _, _) => true;
        options.CheckCertificateRevocation = false;
        var previousOnAuthenticate = options.OnAuthenticate;
        options.OnAuthenticate = (connection, ssl) =>
        {
            previousOnAuthenticate?.Invoke(connection, ssl);
            // Kestrel's own callback (client-certificate mode and the validation above) stays in charge of the
            // answer; this wrapper only records the chain the peer sent, which Kestrel does not keep.
            var kestrelCallback = ssl.RemoteCertificateValidationCallback;
            ssl.RemoteCertificateValidationCallback = (sender, certificate, chain, errors) =>
            {
                if (certificate is not null && chain is not null)
                {
                    connection.Features.Set<IPeerCertificateChainFeature>(PeerCertificateChainFeature.FromHandshake(certificate, chain));
                }
                return kestrelCallback is null || kestrelCallback(sender, certificate, chain, errors);
            };
        };
    }
}
