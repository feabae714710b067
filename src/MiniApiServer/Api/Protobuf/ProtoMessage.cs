namespace MiniApiServer.Api.Protobuf;

/// <summary>How one field is laid out on the wire and rendered in kube's JSON.</summary>
internal enum ProtoKind
{
    /// <summary>Length-delimited UTF-8 text, a JSON string.</summary>
    String,
    /// <summary>Length-delimited bytes; Go's encoding/json writes <c>[]byte</c> as base64.</summary>
    Bytes,
    /// <summary>Varint int64, a JSON number.</summary>
    Int64,
    /// <summary>Varint int32, a JSON number.</summary>
    Int32,
    /// <summary>Varint bool.</summary>
    Bool,
    /// <summary>metav1.Time: a nested {1 seconds, 2 nanos}, rendered RFC3339 in UTC at second precision.</summary>
    Time,
    /// <summary>A nested message described by its own <see cref="ProtoMessage"/> table.</summary>
    Message,
    /// <summary><c>map&lt;string,string&gt;</c>: repeated entries {1 key, 2 value}, a JSON object.</summary>
    StringMap,
    /// <summary><c>map&lt;string,bytes&gt;</c> (Secret.data, ConfigMap.binaryData): values as base64.</summary>
    BytesMap,
    /// <summary><c>map&lt;string,message&gt;</c>: values decoded with the field's table.</summary>
    MessageMap,
    /// <summary>
    /// <c>map&lt;string,ExtraValue&gt;</c> where ExtraValue is {1 items[]}: in Go ExtraValue is a
    /// <c>[]string</c>, so the JSON value is a plain array (UserInfo.extra, CSR spec.extra).
    /// </summary>
    StringListMap,
}

/// <summary>
/// One field of a message table: its number, its JSON name and how it is read.
/// <para><paramref name="Repeated"/>: the field may occur many times and renders as a JSON array.</para>
/// <para><paramref name="Pointer"/>: the Go field is a pointer (<c>*bool</c>, <c>*int64</c>, <c>*Struct</c>).
/// gogo-proto writes it only when it is set, so a present zero value (false, 0, {}) is meaningful and kept;
/// non-pointer fields are always written, so their zero values mean "unset" and are left out.</para>
/// </summary>
internal sealed record ProtoField(int Number, string JsonName, ProtoKind Kind, bool Repeated = false, bool Pointer = false, ProtoMessage? Table = null)
{
    public static ProtoField String(int number, string json) => new(number, json, ProtoKind.String);
    public static ProtoField Strings(int number, string json) => new(number, json, ProtoKind.String, Repeated: true);
    public static ProtoField Bytes(int number, string json) => new(number, json, ProtoKind.Bytes);
    public static ProtoField Int64(int number, string json, bool pointer = false) => new(number, json, ProtoKind.Int64, Pointer: pointer);
    public static ProtoField Int32(int number, string json, bool pointer = false) => new(number, json, ProtoKind.Int32, Pointer: pointer);
    public static ProtoField Bool(int number, string json, bool pointer = false) => new(number, json, ProtoKind.Bool, Pointer: pointer);
    public static ProtoField Time(int number, string json) => new(number, json, ProtoKind.Time);
    public static ProtoField Message(int number, string json, ProtoMessage table, bool pointer = false) =>
        new(number, json, ProtoKind.Message, Pointer: pointer, Table: table);
    public static ProtoField Messages(int number, string json, ProtoMessage table) =>
        new(number, json, ProtoKind.Message, Repeated: true, Table: table);
    public static ProtoField StringMap(int number, string json) => new(number, json, ProtoKind.StringMap);
    public static ProtoField BytesMap(int number, string json) => new(number, json, ProtoKind.BytesMap);
    public static ProtoField MessageMap(int number, string json, ProtoMessage table) => new(number, json, ProtoKind.MessageMap, Table: table);
    public static ProtoField StringListMap(int number, string json) => new(number, json, ProtoKind.StringListMap);
}

/// <summary>
/// The declarative table of one protobuf message: its fields, listed in the order the Go struct (and so
/// kube's JSON) lists them. Field numbers not in the table are skipped when decoding, as an unknown
/// field is by any protobuf reader.
/// </summary>
internal sealed class ProtoMessage
{
    readonly Dictionary<int, ProtoField> byNumber;

    public ProtoMessage(string name, params ProtoField[] fields)
    {
        Name = name;
        Fields = fields;
        byNumber = fields.ToDictionary(f => f.Number);
        if (fields.Any(f => f.Kind is ProtoKind.Message or ProtoKind.MessageMap && f.Table is null))
            throw new ArgumentException($"{name}: a message field needs its table");
    }

    public string Name { get; }
    public IReadOnlyList<ProtoField> Fields { get; }

    public bool TryGetField(int number, out ProtoField field) => byNumber.TryGetValue(number, out field!);
}
