using System.Text.Json;
using System.Text.Json.Nodes;
using MiniApiServer.Api.Errors;

namespace MiniApiServer.Api.Selectors;

/// <summary>
/// A parsed label selector (<c>labels.Selector</c>): requirements that must all hold. Built from the
/// <c>?labelSelector=</c> query string (<see cref="Parse"/>), from a metav1.LabelSelector object
/// (<see cref="FromJson"/>, as <c>metav1.LabelSelectorAsSelector</c>) or from a label set (<see cref="FromSet"/>).
/// </summary>
public sealed class LabelSelector
{
    readonly bool _matchesNothing;

    LabelSelector(IReadOnlyList<LabelRequirement> requirements, bool matchesNothing = false) =>
        (Requirements, _matchesNothing) = (requirements, matchesNothing);

    /// <summary>The empty selector: every object matches (an absent or empty <c>?labelSelector=</c>).</summary>
    public static LabelSelector Everything { get; } = new([]);

    /// <summary>The selector no object matches: what a null metav1.LabelSelector means.</summary>
    public static LabelSelector Nothing { get; } = new([], matchesNothing: true);

    /// <summary>The requirements, sorted by key.</summary>
    public IReadOnlyList<LabelRequirement> Requirements { get; }

    public bool IsEmpty => !_matchesNothing && Requirements.Count == 0;

    /// <summary>
    /// Parses the query-string form (<c>a=b,c!=d,!e,f in (x,y),g notin (z),h,i&gt;1</c>). A malformed selector is a
    /// 400 BadRequest whose message is kube-apiserver's, e.g. for <c>a b</c>:
    /// <c>unable to parse requirement: found 'b', expected: in, notin, =, ==, !=, gt, lt</c>.
    /// </summary>
    public static LabelSelector Parse(string? selector) =>
        TryParse(selector, out var result, out var error) ? result : throw StatusErrors.BadRequest(error!);

    public static bool TryParse(string? selector, out LabelSelector result, out string? error)
    {
        if (LabelSelectorParser.TryParse(selector ?? "", out var requirements, out error))
        {
            result = requirements.Count == 0 ? Everything : new LabelSelector(requirements);
            return true;
        }
        result = Nothing;
        return false;
    }

    /// <summary>
    /// Converts a metav1.LabelSelector (<c>{"matchLabels":{…},"matchExpressions":[{key,operator,values}]}</c>):
    /// null selects nothing, an empty one everything. Errors are 400 BadRequest with kube's message, e.g.
    /// <c>"Foo" is not a valid label selector operator</c>.
    /// </summary>
    public static LabelSelector FromJson(JsonNode? selector) =>
        TryFromJson(selector, out var result, out var error) ? result : throw StatusErrors.BadRequest(error!);

    public static bool TryFromJson(JsonNode? selector, out LabelSelector result, out string? error)
    {
        result = Nothing;
        error = null;
        if (selector is null || selector.GetValueKind() == JsonValueKind.Null) return true;
        if (selector is not JsonObject obj)
        {
            error = "a label selector must be a JSON object";
            return false;
        }
        var matchLabels = obj["matchLabels"] as JsonObject;
        var matchExpressions = obj["matchExpressions"] as JsonArray;
        if ((matchLabels?.Count ?? 0) + (matchExpressions?.Count ?? 0) == 0)
        {
            result = Everything;
            return true;
        }

        var requirements = new List<LabelRequirement>();
        foreach (var (key, value) in matchLabels ?? [])
        {
            if (!LabelRequirement.TryCreate(key, SelectorOperator.Equals, [Text(value)], out var r, out error)) return false;
            requirements.Add(r!);
        }
        foreach (var node in matchExpressions ?? [])
        {
            var expr = node as JsonObject ?? new JsonObject();
            var op = Text(expr["operator"]);
            SelectorOperator? converted = op switch
            {
                "In" => SelectorOperator.In,
                "NotIn" => SelectorOperator.NotIn,
                "Exists" => SelectorOperator.Exists,
                "DoesNotExist" => SelectorOperator.DoesNotExist,
                _ => null,
            };
            if (converted is null)
            {
                error = $"\"{op}\" is not a valid label selector operator";
                return false;
            }
            var values = (expr["values"] as JsonArray ?? []).Select(Text).ToList();
            if (!LabelRequirement.TryCreate(Text(expr["key"]), converted.Value, values, out var r, out error)) return false;
            requirements.Add(r!);
        }
        result = new LabelSelector(requirements.OrderBy(r => r.Key, StringComparer.Ordinal).ToList());
        return true;
    }

    /// <summary>
    /// An equality selector for every pair of the set, as labels.SelectorFromSet: the form of a Service's or
    /// ReplicationController's selector. The pairs are taken as they are (kube does not re-validate them here).
    /// </summary>
    public static LabelSelector FromSet(IReadOnlyDictionary<string, string>? set)
    {
        if (set is null || set.Count == 0) return Everything;
        return new LabelSelector(set.OrderBy(p => p.Key, StringComparer.Ordinal)
            .Select(p => LabelRequirement.Unchecked(p.Key, SelectorOperator.Equals, [p.Value])).ToList());
    }

    /// <summary>Whether an object's labels (null = no labels) satisfy every requirement.</summary>
    public bool Matches(IReadOnlyDictionary<string, string>? labels)
    {
        if (_matchesNothing) return false;
        labels ??= EmptyLabels;
        foreach (var r in Requirements)
            if (!r.Matches(labels)) return false;
        return true;
    }

    /// <summary>The one value an object must have for <paramref name="key"/> (=, == or a one-value in), if the selector pins it.</summary>
    public bool RequiresExactMatch(string key, out string value)
    {
        foreach (var r in Requirements)
        {
            if (r.Key != key) continue;
            if (r.Operator is SelectorOperator.Equals or SelectorOperator.DoubleEquals or SelectorOperator.In && r.Values.Count == 1)
            {
                value = r.Values[0];
                return true;
            }
            break;
        }
        value = "";
        return false;
    }

    /// <summary>The canonical query-string form, requirements sorted by key.</summary>
    public override string ToString() => string.Join(",", Requirements.Select(r => r.ToString()));

    static readonly IReadOnlyDictionary<string, string> EmptyLabels = new Dictionary<string, string>();

    static string Text(JsonNode? n) =>
        n is JsonValue v && v.GetValueKind() == JsonValueKind.String ? v.GetValue<string>() : n?.ToJsonString() ?? "";
}
