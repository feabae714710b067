using System.Globalization;
using System.Net;
using System.Net.Security;
using System.Net.Sockets;
using System.Security.Cryptography.X509Certificates;
using System.Text;

namespace MiniApiServer.Demo.AuthProxy;

/// <summary>
/// The proxy's HTTP/1.1 client to the API server, over TLS with the front-proxy client certificate.
/// <para>
/// Why not HttpClient: kube-apiserver takes each <c>X-Remote-Group</c> header <em>line</em> as one group and
/// never splits a value on commas, so an authenticating proxy must send one line per group (client-go's
/// <c>SetAuthProxyHeaders</c> does). SocketsHttpHandler joins the values of a repeated request header into one
/// comma-separated line on HTTP/1.1 and HTTP/2 alike (dotnet/runtime#63808), which would turn groups
/// <c>developers</c> and <c>ops</c> into the single group <c>"developers, ops"</c>. This handler writes every
/// value on its own line. It opens one connection per request (<c>Connection: close</c>), and hands YARP the
/// response body as it arrives (chunked, length-framed, until close, or the raw stream after a 101 upgrade).
/// </para>
/// </summary>
internal sealed class Http1UpstreamHandler(X509Certificate2 clientCertificate, X509Certificate2Collection trustedRoots) : HttpMessageHandler
{
    /// <summary>Hop-by-hop headers (RFC 9110 §7.6.1) that this handler frames itself.</summary>
    private static readonly HashSet<string> FramingHeaders = new(StringComparer.OrdinalIgnoreCase)
    {
        "Host", "Connection", "Keep-Alive", "Transfer-Encoding", "Content-Length", "Proxy-Connection", "TE", "Trailer",
    };

    private readonly SslStreamCertificateContext _clientContext = SslStreamCertificateContext.Create(clientCertificate, additionalCertificates: null, offline: true);

    protected override async Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
    {
        var uri = request.RequestUri ?? throw new InvalidOperationException("the forwarded request has no URI");
        var tcp = new TcpClient { NoDelay = true };
        UpstreamConnection? connection = null;
        try
        {
            await tcp.ConnectAsync(uri.IdnHost, uri.Port, cancellationToken);
            var tls = new SslStream(tcp.GetStream(), leaveInnerStreamOpen: false);
            connection = new UpstreamConnection(tls, tcp);
            await tls.AuthenticateAsClientAsync(TlsOptions(uri), cancellationToken);

            var upgrade = request.Headers.Contains("Upgrade");
            await WriteHeadAsync(connection, request, uri, upgrade, cancellationToken);
            await WriteBodyAsync(connection, request.Content, cancellationToken);
            await connection.FlushAsync(cancellationToken);
            return await ReadResponseAsync(connection, request, cancellationToken);
        }
        catch
        {
            if (connection is not null) await connection.DisposeAsync();
            else tcp.Dispose();
            throw;
        }
    }

    private SslClientAuthenticationOptions TlsOptions(Uri uri)
    {
        var policy = new X509ChainPolicy
        {
            TrustMode = X509ChainTrustMode.CustomRootTrust,
            RevocationMode = X509RevocationMode.NoCheck,
            DisableCertificateDownloads = true,
        };
        policy.CustomTrustStore.AddRange(trustedRoots);
        return new SslClientAuthenticationOptions
        {
            TargetHost = uri.IdnHost,
            ApplicationProtocols = [SslApplicationProtocol.Http11],
            // Presented whatever CA names the server lists: kube-apiserver asks for any client certificate.
            ClientCertificateContext = _clientContext,
            CertificateChainPolicy = policy,
        };
    }

    private static async Task WriteHeadAsync(Stream connection, HttpRequestMessage request, Uri uri, bool upgrade, CancellationToken cancellationToken)
    {
        var head = new StringBuilder();
        head.Append(request.Method.Method).Append(' ').Append(uri.PathAndQuery).Append(" HTTP/1.1\r\n");
        head.Append("Host: ").Append(request.Headers.Host ?? uri.Authority).Append("\r\n");
        foreach (var header in request.Headers.NonValidated)
        {
            if (FramingHeaders.Contains(header.Key)) continue;
            foreach (var value in header.Value) AppendLine(head, header.Key, value);
        }
        if (request.Content is { } content)
        {
            foreach (var header in content.Headers.NonValidated)
            {
                if (FramingHeaders.Contains(header.Key)) continue;
                foreach (var value in header.Value) AppendLine(head, header.Key, value);
            }
            if (content.Headers.ContentLength is { } length) head.Append("Content-Length: ").Append(length.ToString(CultureInfo.InvariantCulture)).Append("\r\n");
            else head.Append("Transfer-Encoding: chunked\r\n");
        }
        head.Append(upgrade ? "Connection: Upgrade\r\n" : "Connection: close\r\n");
        head.Append("\r\n");
        await connection.WriteAsync(Encoding.UTF8.GetBytes(head.ToString()), cancellationToken);
    }

    private static void AppendLine(StringBuilder head, string name, string value)
    {
        if (value.AsSpan().IndexOfAny('\r', '\n') >= 0)
            throw new HttpRequestException($"header {name} holds a line break");
        head.Append(name).Append(": ").Append(value).Append("\r\n");
    }

    private static async Task WriteBodyAsync(Stream connection, HttpContent? content, CancellationToken cancellationToken)
    {
        if (content is null) return;
        if (content.Headers.ContentLength is not null)
        {
            await content.CopyToAsync(connection, cancellationToken);
            return;
        }
        var chunked = new ChunkedWriteStream(connection);
        await content.CopyToAsync(chunked, cancellationToken);
        await chunked.FinishAsync(cancellationToken);
    }

    private static async Task<HttpResponseMessage> ReadResponseAsync(UpstreamConnection connection, HttpRequestMessage request, CancellationToken cancellationToken)
    {
        while (true)
        {
            var statusLine = await connection.ReadLineAsync(cancellationToken) ?? throw new HttpRequestException("upstream closed the connection before answering");
            var parts = statusLine.Split(' ', 3);
            if (parts.Length < 2 || !parts[0].StartsWith("HTTP/1.", StringComparison.Ordinal) || !int.TryParse(parts[1], CultureInfo.InvariantCulture, out var code))
                throw new HttpRequestException($"upstream sent a bad status line \"{statusLine}\"");
            var headers = new List<(string Name, string Value)>();
            while (await connection.ReadLineAsync(cancellationToken) is { Length: > 0 } line)
            {
                var colon = line.IndexOf(':');
                if (colon <= 0) throw new HttpRequestException($"upstream sent a bad header line \"{line}\"");
                headers.Add((line[..colon].Trim(), line[(colon + 1)..].Trim()));
            }
            // Interim answers (100 Continue, 103 Early Hints) precede the real one; 101 is final.
            if (code is >= 100 and < 200 && code != 101) continue;

            var response = new HttpResponseMessage((HttpStatusCode)code)
            {
                Version = HttpVersion.Version11,
                ReasonPhrase = parts.Length > 2 ? parts[2] : null,
                RequestMessage = request,
                Content = BodyOf(connection, request, code, headers),
            };
            foreach (var (name, value) in headers)
            {
                if (name.Equals("Transfer-Encoding", StringComparison.OrdinalIgnoreCase) || name.Equals("Keep-Alive", StringComparison.OrdinalIgnoreCase)) continue;
                if (!response.Headers.TryAddWithoutValidation(name, value)) response.Content.Headers.TryAddWithoutValidation(name, value);
            }
            return response;
        }
    }

    /// <summary>RFC 9112 §6.3: how the message body's length is determined.</summary>
    private static HttpContent BodyOf(UpstreamConnection connection, HttpRequestMessage request, int code, List<(string Name, string Value)> headers)
    {
        string? Header(string name) => headers.LastOrDefault(h => h.Name.Equals(name, StringComparison.OrdinalIgnoreCase)).Value;
        if (code == 101) return new RawStreamContent(connection);
        if (request.Method == HttpMethod.Head || code is 204 or 304)
        {
            connection.Dispose();
            return new ByteArrayContent([]);
        }
        if (Header("Transfer-Encoding") is { } te && te.Contains("chunked", StringComparison.OrdinalIgnoreCase))
            return new RawStreamContent(new ChunkedReadStream(connection));
        if (Header("Content-Length") is { } cl && long.TryParse(cl, CultureInfo.InvariantCulture, out var length))
            return new RawStreamContent(new ContentLengthReadStream(connection, length));
        return new RawStreamContent(new UntilCloseReadStream(connection));
    }
}
