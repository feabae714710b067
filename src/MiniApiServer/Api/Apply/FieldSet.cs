using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;

namespace MiniApiServer.Api.Apply;

/// <summary>
/// A set of field paths, structured-merge-diff's <c>fieldpath.Set</c>: at each level the
/// <em>members</em> (paths that end here) and the <em>children</em> (subsets below a path element).
/// An element can be both, which FieldsV1 writes as <c>".": {}</c> inside the child's object.
/// Operations return new sets; a set is never changed once it has been handed out.
/// </summary>
public sealed class FieldSet
{
    readonly SortedSet<PathElement> members = [];
    readonly SortedDictionary<PathElement, FieldSet> children = [];

    public static FieldSet Empty => new();

    public static FieldSet Of(params FieldPath[] paths)
    {
        var s = new FieldSet();
        foreach (var p in paths) s.Insert(p);
        return s;
    }

    public bool IsEmpty => members.Count == 0 && children.Values.All(c => c.IsEmpty);

    /// <summary>Adds a path. Only for sets under construction (this assembly's walkers and factories).</summary>
    internal void Insert(FieldPath path) => Insert(path.Elements, 0);

    internal void Insert(IReadOnlyList<PathElement> path, int from)
    {
        if (from >= path.Count) return;
        if (from == path.Count - 1) { members.Add(path[from]); return; }
        Child(path[from]).Insert(path, from + 1);
    }

    FieldSet Child(PathElement pe)
    {
        if (!children.TryGetValue(pe, out var c)) children[pe] = c = new FieldSet();
        return c;
    }

    public bool Has(FieldPath path)
    {
        var s = this;
        var els = path.Elements;
        for (int i = 0; i < els.Count - 1; i++)
            if (!s.children.TryGetValue(els[i], out s!)) return false;
        return els.Count > 0 && s.members.Contains(els[^1]);
    }

    /// <summary>The paths below one element (SMD's <c>WithPrefix</c>), or an empty set.</summary>
    public FieldSet WithPrefix(PathElement pe) => children.TryGetValue(pe, out var c) ? c : Empty;

    internal bool HasMember(PathElement pe) => members.Contains(pe);

    internal static FieldSet Build(IEnumerable<PathElement> members, IEnumerable<KeyValuePair<PathElement, FieldSet>> children)
    {
        var r = new FieldSet();
        r.members.UnionWith(members);
        foreach (var (pe, c) in children)
            if (!c.IsEmpty) r.children[pe] = c;
        return r;
    }
    internal IEnumerable<PathElement> Members => members;
    internal IEnumerable<KeyValuePair<PathElement, FieldSet>> Children => children;

    public FieldSet Union(FieldSet other)
    {
        var r = new FieldSet();
        r.members.UnionWith(members);
        r.members.UnionWith(other.members);
        foreach (var pe in children.Keys.Union(other.children.Keys))
        {
            var u = WithPrefix(pe).Union(other.WithPrefix(pe));
            if (!u.IsEmpty) r.children[pe] = u;
        }
        return r;
    }

    public FieldSet Intersection(FieldSet other)
    {
        var r = new FieldSet();
        r.members.UnionWith(members.Where(other.members.Contains));
        foreach (var (pe, c) in children)
        {
            if (!other.children.TryGetValue(pe, out var oc)) continue;
            var i = c.Intersection(oc);
            if (!i.IsEmpty) r.children[pe] = i;
        }
        return r;
    }

    /// <summary>Paths of this set not in <paramref name="other"/> (exact paths: a member of other does not remove its children).</summary>
    public FieldSet Difference(FieldSet other)
    {
        var r = new FieldSet();
        r.members.UnionWith(members.Where(m => !other.members.Contains(m)));
        foreach (var (pe, c) in children)
        {
            var d = other.children.TryGetValue(pe, out var oc) ? c.Difference(oc) : c;
            if (!d.IsEmpty) r.children[pe] = d;
        }
        return r;
    }

    /// <summary>Like <see cref="Difference"/>, but a member of <paramref name="other"/> removes everything below it
    /// too (how kube's reset fields exclude <c>.status</c> from a main-resource update).</summary>
    public FieldSet RecursiveDifference(FieldSet other)
    {
        var r = new FieldSet();
        r.members.UnionWith(members.Where(m => !other.members.Contains(m)));
        foreach (var (pe, c) in children)
        {
            if (other.members.Contains(pe)) continue;
            var d = other.children.TryGetValue(pe, out var oc) ? c.RecursiveDifference(oc) : c;
            if (!d.IsEmpty) r.children[pe] = d;
        }
        return r;
    }

    /// <summary>Every path, in SMD's order: at each level the members, then the children's paths.</summary>
    public IEnumerable<FieldPath> Paths => Iterate([]);

    IEnumerable<FieldPath> Iterate(List<PathElement> prefix)
    {
        foreach (var m in members) yield return new FieldPath([.. prefix, m]);
        foreach (var (pe, c) in children)
        {
            prefix.Add(pe);
            foreach (var p in c.Iterate(prefix)) yield return p;
            prefix.RemoveAt(prefix.Count - 1);
        }
    }

    /// <summary>Parses the FieldsV1 trie (<c>{"f:metadata":{"f:labels":{".":{},"f:app":{}}}}</c>).</summary>
    public static FieldSet FromFieldsV1(JsonNode? node)
    {
        if (node is null) return Empty;
        if (node is not JsonObject o) throw new FormatException("FieldsV1 must be a JSON object");
        return Read(o).Children ?? Empty;
    }

    public static FieldSet FromFieldsV1(string json)
    {
        JsonNode? node;
        try
        {
            node = JsonNode.Parse(json);
        }
        catch (JsonException e)
        {
            throw new FormatException(e.Message, e);
        }
        return FromFieldsV1(node);
    }

    // Mirrors SMD's readIterV1: "." marks the element itself; an empty object is a member; unknown
    // element types are skipped.
    static (FieldSet? Children, bool IsMember) Read(JsonObject o)
    {
        FieldSet? set = null;
        var isMember = false;
        foreach (var (key, value) in o)
        {
            if (key == ".") { isMember = true; continue; }
            var pe = PathElement.Parse(key);
            if (pe is null) continue;
            if (value is not JsonObject child) throw new FormatException($"FieldsV1 value of {key} must be a JSON object");
            var (grand, childIsMember) = Read(child);
            if (childIsMember) (set ??= new()).members.Add(pe);
            if (grand is not null) (set ??= new()).children[pe] = grand;
        }
        if (set is null) isMember = true;
        return (set, isMember);
    }

    /// <summary>The FieldsV1 JSON object, keys in SMD's order.</summary>
    public JsonObject ToFieldsV1() => (JsonObject)JsonNode.Parse(ToFieldsV1String())!;

    public string ToFieldsV1String()
    {
        var sb = new StringBuilder("{");
        Emit(sb, includeSelf: false);
        return sb.Append('}').ToString();
    }

    void Emit(StringBuilder sb, bool includeSelf)
    {
        var first = true;
        void Sep()
        {
            if (!first) sb.Append(',');
            first = false;
        }
        if (includeSelf && !IsEmpty) { Sep(); sb.Append("\".\":{}"); }
        foreach (var pe in members.Union(children.Keys).Order())
        {
            Sep();
            JsonValues.WriteGoString(sb, pe.Serialize());
            sb.Append(':');
            if (children.TryGetValue(pe, out var c) && !c.IsEmpty)
            {
                sb.Append('{');
                c.Emit(sb, includeSelf: members.Contains(pe));
                sb.Append('}');
            }
            else sb.Append("{}");
        }
    }

    public override string ToString() => ToFieldsV1String();
}
