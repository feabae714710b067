using LiteDB;
using MiniApiServer.Storage;
using static MiniApiServer.Tests.Storage.Objects;

namespace MiniApiServer.Tests.Storage;

/// <summary>The file store after a restart: exactly what was acknowledged, and a counter that never goes back.</summary>
public sealed class FileStoreRestartTests
{
    [Fact]
    public void Objects_uids_and_resource_versions_survive_a_restart()
    {
        using var fixture = StoreFixture.Open(StoreFixture.File);
        var store = fixture.Store;
        store.Create(Key("a"), ConfigMap("a"));
        store.Create(Key("b", "kube-system"), ConfigMap("b", "kube-system"));
        store.Create(Key("n", "", "namespaces"), ConfigMap("n", ""));
        store.Update(Key("a"), current => WithValue(current, "ünïcødé \"quoted\" <tag>"));
        store.Create(Key("gone"), ConfigMap("gone"));
        store.Delete(Key("gone"));
        var before = Snapshot(store, "configmaps", "namespaces");

        var reopened = fixture.Restart();

        Assert.Equal(6, reopened.CurrentResourceVersion);
        Assert.Equal(before, Snapshot(reopened, "configmaps", "namespaces"));
        Assert.Equal("ünïcødé \"quoted\" <tag>", (string?)reopened.Get(Key("a"))!.Object["data"]!["value"]);
    }

    [Fact]
    public void Names_that_differ_only_in_case_stay_different_objects_on_disk()
    {
        // RBAC names are path segments, so "Admin" and "admin" are two ClusterRoles; LiteDB's default
        // collation ignores case and would make them one document.
        const string resource = "clusterroles.rbac.authorization.k8s.io";
        using var fixture = StoreFixture.Open(StoreFixture.File);
        fixture.Store.Create(Key("Admin", "", resource), ConfigMap("Admin", "", value: "upper"));
        fixture.Store.Create(Key("admin", "", resource), ConfigMap("admin", "", value: "lower"));

        var reopened = fixture.Restart();

        Assert.Equal([("Admin", "upper"), ("admin", "lower")],
            reopened.List(resource, null).Items.Select(o => (o.Key.Name, (string?)o.Object["data"]!["value"])));
    }

    [Fact]
    public void Deleting_the_newest_object_then_restarting_never_reuses_its_resource_version()
    {
        using var fixture = StoreFixture.Open(StoreFixture.File);
        fixture.Store.Create(Key("a"), ConfigMap("a"));
        fixture.Store.Create(Key("newest"), ConfigMap("newest"));
        fixture.Store.Delete(Key("newest"));

        var reopened = fixture.Restart();
        var next = reopened.Create(Key("c"), ConfigMap("c"));

        Assert.Equal(4, next.ResourceVersion);
    }

    [Fact]
    public void After_a_restart_a_watch_may_start_at_the_current_resource_version_but_not_before()
    {
        using var fixture = StoreFixture.Open(StoreFixture.File);
        for (var i = 1; i <= 3; i++) fixture.Store.Create(Key($"o{i}"), ConfigMap($"o{i}"));

        var reopened = fixture.Restart();
        using var watch = reopened.Watch("configmaps", null, 3);
        reopened.Create(Key("o4"), ConfigMap("o4"));

        Assert.Equal(["Added configmaps/default/o4 @4"], watch.Pending().Select(e => e.Describe()));
        var tooOld = Assert.Throws<ResourceVersionTooOldException>(() => reopened.Watch("configmaps", null, 2));
        Assert.Equal("too old resource version: 2 (3)", tooOld.Message);
    }

    [Fact]
    public void The_database_file_is_held_by_one_store_at_a_time()
    {
        using var fixture = StoreFixture.Open(StoreFixture.File);

        Assert.Throws<IOException>(() => LiteDbObjectStore.OpenFile(fixture.DatabasePath));

        fixture.Store.Create(Key("a"), ConfigMap("a"));
        Assert.Equal(1, fixture.Restart().CurrentResourceVersion);
    }

    [Fact]
    public void A_closed_store_is_an_ordinary_LiteDB_database()
    {
        using var fixture = StoreFixture.Open(StoreFixture.File);
        fixture.Store.Create(Key("a"), ConfigMap("a"));
        fixture.Store.Create(Key("b"), ConfigMap("b"));
        fixture.Store.Delete(Key("b"));
        fixture.Store.Dispose();

        using (var db = new LiteDatabase($"Filename={fixture.DatabasePath};Connection=direct;ReadOnly=true"))
        {
            var ids = db.GetCollection("objects").FindAll().Select(doc => doc["_id"].AsString);
            Assert.Equal(["configmaps/default/a"], ids);
            Assert.Equal(3, db.GetCollection("meta").FindById("resourceVersion")["value"].AsInt64);
        }
        Assert.False(File.Exists(Path.ChangeExtension(fixture.DatabasePath, null) + "-log.db"), "a clean close leaves no log behind");

        Assert.Equal(3, fixture.Restart().CurrentResourceVersion);
    }

    /// <summary>Everything a client could observe: keys, resourceVersions and the exact JSON.</summary>
    internal static List<string> Snapshot(IObjectStore store, params string[] resources) =>
        [.. resources.SelectMany(resource => store.List(resource, null).Items)
            .Select(o => $"{o.Key} @{o.ResourceVersion} {o.Object.ToJsonString()}")];
}
