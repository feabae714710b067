using System.Collections.Immutable;

namespace MiniApiServer.Storage;

/// <summary>
/// An immutable snapshot of every current object and the resourceVersion it is consistent with.
/// Writers publish a new snapshot after each change, so reads and lists never lock and never see
/// half a write.
/// </summary>
internal sealed class ObjectIndex
{
    // resource → namespace → name → object. Namespaces are ordered the way etcd orders the keys
    // "<namespace>/<name>" (see NamespaceKeyOrder) and names ordinally, so a list comes back in
    // kube-apiserver's order.
    private readonly ImmutableDictionary<string, ImmutableSortedDictionary<string, ImmutableSortedDictionary<string, StoredObject>>> _resources;

    private static readonly ImmutableSortedDictionary<string, ImmutableSortedDictionary<string, StoredObject>> EmptyResource =
        ImmutableSortedDictionary.Create<string, ImmutableSortedDictionary<string, StoredObject>>(NamespaceKeyOrder.Instance);

    private static readonly ImmutableSortedDictionary<string, StoredObject> EmptyNamespace =
        ImmutableSortedDictionary.Create<string, StoredObject>(StringComparer.Ordinal);

    public static readonly ObjectIndex Empty = new(0, ImmutableDictionary.Create<string, ImmutableSortedDictionary<string, ImmutableSortedDictionary<string, StoredObject>>>(StringComparer.Ordinal));

    private ObjectIndex(long resourceVersion, ImmutableDictionary<string, ImmutableSortedDictionary<string, ImmutableSortedDictionary<string, StoredObject>>> resources)
    {
        ResourceVersion = resourceVersion;
        _resources = resources;
    }

    public long ResourceVersion { get; }

    public StoredObject? Get(ObjectKey key) =>
        _resources.TryGetValue(key.Resource, out var namespaces)
        && namespaces.TryGetValue(key.Namespace, out var names)
        && names.TryGetValue(key.Name, out var stored) ? stored : null;

    public IReadOnlyList<StoredObject> List(string resource, string? ns)
    {
        if (!_resources.TryGetValue(resource, out var namespaces)) return [];
        if (ns is not null) return namespaces.TryGetValue(ns, out var names) ? [.. names.Values] : [];
        return [.. namespaces.Values.SelectMany(names => names.Values)];
    }

    public ObjectIndex Put(StoredObject stored, long resourceVersion)
    {
        var key = stored.Key;
        var namespaces = _resources.GetValueOrDefault(key.Resource, EmptyResource);
        var names = namespaces.GetValueOrDefault(key.Namespace, EmptyNamespace);
        return new(resourceVersion, _resources.SetItem(key.Resource, namespaces.SetItem(key.Namespace, names.SetItem(key.Name, stored))));
    }

    public ObjectIndex Remove(ObjectKey key, long resourceVersion)
    {
        var namespaces = _resources[key.Resource];
        var names = namespaces[key.Namespace].Remove(key.Name);
        namespaces = names.IsEmpty ? namespaces.Remove(key.Namespace) : namespaces.SetItem(key.Namespace, names);
        return new(resourceVersion, namespaces.IsEmpty ? _resources.Remove(key.Resource) : _resources.SetItem(key.Resource, namespaces));
    }

    /// <summary>Builds the index of a store being opened, in one pass.</summary>
    public static ObjectIndex Load(IEnumerable<StoredObject> objects, long resourceVersion)
    {
        var index = Empty;
        foreach (var stored in objects) index = index.Put(stored, resourceVersion);
        return index;
    }
}

/// <summary>
/// Orders namespaces as the etcd keys "&lt;namespace&gt;/&lt;name&gt;" sort byte by byte: a namespace is
/// compared as if followed by '/', so "default-x" sorts before "default" ('-' &lt; '/'), exactly as
/// <c>kubectl get pods -A</c> lists them from a real cluster.
/// </summary>
internal sealed class NamespaceKeyOrder : IComparer<string>
{
    public static readonly NamespaceKeyOrder Instance = new();

    public int Compare(string? x, string? y)
    {
        x ??= ""; y ??= "";
        for (var i = 0; ; i++)
        {
            var a = i < x.Length ? x[i] : '/';
            var b = i < y.Length ? y[i] : '/';
            if (a != b) return a.CompareTo(b);
            if (i >= x.Length || i >= y.Length) return x.Length.CompareTo(y.Length);
        }
    }
}
