using MiniApiServer.Storage;
using static MiniApiServer.Tests.Storage.Objects;

namespace MiniApiServer.Tests.Storage;

/// <summary>List: one resource, optionally one namespace, in etcd key order, with the store's resourceVersion.</summary>
public sealed class ObjectStoreListTests
{
    // Created in this scrambled order; besides these, a secret and a cluster-scoped object must never show up.
    private static readonly (string Namespace, string Name)[] Created =
    [
        ("kube-system", "b"), ("default", "b"), ("default-x", "a"), ("default", "a"), ("kube-system", "a"), ("default", "a-1"),
    ];

    public static TheoryData<string, string?, string[]> Cases => new()
    {
        // etcd orders the keys "<namespace>/<name>" bytewise: '-' sorts before '/', so "default-x" precedes "default".
        { StoreFixture.File, null, ["default-x/a", "default/a", "default/a-1", "default/b", "kube-system/a", "kube-system/b"] },
        { StoreFixture.Memory, null, ["default-x/a", "default/a", "default/a-1", "default/b", "kube-system/a", "kube-system/b"] },
        { StoreFixture.File, "default", ["default/a", "default/a-1", "default/b"] },
        { StoreFixture.Memory, "default", ["default/a", "default/a-1", "default/b"] },
        { StoreFixture.Memory, "kube-system", ["kube-system/a", "kube-system/b"] },
        { StoreFixture.Memory, "empty", [] },
    };

    [Theory, MemberData(nameof(Cases))]
    public void List_returns_one_resource_in_key_order(string mode, string? ns, string[] expected)
    {
        using var fixture = StoreFixture.Open(mode);
        var store = fixture.Store;
        foreach (var (objectNamespace, name) in Created) store.Create(Key(name, objectNamespace), ConfigMap(name, objectNamespace));
        store.Create(Key("s", "default", "secrets"), ConfigMap("s"));
        store.Create(Key("default", "", "namespaces"), ConfigMap("default", ""));

        var list = store.List("configmaps", ns);

        Assert.Equal(expected, list.Items.Select(o => $"{o.Key.Namespace}/{o.Key.Name}"));
        Assert.Equal(8, list.ResourceVersion);
    }

    [Theory, MemberData(nameof(StoreFixture.Modes), MemberType = typeof(StoreFixture))]
    public void List_reflects_updates_and_deletions_and_carries_the_current_resource_version(string mode)
    {
        using var fixture = StoreFixture.Open(mode);
        var store = fixture.Store;
        store.Create(Key("a"), ConfigMap("a"));
        store.Create(Key("b"), ConfigMap("b"));
        store.Create(Key("c"), ConfigMap("c"));
        var before = store.List("configmaps", "default");

        store.Update(Key("a"), current => WithValue(current, "2"));
        store.Delete(Key("b"));
        store.Create(Key("x", "other", "secrets"), ConfigMap("x", "other"));
        var after = store.List("configmaps", "default");

        Assert.Equal((3, 3), (before.ResourceVersion, before.Items.Count));
        Assert.Equal(6, after.ResourceVersion);
        Assert.Equal([("a", 4L), ("c", 3L)], after.Items.Select(o => (o.Key.Name, o.ResourceVersion)));
    }

    [Theory, MemberData(nameof(StoreFixture.Modes), MemberType = typeof(StoreFixture))]
    public void List_of_an_unknown_resource_is_empty_at_the_current_resource_version(string mode)
    {
        using var fixture = StoreFixture.Open(mode);
        fixture.Store.Create(Key("a"), ConfigMap("a"));

        var list = fixture.Store.List("widgets.example.com", null);

        Assert.Empty(list.Items);
        Assert.Equal(1, list.ResourceVersion);
    }
}
