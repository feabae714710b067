using Google.Protobuf;

namespace MiniApiServer.Tests.Protobuf;

/// <summary>
/// Builds protobuf messages field by field for the tests, the way gogo-proto lays them out,
/// so each test states exactly which bytes kubectl would send.
/// </summary>
internal sealed class ProtoBody
{
    readonly MemoryStream buffer = new();
    readonly CodedOutputStream output;

    public ProtoBody() => output = new CodedOutputStream(buffer, leaveOpen: true);

    public ProtoBody String(int field, string value)
    {
        output.WriteTag(field, WireFormat.WireType.LengthDelimited);
        output.WriteString(value);
        return this;
    }

    public ProtoBody Bytes(int field, byte[] value)
    {
        output.WriteTag(field, WireFormat.WireType.LengthDelimited);
        output.WriteBytes(ByteString.CopyFrom(value));
        return this;
    }

    public ProtoBody Varint(int field, long value)
    {
        output.WriteTag(field, WireFormat.WireType.Varint);
        output.WriteInt64(value);
        return this;
    }

    public ProtoBody Fixed32(int field, uint value)
    {
        output.WriteTag(field, WireFormat.WireType.Fixed32);
        output.WriteFixed32(value);
        return this;
    }

    public ProtoBody Message(int field, ProtoBody message) => Bytes(field, message.ToArray());

    /// <summary>A map entry {1 key, 2 value} with a string value.</summary>
    public ProtoBody Entry(int field, string key, string value) => Message(field, new ProtoBody().String(1, key).String(2, value));

    /// <summary>A map entry {1 key, 2 value} with a bytes value.</summary>
    public ProtoBody Entry(int field, string key, byte[] value) => Message(field, new ProtoBody().String(1, key).Bytes(2, value));

    public byte[] ToArray()
    {
        output.Flush();
        return buffer.ToArray();
    }

    /// <summary>The metadata gogo writes for an object built in kubectl: every non-pointer field, empty.</summary>
    public static ProtoBody EmptyObjectMeta(string name = "") => new ProtoBody()
        .String(1, name).String(2, "").String(3, "").String(4, "").String(5, "").String(6, "")
        .Varint(7, 0).Message(8, new ProtoBody());

    /// <summary>A whole request body: "k8s\0" + runtime.Unknown{typeMeta, raw, contentEncoding, contentType}.</summary>
    public static byte[] Envelope(string apiVersion, string kind, ProtoBody obj) => Envelope(apiVersion, kind, obj.ToArray());

    public static byte[] Envelope(string apiVersion, string kind, byte[] raw)
    {
        var unknown = new ProtoBody()
            .Message(1, new ProtoBody().String(1, apiVersion).String(2, kind))
            .Bytes(2, raw)
            .String(3, "")
            .String(4, "");
        return [.. "k8s\0"u8, .. unknown.ToArray()];
    }
}
