using System.Globalization;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;

namespace MiniApiServer.Api.Apply;

/// <summary>
/// Who a managedFields entry belongs to: kube's manager identifier (<c>BuildManagerIdentifier</c>),
/// the entry without fieldsType, fields and time. Appliers are one entry whatever apiVersion they
/// applied with, so the apiVersion is left out of an Apply identity; updaters at different
/// apiVersions are different entries.
/// </summary>
internal readonly record struct ManagerId(string Manager, string Operation, string ApiVersion, string Subresource)
{
    public const string Apply = "Apply";
    public const string Update = "Update";

    public static ManagerId For(string manager, string operation, string apiVersion, string? subresource) =>
        new(manager, operation, operation == Apply ? "" : apiVersion, subresource ?? "");

    public bool IsApply => Operation == Apply;

    /// <summary>The identifier's JSON as Go marshals the entry (field order, omitempty); conflict
    /// messages sort managers by this string.</summary>
    public string Json
    {
        get
        {
            var sb = new StringBuilder("{");
            void Field(string name, string value)
            {
                if (value.Length == 0) return;
                if (sb.Length > 1) sb.Append(',');
                JsonValues.WriteGoString(sb, name);
                sb.Append(':');
                JsonValues.WriteGoString(sb, value);
            }
            Field("manager", Manager);
            Field("operation", Operation);
            Field("apiVersion", ApiVersion);
            Field("subresource", Subresource);
            return sb.Append('}').ToString();
        }
    }

    /// <summary>kube's <c>printManager</c>: <c>"kubectl-client-side-apply" using v1</c>, <c>"kubectl"</c>,
    /// <c>"kubelet" with subresource "status" using v1</c>.</summary>
    public string Describe()
    {
        var s = JsonValues.GoQuote(Manager);
        if (Subresource.Length > 0) s += $" with subresource {JsonValues.GoQuote(Subresource)}";
        return Operation == Update ? $"{s} using {ApiVersion}" : s;
    }
}

/// <summary>The fields one manager owns, at the apiVersion it used (SMD's <c>VersionedSet</c>), and when it last changed them.</summary>
internal sealed record ManagedEntry(FieldSet Set, string ApiVersion, DateTimeOffset? Time);

/// <summary>
/// The decoded <c>metadata.managedFields</c> of an object, keyed by manager identity, and their
/// encoding back as kube writes them: one entry per identity, sorted by operation (Apply first),
/// time, manager, apiVersion and subresource; no list at all when nobody manages anything.
/// </summary>
internal sealed class ManagedFieldSets
{
    public Dictionary<ManagerId, ManagedEntry> Entries { get; } = [];

    public bool IsEmpty => Entries.Count == 0;

    public ManagedFieldSets Clone()
    {
        var c = new ManagedFieldSets();
        foreach (var (k, v) in Entries) c.Entries[k] = v;
        return c;
    }

    /// <summary>kube's <c>DecodeManagedFields</c>: operation must be Apply or Update, apiVersion must be
    /// set, fieldsType must be FieldsV1, and the fields must parse. Any failure makes the whole list invalid.</summary>
    public static ManagedFieldSets Decode(JsonNode? managedFields)
    {
        var result = new ManagedFieldSets();
        if (managedFields is null) return result;
        if (managedFields is not JsonArray list) throw new FormatException("managedFields must be a list");
        for (int i = 0; i < list.Count; i++)
        {
            if (list[i] is not JsonObject e) throw new FormatException($"managed fields entry {i} must be an object");
            var operation = Text(e, "operation");
            if (operation is not (ManagerId.Apply or ManagerId.Update)) throw new FormatException("operation must be `Apply` or `Update`");
            var apiVersion = Text(e, "apiVersion");
            if (apiVersion.Length == 0) throw new FormatException("apiVersion must not be empty");
            var fieldsType = Text(e, "fieldsType");
            if (fieldsType.Length == 0) throw new FormatException($"missing fieldsType in managed fields entry {i}");
            if (fieldsType != "FieldsV1") throw new FormatException($"invalid fieldsType \"{fieldsType}\" in managed fields entry {i}");
            DateTimeOffset? time = null;
            if (Text(e, "time") is { Length: > 0 } t)
            {
                if (!DateTimeOffset.TryParse(t, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal, out var parsed))
                    throw new FormatException($"invalid time \"{t}\" in managed fields entry {i}");
                time = parsed.ToUniversalTime();
            }
            var set = FieldSet.FromFieldsV1(e["fieldsV1"]);
            var id = ManagerId.For(Text(e, "manager"), operation, apiVersion, Text(e, "subresource"));
            result.Entries[id] = new ManagedEntry(set, apiVersion, time);
        }
        return result;
    }

    static string Text(JsonObject e, string name) => e[name] switch
    {
        null => "",
        JsonValue v when v.GetValueKind() == JsonValueKind.String => v.GetValue<string>(),
        _ => throw new FormatException($"{name} must be a string"),
    };

    /// <summary>kube's <c>isResetManagedFields</c>: an explicit empty list, or a list holding one empty entry,
    /// asks the server to drop all tracking.</summary>
    public static bool IsReset(JsonNode? managedFields) => managedFields switch
    {
        JsonArray { Count: 0 } => true,
        JsonArray { Count: 1 } a => a[0] is JsonObject o && o.All(p => p.Value is null || (p.Value is JsonValue v && v.GetValueKind() == JsonValueKind.String && v.GetValue<string>().Length == 0)),
        _ => false,
    };

    /// <summary>The wire form, or null when there is nothing to write.</summary>
    public JsonArray? Encode()
    {
        if (Entries.Count == 0) return null;
        var sorted = Entries
            .Select(p => (Id: p.Key, Entry: p.Value))
            .OrderBy(x => x.Id.Operation, StringComparer.Ordinal)
            .ThenBy(x => x.Entry.Time?.ToUnixTimeSeconds() ?? 0)
            .ThenBy(x => x.Id.Manager, StringComparer.Ordinal)
            .ThenBy(x => x.Entry.ApiVersion, StringComparer.Ordinal)
            .ThenBy(x => x.Id.Subresource, StringComparer.Ordinal);
        var list = new JsonArray();
        foreach (var (id, entry) in sorted)
        {
            var o = new JsonObject();
            if (id.Manager.Length > 0) o["manager"] = id.Manager;
            o["operation"] = id.Operation;
            o["apiVersion"] = entry.ApiVersion;
            if (entry.Time is { } t) o["time"] = FormatTime(t);
            o["fieldsType"] = "FieldsV1";
            o["fieldsV1"] = entry.Set.ToFieldsV1();
            if (id.Subresource.Length > 0) o["subresource"] = id.Subresource;
            list.Add(o);
        }
        return list;
    }

    /// <summary>metav1.Time on the wire: RFC 3339, whole seconds, UTC.</summary>
    public static string FormatTime(DateTimeOffset t) => t.ToUniversalTime().ToString("yyyy'-'MM'-'dd'T'HH':'mm':'ss'Z'", CultureInfo.InvariantCulture);

    /// <summary>metav1.Time keeps whole seconds.</summary>
    public static DateTimeOffset Truncate(DateTimeOffset t) => DateTimeOffset.FromUnixTimeSeconds(t.ToUnixTimeSeconds());
}
