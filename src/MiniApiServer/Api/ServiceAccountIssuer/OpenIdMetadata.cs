using System.Buffers.Text;
using System.Security.Cryptography;
using System.Text.Encodings.Web;
using System.Text.Json;
using MiniApiServer.Authentication.ServiceAccounts;

namespace MiniApiServer.Api.ServiceAccountIssuer;

/// <summary>
/// The two documents of service-account issuer discovery (kube's pkg/serviceaccount/openidmetadata.go), rendered
/// as kube renders them: the OIDC provider configuration of the first <c>--service-account-issuer</c> and the JWKS
/// of every <c>--service-account-key-file</c> key, each key a go-jose JSONWebKey in its field order
/// (use, kty, kid, crv, alg, x, y, n, e).
/// </summary>
public static class OpenIdMetadata
{
    public const string ConfigPath = "/.well-known/openid-configuration";
    public const string JwksPath = "/openid/v1/jwks";

    static readonly JsonWriterOptions Writer = new() { Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping };

    /// <summary>
    /// Why discovery cannot be served for this issuer (NewOpenIDMetadataProvider: an https URL without query or
    /// fragment), or null when it can.
    /// </summary>
    public static string? IssuerProblem(string issuer)
    {
        if (!Uri.TryCreate(issuer, UriKind.Absolute, out var uri)) return $"issuer URL must use https scheme, got: {issuer}";
        if (uri.Scheme != Uri.UriSchemeHttps) return $"issuer URL must use https scheme, got: {issuer}";
        if (uri.Query.Length > 0) return $"issuer URL may not include a query, got: {issuer}";
        if (uri.Fragment.Length > 0) return $"issuer URL may not include a fragment, got: {issuer}";
        return null;
    }

    /// <summary>openIDConfigJSON: issuer, jwks_uri, the three *_supported lists (algorithms sorted, de-duplicated).</summary>
    public static byte[] ConfigJson(string issuer, string jwksUri, IReadOnlyList<ServiceAccountKey> keys) => Json(w =>
    {
        w.WriteStartObject();
        w.WriteString("issuer", issuer);
        w.WriteString("jwks_uri", jwksUri);
        WriteStrings(w, "response_types_supported", ["id_token"]);
        WriteStrings(w, "subject_types_supported", ["public"]);
        WriteStrings(w, "id_token_signing_alg_values_supported", keys.Select(k => k.Algorithm).Distinct().Order(StringComparer.Ordinal));
        w.WriteEndObject();
    });

    /// <summary>openIDKeysetJSON: {"keys":[…]} with the public half of every key.</summary>
    public static byte[] KeysetJson(IReadOnlyList<ServiceAccountKey> keys) => Json(w =>
    {
        w.WriteStartObject();
        w.WriteStartArray("keys");
        foreach (var key in keys)
        {
            w.WriteStartObject();
            w.WriteString("use", "sig");
            switch (key.Key)
            {
                case RSA rsa:
                    var p = rsa.ExportParameters(false);
                    w.WriteString("kty", "RSA");
                    w.WriteString("kid", key.KeyId);
                    w.WriteString("alg", key.Algorithm);
                    w.WriteString("n", Base64Url.EncodeToString(TrimLeadingZeros(p.Modulus!)));
                    w.WriteString("e", Base64Url.EncodeToString(TrimLeadingZeros(p.Exponent!)));
                    break;
                case ECDsa ec:
                    var q = ec.ExportParameters(false);
                    w.WriteString("kty", "EC");
                    w.WriteString("kid", key.KeyId);
                    w.WriteString("crv", ec.KeySize switch { 256 => "P-256", 384 => "P-384", _ => "P-521" });
                    w.WriteString("alg", key.Algorithm);
                    w.WriteString("x", Base64Url.EncodeToString(q.Q.X!));
                    w.WriteString("y", Base64Url.EncodeToString(q.Q.Y!));
                    break;
            }
            w.WriteEndObject();
        }
        w.WriteEndArray();
        w.WriteEndObject();
    });

    /// <summary>go-jose writes RSA n and e as the big-endian bytes of the integer, without leading zeros.</summary>
    static byte[] TrimLeadingZeros(byte[] value)
    {
        var start = 0;
        while (start < value.Length - 1 && value[start] == 0) start++;
        return value[start..];
    }

    static void WriteStrings(Utf8JsonWriter w, string name, IEnumerable<string> values)
    {
        w.WriteStartArray(name);
        foreach (var v in values) w.WriteStringValue(v);
        w.WriteEndArray();
    }

    static byte[] Json(Action<Utf8JsonWriter> write)
    {
        using var buffer = new MemoryStream();
        using (var w = new Utf8JsonWriter(buffer, Writer)) write(w);
        return buffer.ToArray();
    }
}
