using System.Net.Http.Headers;
using System.Net.Sockets;
using System.Security.Authentication;
using System.Text;
using MiniApiServer.Runtime.Commands.Kubectl;
using MiniApiServer.Runtime.Network;
using MiniApiServer.Runtime.Shell;

namespace MiniApiServer.Runtime.Commands.Curl;

/// <summary>
/// curl over the pod network: -s, -S, -k, --cacert, -H, -X, -d/--data/--data-raw/--data-binary (@file reads a
/// file), -i, -f, -o (/dev/null or -), -w '%{http_code}', -L; curl's exit codes and "curl: (N) …" messages
/// (shown unless -s, or with -S). The progress meter curl draws on stderr is not drawn.
/// </summary>
public static class CurlProgram
{
    sealed class Options
    {
        public bool Silent, ShowError, Insecure, Include, Fail;
        public string? CaCert, Method, Data, Output, WriteOut, Url;
        public List<string> Headers { get; } = [];
    }

    public static async Task<int> RunAsync(ProcessContext p)
    {
        Options o;
        try { o = Parse(p.Args); }
        catch (ArgumentException e)
        {
            await p.ErrAsync($"curl: {e.Message}\ncurl: try 'curl --help' or 'curl --manual' for more information\n");
            return 2;
        }
        async Task<int> Fail(int code, string message)
        {
            if (!o.Silent || o.ShowError) await p.ErrAsync($"curl: ({code}) {message}\n");
            return code;
        }
        if (o.Url is null) return await Fail(2, "no URL specified");
        var url = o.Url.Contains("://", StringComparison.Ordinal) ? o.Url : "http://" + o.Url;
        if (!Uri.TryCreate(url, UriKind.Absolute, out var uri) || uri.Scheme is not ("http" or "https"))
            return await Fail(uri is null ? 3 : 1, uri is null ? "URL rejected: Malformed input to a URL function" : $"Protocol \"{uri.Scheme}\" not supported");

        var roots = (System.Security.Cryptography.X509Certificates.X509Certificate2Collection?)null;
        if (o.CaCert is { } caPath)
        {
            if (p.ReadFile(caPath, out _) is not { } pem || InClusterConfig.ParsePem(pem) is not { } parsed)
                return await Fail(77, $"error setting certificate file: {caPath}");
            roots = parsed;
        }
        byte[]? body = null;
        if (o.Data is { } data)
        {
            if (data.StartsWith('@'))
            {
                if (p.ReadFile(data[1..], out _) is not { } file)
                {
                    await p.ErrAsync($"Warning: Couldn't read data from file \"{data[1..]}\", this makes an empty POST.\n");
                    file = [];
                }
                body = file;
            }
            else body = Encoding.UTF8.GetBytes(data);
        }

        using var client = new HttpClient(p.Container.Network.CreateHandler(new PodTls(roots, o.Insecure))) { Timeout = Timeout.InfiniteTimeSpan };
        using var request = new HttpRequestMessage(new HttpMethod(o.Method ?? (body is null ? "GET" : "POST")), uri);
        request.Headers.TryAddWithoutValidation("User-Agent", "curl/8.11.1");
        request.Headers.TryAddWithoutValidation("Accept", "*/*");
        if (body is not null)
        {
            request.Content = new ByteArrayContent(body);
            request.Content.Headers.ContentType = new MediaTypeHeaderValue("application/x-www-form-urlencoded");
        }
        foreach (var header in o.Headers)
        {
            var colon = header.IndexOf(':');
            if (colon <= 0) continue;
            var (name, value) = (header[..colon].Trim(), header[(colon + 1)..].Trim());
            if (name.Equals("User-Agent", StringComparison.OrdinalIgnoreCase) || name.Equals("Accept", StringComparison.OrdinalIgnoreCase)) request.Headers.Remove(name);
            if (!request.Headers.TryAddWithoutValidation(name, value))
            {
                request.Content ??= new ByteArrayContent([]);
                request.Content.Headers.Remove(name);
                request.Content.Headers.TryAddWithoutValidation(name, value);
            }
        }

        HttpResponseMessage response;
        try { response = await client.SendAsync(request, HttpCompletionOption.ResponseHeadersRead, p.Cancel); }
        catch (HttpRequestException e)
        {
            if (e.HttpRequestError == HttpRequestError.NameResolutionError || e.InnerException is SocketException { SocketErrorCode: SocketError.HostNotFound })
                return await Fail(6, $"Could not resolve host: {uri.Host}");
            if (e.HttpRequestError == HttpRequestError.SecureConnectionError || e.InnerException is AuthenticationException)
                return await Fail(60, "SSL certificate problem: unable to get local issuer certificate");
            if (e.HttpRequestError == HttpRequestError.ConnectionError)
                return await Fail(7, $"Failed to connect to {uri.Host} port {uri.Port} after 0 ms: Couldn't connect to server");
            return await Fail(56, "Failure when receiving data from the peer");
        }
        using (response)
        {
            var code = (int)response.StatusCode;
            if (o.Fail && code >= 400) return await Fail(22, $"The requested URL returned error: {code}");
            var output = o.Output is null or "-" ? p.Stdout : Stream.Null;
            if (o.Output is not (null or "-" or "/dev/null")) return await Fail(23, $"Failure writing output to destination, passed 0 returned 4294967295");
            if (o.Include)
            {
                var head = new StringBuilder($"HTTP/{response.Version.Major}.{response.Version.Minor} {code} {response.ReasonPhrase}\r\n");
                foreach (var (name, values) in response.Headers.Concat(response.Content.Headers)) head.Append($"{name.ToLowerInvariant()}: {string.Join(", ", values)}\r\n");
                head.Append("\r\n");
                await output.WriteAsync(Encoding.UTF8.GetBytes(head.ToString()), p.Cancel);
            }
            await using (var stream = await response.Content.ReadAsStreamAsync(p.Cancel))
                await stream.CopyToAsync(output, p.Cancel);
            if (o.WriteOut is { } w)
                await p.OutAsync(w.Replace("%{http_code}", code.ToString("D3", System.Globalization.CultureInfo.InvariantCulture)).Replace("\\n", "\n"));
            await p.Stdout.FlushAsync(p.Cancel);
            return 0;
        }
    }

    static Options Parse(IReadOnlyList<string> args)
    {
        var o = new Options();
        for (var i = 0; i < args.Count; i++)
        {
            var a = args[i];
            string Next() => i + 1 < args.Count ? args[++i] : throw new ArgumentException($"option {a}: requires parameter");
            switch (a)
            {
                case "--silent": o.Silent = true; continue;
                case "--show-error": o.ShowError = true; continue;
                case "--insecure": o.Insecure = true; continue;
                case "--include": o.Include = true; continue;
                case "--fail": o.Fail = true; continue;
                case "--location": continue;
                case "--cacert": o.CaCert = Next(); continue;
                case "--header": o.Headers.Add(Next()); continue;
                case "--request": o.Method = Next(); continue;
                case "--data" or "--data-raw" or "--data-binary" or "--data-ascii": o.Data = Next(); continue;
                case "--output": o.Output = Next(); continue;
                case "--write-out": o.WriteOut = Next(); continue;
                case "--url": o.Url = Next(); continue;
            }
            if (a.StartsWith("--", StringComparison.Ordinal)) throw new ArgumentException($"option {a}: is unknown");
            if (a.Length > 1 && a[0] == '-')
            {
                // Bundled short options: -sS, -fsSL, -sk; one that takes a value takes the rest or the next argument.
                for (var j = 1; j < a.Length; j++)
                {
                    var flag = a[j];
                    string Value() => j + 1 < a.Length ? a[(j + 1)..] : Next();
                    switch (flag)
                    {
                        case 's': o.Silent = true; break;
                        case 'S': o.ShowError = true; break;
                        case 'k': o.Insecure = true; break;
                        case 'i': o.Include = true; break;
                        case 'f': o.Fail = true; break;
                        case 'L': break;
                        case 'H': o.Headers.Add(Value()); j = a.Length; break;
                        case 'X': o.Method = Value(); j = a.Length; break;
                        case 'd': o.Data = Value(); j = a.Length; break;
                        case 'o': o.Output = Value(); j = a.Length; break;
                        case 'w': o.WriteOut = Value(); j = a.Length; break;
                        default: throw new ArgumentException($"option -{flag}: is unknown");
                    }
                }
                continue;
            }
            o.Url ??= a;
        }
        return o;
    }
}
