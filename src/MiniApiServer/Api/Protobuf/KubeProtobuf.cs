using System.Text.Json.Nodes;
using MiniApiServer.Api.Errors;
using MiniApiServer.Api.Protobuf.Tables;

namespace MiniApiServer.Api.Protobuf;

/// <summary>
/// Decodes the Kubernetes protobuf request bodies that kubectl's typed clients send
/// (<c>create namespace|secret|serviceaccount|configmap|role|…</c>, <c>create token</c>, <c>auth …</c>,
/// <c>certificate approve|deny</c>) into the JSON kube-apiserver would produce for the same object,
/// so the rest of the server handles one representation.
/// </summary>
public static class KubeProtobuf
{
    public const string MediaType = "application/vnd.kubernetes.protobuf";

    /// <summary>apimachinery's protobuf serializer prefixes every message with "k8s\0".</summary>
    static ReadOnlySpan<byte> Magic => "k8s\0"u8;

    /// <summary>The apiVersion/kind pairs <see cref="Decode"/> has a table for.</summary>
    public static IEnumerable<(string ApiVersion, string Kind)> SupportedKinds => KindTables.Kinds;

    /// <summary>True for <c>application/vnd.kubernetes.protobuf</c>, with or without parameters.</summary>
    public static bool IsProtobuf(string? contentType)
    {
        if (string.IsNullOrWhiteSpace(contentType)) return false;
        var semicolon = contentType.IndexOf(';');
        var mediaType = (semicolon < 0 ? contentType : contentType[..semicolon]).Trim();
        return mediaType.Equals(MediaType, StringComparison.OrdinalIgnoreCase);
    }

    /// <summary>
    /// Decodes a whole request body: "k8s\0" then a runtime.Unknown {1 typeMeta{1 apiVersion, 2 kind},
    /// 2 raw, 3 contentEncoding, 4 contentType}, where raw is the object's own message. The result has
    /// <c>apiVersion</c> and <c>kind</c> from the envelope, then the object's fields; the caller checks
    /// that they name the resource of the request.
    /// </summary>
    /// <exception cref="ApiException">400 BadRequest for a bad envelope, a kind without a table or a
    /// malformed object — the code kube-apiserver's handlers give every body decoding error.</exception>
    public static JsonObject Decode(ReadOnlySpan<byte> body)
    {
        if (!body.StartsWith(Magic))
            throw StatusErrors.BadRequest("provided data does not appear to be a protobuf message, expected prefix [107 56 115 0]");

        var envelope = DecodeEnvelope(body[Magic.Length..].ToArray());
        var apiVersion = (string?)envelope["typeMeta"]?["apiVersion"] ?? "";
        var kind = (string?)envelope["typeMeta"]?["kind"] ?? "";
        if (kind.Length == 0)
            throw StatusErrors.BadRequest("Object 'Kind' is missing in the protobuf envelope");
        if (apiVersion.Length == 0)
            throw StatusErrors.BadRequest($"Object 'apiVersion' is missing in the protobuf envelope of kind \"{kind}\"");
        if (!KindTables.TryGet(apiVersion, kind, out var table))
            throw StatusErrors.BadRequest($"no kind \"{kind}\" is registered for version \"{apiVersion}\"");

        // gogo always writes an object's metadata, so a real body never has an empty raw. Kube would
        // decode a missing raw as an empty object; refusing it keeps a body cut short after its
        // typeMeta from being taken for an object whose fields were all left unset.
        var raw = (string?)envelope["raw"] ?? "";
        if (raw.Length == 0)
            throw StatusErrors.BadRequest($"{kind} in version \"{Version(apiVersion)}\" cannot be handled as a {kind}: the protobuf envelope carries no object");

        JsonObject fields;
        try
        {
            fields = ProtoDecoder.DecodeMessage(Convert.FromBase64String(raw), table, "");
        }
        catch (ProtoFormatException e)
        {
            // kube's transformDecodeError wording: `Secret in version "v1" cannot be handled as a Secret: …`.
            throw StatusErrors.BadRequest($"{kind} in version \"{Version(apiVersion)}\" cannot be handled as a {kind}: {e.Message}");
        }

        var result = new JsonObject { ["apiVersion"] = apiVersion, ["kind"] = kind };
        foreach (var (name, value) in fields.ToList())
        {
            fields.Remove(name);
            result[name] = value;
        }
        return result;
    }

    /// <summary>"v1" from "rbac.authorization.k8s.io/v1", as kube's messages print gvk.Version.</summary>
    static string Version(string apiVersion) => apiVersion[(apiVersion.LastIndexOf('/') + 1)..];

    /// <summary>
    /// runtime.Unknown read with the same decoder. Kube's protobuf serializer ignores contentEncoding and
    /// contentType (kubectl sends both empty), so they are not read.
    /// </summary>
    static readonly ProtoMessage Unknown = new("Unknown",
        ProtoField.Message(1, "typeMeta", new ProtoMessage("TypeMeta",
            ProtoField.String(1, "apiVersion"),
            ProtoField.String(2, "kind"))),
        ProtoField.Bytes(2, "raw"));

    static JsonObject DecodeEnvelope(byte[] envelope)
    {
        try
        {
            return ProtoDecoder.DecodeMessage(envelope, Unknown, "");
        }
        catch (ProtoFormatException e)
        {
            throw StatusErrors.BadRequest($"invalid protobuf envelope: {e.Message}");
        }
    }
}
