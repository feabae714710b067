using System.Globalization;
using System.Runtime.InteropServices;
using System.Text;
using System.Text.Json.Nodes;
using Google.Protobuf;

namespace MiniApiServer.Api.Protobuf;

/// <summary>A body that is not valid protobuf for its table; the message names the field that failed.</summary>
internal sealed class ProtoFormatException(string message) : Exception(message);

/// <summary>
/// The one generic decoder: reads a protobuf message with <see cref="CodedInputStream"/>, guided by a
/// <see cref="ProtoMessage"/> table, into the JSON kube-apiserver would write for the same Go object.
/// <para>gogo-proto (which Kubernetes uses) writes every non-pointer field even when it holds its zero
/// value: <c>name:""</c>, <c>generation:0</c>, <c>creationTimestamp:{}</c>. Those zero values are
/// dropped here, so the object looks as if the field was never sent and the server's defaults apply
/// (a Secret's <c>type:""</c> must become Opaque). Pointer fields are written only when set, so they
/// are kept even when false, 0 or an empty message.</para>
/// <para>Repeated elements and map values are always kept: <c>[""]</c> is not <c>[]</c>.</para>
/// </summary>
internal static class ProtoDecoder
{
    /// <summary>Go's JSON writes invalid UTF-8 in a string as U+FFFD; proto2 strings are not validated.</summary>
    static readonly Encoding Utf8 = new UTF8Encoding(encoderShouldEmitUTF8Identifier: false, throwOnInvalidBytes: false);

    /// <summary>Decodes one message; <paramref name="path"/> is its JSON path, used in error messages.</summary>
    public static JsonObject DecodeMessage(ReadOnlyMemory<byte> data, ProtoMessage table, string path)
    {
        var values = new Dictionary<ProtoField, JsonNode?>();
        var input = Open(data);
        while (true)
        {
            var tag = Guard(path, input.ReadTag);
            if (tag == 0) break;
            if (!table.TryGetField(WireFormat.GetTagFieldNumber(tag), out var field))
            {
                Guard(path, input.SkipLastField);
                continue;
            }
            var fieldPath = path.Length == 0 ? field.JsonName : path + "." + field.JsonName;
            CheckWireType(tag, field, fieldPath);
            Store(values, field, ReadValue(input, field, fieldPath));
        }
        return Emit(table, values);
    }

    /// <summary>One occurrence of a field; null means "the zero value of a non-pointer field", i.e. unset.</summary>
    static JsonNode? ReadValue(CodedInputStream input, ProtoField field, string path)
    {
        switch (field.Kind)
        {
            case ProtoKind.String:
                var s = ReadString(input, path);
                return s.Length > 0 || field.Pointer || field.Repeated ? JsonValue.Create(s) : null;
            case ProtoKind.Bytes:
                var b = ReadRaw(input, path);
                return b.Length > 0 || field.Pointer || field.Repeated ? JsonValue.Create(Convert.ToBase64String(b.Span)) : null;
            case ProtoKind.Int64:
                var l = Guard(path, input.ReadInt64);
                return l != 0 || field.Pointer || field.Repeated ? JsonValue.Create(l) : null;
            case ProtoKind.Int32:
                var i = Guard(path, input.ReadInt32);
                return i != 0 || field.Pointer || field.Repeated ? JsonValue.Create(i) : null;
            case ProtoKind.Bool:
                var f = Guard(path, input.ReadBool);
                return f || field.Pointer || field.Repeated ? JsonValue.Create(f) : null;
            case ProtoKind.Time:
                return ReadTime(ReadRaw(input, path), path);
            case ProtoKind.Message:
                // Kept even when empty so a second occurrence can merge into it; Emit drops it if still empty.
                return DecodeMessage(ReadRaw(input, path), field.Table!, path);
            default:
                return ReadMapEntry(ReadRaw(input, path), field, path);
        }
    }

    /// <summary>
    /// A map entry is a message {1 key, 2 value}. A missing key or value is its zero value, as in Go.
    /// Returns a one-property object that <see cref="Store"/> merges into the map.
    /// </summary>
    static JsonObject ReadMapEntry(ReadOnlyMemory<byte> data, ProtoField field, string path)
    {
        var key = "";
        JsonNode? value = null;
        var input = Open(data);
        while (true)
        {
            var tag = Guard(path, input.ReadTag);
            if (tag == 0) break;
            var number = WireFormat.GetTagFieldNumber(tag);
            if (number is not (1 or 2))
            {
                Guard(path, input.SkipLastField);
                continue;
            }
            var part = number == 1 ? path + " key" : $"{path}[{key}]";
            ExpectWireType(tag, WireFormat.WireType.LengthDelimited, part);
            if (number == 1)
            {
                key = ReadString(input, part);
                continue;
            }
            value = field.Kind switch
            {
                ProtoKind.StringMap => JsonValue.Create(ReadString(input, part)),
                ProtoKind.BytesMap => JsonValue.Create(Convert.ToBase64String(ReadRaw(input, part).Span)),
                ProtoKind.MessageMap => DecodeMessage(ReadRaw(input, part), field.Table!, part),
                _ => ReadStringList(ReadRaw(input, part), part),
            };
        }
        value ??= field.Kind switch
        {
            ProtoKind.StringMap or ProtoKind.BytesMap => JsonValue.Create(""),
            ProtoKind.MessageMap => new JsonObject(),
            _ => new JsonArray(),
        };
        return new JsonObject { [key] = value };
    }

    /// <summary>ExtraValue {1 items[]} is a Go <c>[]string</c>: its JSON is the bare array.</summary>
    static JsonArray ReadStringList(ReadOnlyMemory<byte> data, string path)
    {
        var items = new JsonArray();
        var input = Open(data);
        while (true)
        {
            var tag = Guard(path, input.ReadTag);
            if (tag == 0) break;
            if (WireFormat.GetTagFieldNumber(tag) != 1)
            {
                Guard(path, input.SkipLastField);
                continue;
            }
            ExpectWireType(tag, WireFormat.WireType.LengthDelimited, path);
            items.Add(ReadString(input, path));
        }
        return items;
    }

    /// <summary>
    /// metav1.Time on the wire is {1 seconds int64, 2 nanos int32}. Its Unmarshal turns an empty
    /// message into the zero time (JSON null, so unset); anything else is time.Unix(seconds, nanos),
    /// written by MarshalJSON as RFC3339 in UTC without fractional seconds.
    /// </summary>
    static JsonNode? ReadTime(ReadOnlyMemory<byte> data, string path)
    {
        if (data.IsEmpty) return null;
        long seconds = 0, nanos = 0;
        var input = Open(data);
        while (true)
        {
            var tag = Guard(path, input.ReadTag);
            if (tag == 0) break;
            switch (WireFormat.GetTagFieldNumber(tag))
            {
                case 1:
                    ExpectWireType(tag, WireFormat.WireType.Varint, path + ".seconds");
                    seconds = Guard(path, input.ReadInt64);
                    break;
                case 2:
                    ExpectWireType(tag, WireFormat.WireType.Varint, path + ".nanos");
                    nanos = Guard(path, input.ReadInt32);
                    break;
                default:
                    Guard(path, input.SkipLastField);
                    break;
            }
        }
        // time.Unix normalizes nanos outside [0, 1e9) into the seconds.
        seconds += (long)Math.Floor(nanos / 1e9);
        if (seconds < DateTimeOffset.MinValue.ToUnixTimeSeconds() || seconds > DateTimeOffset.MaxValue.ToUnixTimeSeconds())
            throw new ProtoFormatException($"{path}: time {seconds}s is out of range");
        return JsonValue.Create(DateTimeOffset.FromUnixTimeSeconds(seconds).UtcDateTime
            .ToString("yyyy-MM-dd'T'HH:mm:ss'Z'", CultureInfo.InvariantCulture));
    }

    /// <summary>
    /// Repeated fields append; maps add (a repeated key wins, as Go's map assignment does); a message
    /// seen twice is merged as gogo's Unmarshal merges into the existing struct; scalars: last one wins.
    /// </summary>
    static void Store(Dictionary<ProtoField, JsonNode?> values, ProtoField field, JsonNode? value)
    {
        values.TryGetValue(field, out var existing);
        if (field.Repeated)
        {
            var list = existing as JsonArray ?? [];
            list.Add(value);
            values[field] = list;
        }
        else if (field.Kind is ProtoKind.StringMap or ProtoKind.BytesMap or ProtoKind.MessageMap or ProtoKind.StringListMap)
        {
            var map = existing as JsonObject ?? [];
            foreach (var (key, entry) in DetachAll((JsonObject)value!)) map[key] = entry;
            values[field] = map;
        }
        else if (field.Kind == ProtoKind.Message && existing is JsonObject earlier && value is JsonObject later)
        {
            foreach (var (key, entry) in DetachAll(later)) earlier[key] = entry;
        }
        else
        {
            values[field] = value;
        }
    }

    static List<KeyValuePair<string, JsonNode?>> DetachAll(JsonObject obj)
    {
        var entries = obj.ToList();
        obj.Clear();
        return entries;
    }

    /// <summary>
    /// Writes the fields in the table's (Go struct) order, leaving out the unset ones: zero scalars
    /// (already null) and empty non-pointer messages such as <c>status:{phase:""}</c>.
    /// </summary>
    static JsonObject Emit(ProtoMessage table, Dictionary<ProtoField, JsonNode?> values)
    {
        var result = new JsonObject();
        foreach (var field in table.Fields)
        {
            if (!values.TryGetValue(field, out var value) || value is null) continue;
            if (field.Kind == ProtoKind.Message && !field.Repeated && !field.Pointer && value is JsonObject { Count: 0 }) continue;
            result[field.JsonName] = value;
        }
        return result;
    }

    static void CheckWireType(uint tag, ProtoField field, string path)
    {
        var expected = field.Kind is ProtoKind.Int64 or ProtoKind.Int32 or ProtoKind.Bool
            ? WireFormat.WireType.Varint
            : WireFormat.WireType.LengthDelimited;
        ExpectWireType(tag, expected, path);
    }

    /// <summary>gogo's generated Unmarshal rejects a known field with another wire type the same way.</summary>
    static void ExpectWireType(uint tag, WireFormat.WireType expected, string path)
    {
        var actual = WireFormat.GetTagWireType(tag);
        if (actual != expected)
            throw new ProtoFormatException($"proto: wrong wireType = {(int)actual} for field {path}");
    }

    static string ReadString(CodedInputStream input, string path) => Utf8.GetString(ReadRaw(input, path).Span);

    /// <summary>The bytes of a length-delimited field, without copying them when the buffer allows.</summary>
    static ReadOnlyMemory<byte> ReadRaw(CodedInputStream input, string path) => Guard(path, input.ReadBytes).Memory;

    static CodedInputStream Open(ReadOnlyMemory<byte> data) =>
        MemoryMarshal.TryGetArray(data, out var segment)
            ? new CodedInputStream(segment.Array!, segment.Offset, segment.Count)
            : new CodedInputStream(data.ToArray());

    /// <summary>Turns Google.Protobuf's wire errors (truncation, bad varint, bad tag) into one naming the field.</summary>
    static T Guard<T>(string path, Func<T> read)
    {
        try
        {
            return read();
        }
        catch (InvalidProtocolBufferException e)
        {
            throw new ProtoFormatException($"{(path.Length == 0 ? "object" : path)}: {Describe(e)}");
        }
    }

    static void Guard(string path, Action read) => Guard(path, () => { read(); return 0; });

    static string Describe(InvalidProtocolBufferException e) =>
        e.Message.Contains("ended unexpectedly", StringComparison.Ordinal) ? "unexpected EOF" : e.Message;
}
