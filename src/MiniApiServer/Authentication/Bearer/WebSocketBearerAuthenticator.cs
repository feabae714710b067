using System.Buffers.Text;
using System.Text.RegularExpressions;
using System.Text.Unicode;
using Microsoft.AspNetCore.Http;

namespace MiniApiServer.Authentication.Bearer;

/// <summary>
/// k8s.io/apiserver request/websocket ProtocolAuthenticator: browsers cannot set an Authorization header on a
/// WebSocket, so a client may offer the subprotocol <c>base64url.bearer.authorization.k8s.io.&lt;base64url(token)&gt;</c>
/// (unpadded) next to the real one. Only a WebSocket upgrade is looked at. On success that entry is removed from
/// <c>Sec-WebSocket-Protocol</c>, so the server never echoes the token back and only real subprotocols remain.
/// </summary>
public sealed partial class WebSocketBearerAuthenticator(ITokenAuthenticator tokens) : IRequestAuthenticator
{
    public const string AuthenticatorName = "websocket-bearer-token";
    public const string ProtocolPrefix = "base64url.bearer.authorization.k8s.io.";
    public const string ProtocolHeader = "Sec-WebSocket-Protocol";

    public string Name => AuthenticatorName;

    public async ValueTask<AuthenticationResult> AuthenticateAsync(HttpContext context, CancellationToken cancellationToken)
    {
        var request = context.Request;
        if (!IsWebSocketRequest(request.Headers))
        {
            return AuthenticationResult.NotMine(Name);
        }
        var offer = ParseProtocols(request.Headers[ProtocolHeader]);
        if (offer.Error is { } error)
        {
            return AuthenticationResult.Failure(Name, error);
        }
        if (offer.Token is not { Length: > 0 } token)
        {
            return AuthenticationResult.NotMine(Name);
        }
        AuthenticationResult result;
        using (var warnings = TokenWarnings.Record())
        {
            result = await tokens.AuthenticateTokenAsync(token, cancellationToken);
            Api.Http.Negotiation.AddWarnings(context.Response, warnings.Warnings);
        }
        if (!result.Succeeded)
        {
            return AuthenticationResult.Failure(Name, result.Error ?? BearerTokenAuthenticator.InvalidToken);
        }
        // RFC 6455 §11.3.4: several Sec-WebSocket-Protocol lines are one comma list; kube writes back one line.
        request.Headers[ProtocolHeader] = string.Join(",", offer.OtherProtocols);
        return result;
    }

    /// <summary>The offered subprotocols split into the bearer token and the others, or kube's error.</summary>
    public sealed record ProtocolOffer(string? Token, IReadOnlyList<string> OtherProtocols, string? Error);

    /// <summary>
    /// kube's reading of every <c>Sec-WebSocket-Protocol</c> value: split on ",", trim; one token entry at most;
    /// unpadded base64url decoding to valid UTF-8; a token needs at least one other subprotocol to echo back.
    /// An empty token (the bare prefix) is no token.
    /// </summary>
    public static ProtocolOffer ParseProtocols(IEnumerable<string?> headerValues)
    {
        string token = "";
        var sawToken = false;
        var others = new List<string>();
        foreach (var value in headerValues)
        {
            foreach (var entry in (value ?? "").Split(','))
            {
                var protocol = entry.Trim();
                if (!protocol.StartsWith(ProtocolPrefix, StringComparison.Ordinal))
                {
                    others.Add(protocol);
                    continue;
                }
                if (sawToken)
                {
                    return new ProtocolOffer(null, others, "multiple base64.bearer.authorization tokens specified");
                }
                sawToken = true;
                if (DecodeRawBase64Url(protocol[ProtocolPrefix.Length..]) is not { } bytes)
                {
                    return new ProtocolOffer(null, others, "invalid base64.bearer.authorization token encoding");
                }
                if (!Utf8.IsValid(bytes))
                {
                    return new ProtocolOffer(null, others, "invalid base64.bearer.authorization token");
                }
                token = System.Text.Encoding.UTF8.GetString(bytes);
            }
        }
        if (token.Length > 0 && others.Count == 0)
        {
            return new ProtocolOffer(null, others, "missing additional subprotocol");
        }
        return new ProtocolOffer(token, others, null);
    }

    /// <summary>
    /// Go's base64.RawURLEncoding.DecodeString: the URL alphabet without padding ("=" is an error); "\r" and "\n"
    /// are skipped; a length that leaves one lone character (4n+1) is an error. Null when invalid.
    /// </summary>
    internal static byte[]? DecodeRawBase64Url(string encoded)
    {
        var text = encoded.Contains('\r') || encoded.Contains('\n') ? encoded.Replace("\r", "").Replace("\n", "") : encoded;
        foreach (var c in text)
        {
            if (!(char.IsAsciiLetterOrDigit(c) || c is '-' or '_'))
            {
                return null;
            }
        }
        if (text.Length % 4 == 1)
        {
            return null;
        }
        var bytes = new byte[Base64Url.GetMaxDecodedLength(text.Length)];
        return Base64Url.TryDecodeFromChars(text, bytes, out var written) ? bytes[..written] : null;
    }

    /// <summary>
    /// apimachinery wsstream.IsWebSocketRequest: <c>Upgrade</c> (first value) is "websocket" in any case, and the
    /// lower-cased first <c>Connection</c> value matches <c>(^|.*,\s*)upgrade($|\s*,)</c>.
    /// </summary>
    public static bool IsWebSocketRequest(IHeaderDictionary headers)
    {
        var upgrade = headers.Upgrade;
        if (upgrade.Count == 0 || !string.Equals(upgrade[0], "websocket", StringComparison.OrdinalIgnoreCase))
        {
            return false;
        }
        var connection = headers.Connection;
        return connection.Count > 0 && ConnectionUpgrade().IsMatch((connection[0] ?? "").ToLowerInvariant());
    }

    // Go's \s is [\t\n\f\r ]; its $ (without the m flag) is the end of the text, which is .NET's \z.
    [GeneratedRegex(@"(^|.*,[\t\n\f\r ]*)upgrade(\z|[\t\n\f\r ]*,)", RegexOptions.CultureInvariant)]
    private static partial Regex ConnectionUpgrade();
}
