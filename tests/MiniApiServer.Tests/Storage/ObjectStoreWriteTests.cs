using System.Text.Json.Nodes;
using MiniApiServer.Storage;
using static MiniApiServer.Tests.Storage.Objects;

namespace MiniApiServer.Tests.Storage;

/// <summary>Create, get, update, delete: kube's storage.Interface semantics, in both store modes.</summary>
public sealed class ObjectStoreWriteTests
{
    [Theory, MemberData(nameof(StoreFixture.Modes), MemberType = typeof(StoreFixture))]
    public void Empty_store_is_at_resource_version_zero(string mode)
    {
        using var fixture = StoreFixture.Open(mode);

        Assert.Equal(0, fixture.Store.CurrentResourceVersion);
        Assert.Null(fixture.Store.Get(Key("missing")));
    }

    [Theory, MemberData(nameof(StoreFixture.Modes), MemberType = typeof(StoreFixture))]
    public void Create_writes_the_next_resource_version_into_metadata(string mode)
    {
        using var fixture = StoreFixture.Open(mode);
        var store = fixture.Store;

        var first = store.Create(Key("a"), ConfigMap("a"));
        var second = store.Create(Key("b"), ConfigMap("b"));

        Assert.Equal((1, "1"), (first.ResourceVersion, ResourceVersionField(first.Object)));
        Assert.Equal((2, "2"), (second.ResourceVersion, ResourceVersionField(second.Object)));
        Assert.Equal(2, store.CurrentResourceVersion);
        Assert.Same(second, store.Get(Key("b")));
    }

    [Theory, MemberData(nameof(StoreFixture.Modes), MemberType = typeof(StoreFixture))]
    public void Create_keeps_its_own_copy_of_the_object(string mode)
    {
        using var fixture = StoreFixture.Open(mode);
        var submitted = ConfigMap("a", value: "original");

        fixture.Store.Create(Key("a"), submitted);
        submitted["data"]!["value"] = "changed by the caller";

        Assert.Equal("original", (string?)fixture.Store.Get(Key("a"))!.Object["data"]!["value"]);
        Assert.Null(ResourceVersionField(submitted));
    }

    [Theory, MemberData(nameof(StoreFixture.Modes), MemberType = typeof(StoreFixture))]
    public void Create_of_a_taken_key_throws_and_changes_nothing(string mode)
    {
        using var fixture = StoreFixture.Open(mode);
        var original = fixture.Store.Create(Key("a"), ConfigMap("a", value: "first"));

        var error = Assert.Throws<KeyExistsException>(() => fixture.Store.Create(Key("a"), ConfigMap("a", value: "second")));

        Assert.Equal(Key("a"), error.Key);
        Assert.Same(original, fixture.Store.Get(Key("a")));
        Assert.Equal(1, fixture.Store.CurrentResourceVersion);
    }

    [Theory, MemberData(nameof(StoreFixture.Modes), MemberType = typeof(StoreFixture))]
    public void Update_hands_the_callback_a_copy_and_stores_its_result_with_the_next_resource_version(string mode)
    {
        using var fixture = StoreFixture.Open(mode);
        var store = fixture.Store;
        var created = store.Create(Key("a"), ConfigMap("a", value: "1"));
        store.Create(Key("other"), ConfigMap("other"));

        JsonObject? seen = null;
        var updated = store.Update(Key("a"), current => { seen = current; return WithValue(current, "2"); });

        Assert.NotSame(created.Object, seen);
        Assert.Equal("1", (string?)created.Object["data"]!["value"]);
        Assert.Equal((3, "3", "2"), (updated.ResourceVersion, ResourceVersionField(updated.Object), (string?)updated.Object["data"]!["value"]));
        Assert.Equal(created.Object["metadata"]!["uid"]!.ToString(), updated.Object["metadata"]!["uid"]!.ToString());
        Assert.Same(updated, store.Get(Key("a")));
    }

    [Theory, MemberData(nameof(StoreFixture.Modes), MemberType = typeof(StoreFixture))]
    public void Update_that_changes_nothing_stores_nothing(string mode)
    {
        using var fixture = StoreFixture.Open(mode);
        var store = fixture.Store;
        var created = store.Create(Key("a"), ConfigMap("a"));
        using var watch = store.Watch("configmaps", null, store.CurrentResourceVersion);

        // kube compares the encoded object with its resourceVersion cleared, so a stale
        // resourceVersion in an otherwise identical object is still a no-op.
        var sameContent = store.Update(Key("a"), current => current!);
        var staleVersion = store.Update(Key("a"), current => { current!["metadata"]!["resourceVersion"] = "0"; return current; });

        Assert.Same(created, sameContent);
        Assert.Same(created, staleVersion);
        Assert.Equal(1, store.CurrentResourceVersion);
        Assert.Empty(watch.Pending());
    }

    [Theory, MemberData(nameof(StoreFixture.Modes), MemberType = typeof(StoreFixture))]
    public void Update_aborted_by_its_callback_stores_nothing(string mode)
    {
        using var fixture = StoreFixture.Open(mode);
        var store = fixture.Store;
        var created = store.Create(Key("a"), ConfigMap("a"));

        // The API layer checks resourceVersion and uid preconditions inside the callback.
        var error = Assert.Throws<ConflictException>(() => store.Update(Key("a"), current =>
        {
            WithValue(current, "half-done");
            throw new ConflictException(Key("a"), "the object has been modified");
        }));

        Assert.Equal("the object has been modified", error.Message);
        Assert.Same(created, store.Get(Key("a")));
        Assert.Equal(1, store.CurrentResourceVersion);
    }

    [Theory, MemberData(nameof(StoreFixture.Modes), MemberType = typeof(StoreFixture))]
    public void Update_of_a_missing_object_throws_unless_asked_to_create_it(string mode)
    {
        using var fixture = StoreFixture.Open(mode);
        var store = fixture.Store;

        Assert.Throws<KeyNotFoundStorageException>(() => store.Update(Key("a"), current => current!));

        JsonObject? seen = new();
        var created = store.Update(Key("a"), current => { seen = current; return ConfigMap("a"); }, createIfMissing: true);

        Assert.Null(seen);
        Assert.Equal(1, created.ResourceVersion);
        Assert.Same(created, store.Get(Key("a")));
    }

    [Theory, MemberData(nameof(StoreFixture.Modes), MemberType = typeof(StoreFixture))]
    public void Delete_returns_the_last_state_carrying_the_deletion_resource_version(string mode)
    {
        using var fixture = StoreFixture.Open(mode);
        var store = fixture.Store;
        var created = store.Create(Key("a"), ConfigMap("a", value: "last"));

        var deleted = store.Delete(Key("a"));

        Assert.Equal((2, "2", "last"), (deleted.ResourceVersion, ResourceVersionField(deleted.Object), (string?)deleted.Object["data"]!["value"]));
        Assert.Equal("1", ResourceVersionField(created.Object));
        Assert.Null(store.Get(Key("a")));
        Assert.Equal(2, store.CurrentResourceVersion);
        Assert.Throws<KeyNotFoundStorageException>(() => store.Delete(Key("a")));
    }

    [Theory, MemberData(nameof(StoreFixture.Modes), MemberType = typeof(StoreFixture))]
    public void Delete_refused_by_its_precondition_keeps_the_object(string mode)
    {
        using var fixture = StoreFixture.Open(mode);
        var store = fixture.Store;
        var created = store.Create(Key("a"), ConfigMap("a"));
        StoredObject? offered = null;

        Assert.Throws<ConflictException>(() => store.Delete(Key("a"), current =>
        {
            offered = current;
            throw new ConflictException(current.Key, "Precondition failed: UID in precondition: x, UID in object meta: y");
        }));

        Assert.Same(created, offered);
        Assert.Same(created, store.Get(Key("a")));
        Assert.Equal(1, store.CurrentResourceVersion);
    }

    [Theory, MemberData(nameof(StoreFixture.Modes), MemberType = typeof(StoreFixture))]
    public void The_resource_version_counter_is_shared_by_every_resource_and_namespace(string mode)
    {
        using var fixture = StoreFixture.Open(mode);
        var store = fixture.Store;

        var versions = new[]
        {
            store.Create(Key("a", "ns1", "configmaps"), ConfigMap("a", "ns1")).ResourceVersion,
            store.Create(Key("a", "ns2", "secrets"), ConfigMap("a", "ns2")).ResourceVersion,
            store.Update(Key("a", "ns1", "configmaps"), current => WithValue(current, "2")).ResourceVersion,
            store.Delete(Key("a", "ns2", "secrets")).ResourceVersion,
            store.Create(Key("n", "", "namespaces"), ConfigMap("n", "")).ResourceVersion,
        };

        Assert.Equal([1, 2, 3, 4, 5], versions);
    }

    [Theory, MemberData(nameof(StoreFixture.Modes), MemberType = typeof(StoreFixture))]
    public void A_callback_may_not_write_to_the_store(string mode)
    {
        using var fixture = StoreFixture.Open(mode);
        var store = fixture.Store;
        store.Create(Key("a"), ConfigMap("a"));

        Assert.Throws<InvalidOperationException>(() => store.Update(Key("a"), current =>
        {
            store.Create(Key("b"), ConfigMap("b"));
            return current!;
        }));
        Assert.Throws<InvalidOperationException>(() => store.Delete(Key("a"), _ => store.Delete(Key("a"))));

        Assert.Null(store.Get(Key("b")));
        Assert.Equal(1, store.CurrentResourceVersion);
    }

    [Theory, MemberData(nameof(StoreFixture.Modes), MemberType = typeof(StoreFixture))]
    public void A_disposed_store_refuses_every_call(string mode)
    {
        using var fixture = StoreFixture.Open(mode);
        fixture.Store.Create(Key("a"), ConfigMap("a"));
        fixture.Store.Dispose();

        Assert.Throws<ObjectDisposedException>(() => fixture.Store.Get(Key("a")));
        Assert.Throws<ObjectDisposedException>(() => fixture.Store.Create(Key("b"), ConfigMap("b")));
        Assert.Throws<ObjectDisposedException>(() => fixture.Store.Watch("configmaps", null, 1));
    }
}
