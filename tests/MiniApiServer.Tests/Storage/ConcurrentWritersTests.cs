using LiteDB;
using MiniApiServer.Storage;
using static MiniApiServer.Tests.Storage.Objects;

namespace MiniApiServer.Tests.Storage;

/// <summary>
/// Many threads writing across resources and namespaces at once (LiteDB 5 corrupted files under
/// concurrent writes to different collections, issue #2825): the store serializes them, hands out
/// every resourceVersion exactly once, and the file reopens to exactly the in-memory view.
/// </summary>
public sealed class ConcurrentWritersTests
{
    private const int Threads = 8;
    private const int OperationsPerThread = 150;
    private static readonly string[] Resources = ["configmaps", "secrets", "roles.rbac.authorization.k8s.io"];
    private static readonly string[] Namespaces = ["default", "kube-system", "team-a"];

    [Theory, MemberData(nameof(StoreFixture.Modes), MemberType = typeof(StoreFixture))]
    public async Task Concurrent_writers_get_distinct_resource_versions_and_consistent_contents(string mode)
    {
        using var fixture = StoreFixture.Open(mode, new StoreOptions { HistoryCapacity = Threads * OperationsPerThread });
        using var watch = fixture.Store.Watch("configmaps", null, 0);

        var acknowledged = await WriteConcurrently(fixture.Store);

        // Every acknowledged write took its own resourceVersion, and together they are 1..current.
        Assert.Equal(Enumerable.Range(1, acknowledged.Count).Select(rv => (long)rv), acknowledged.Order());
        Assert.Equal(acknowledged.Count, fixture.Store.CurrentResourceVersion);
        // The watch saw every configmap change in order.
        var seen = watch.Pending().Select(e => e.Object.ResourceVersion).ToList();
        Assert.Equal(seen.Order(), seen);
        Assert.True(seen.Count > 0);
    }

    [Fact]
    public async Task The_file_written_by_concurrent_writers_reopens_to_the_same_objects()
    {
        using var fixture = StoreFixture.Open(StoreFixture.File);
        await WriteConcurrently(fixture.Store);
        var memoryView = FileStoreRestartTests.Snapshot(fixture.Store, Resources);
        var resourceVersion = fixture.Store.CurrentResourceVersion;
        fixture.Store.Dispose();

        // LiteDB's own view of the file: it opens, and holds one document per live object.
        using (var db = new LiteDatabase($"Filename={fixture.DatabasePath};Connection=direct;ReadOnly=true"))
        {
            Assert.Equal(memoryView.Count, db.GetCollection("objects").Count());
            Assert.Equal(resourceVersion, db.GetCollection("meta").FindById("resourceVersion")["value"].AsInt64);
        }

        var reopened = fixture.Restart();
        Assert.Equal(resourceVersion, reopened.CurrentResourceVersion);
        Assert.Equal(memoryView, FileStoreRestartTests.Snapshot(reopened, Resources));
    }

    /// <summary>Creates, updates and deletes from many threads; returns the resourceVersion of every acknowledged write.</summary>
    private static async Task<List<long>> WriteConcurrently(IObjectStore store)
    {
        var perThread = await Task.WhenAll(Enumerable.Range(0, Threads).Select(t => Task.Run(() =>
        {
            var random = new Random(t);
            var versions = new List<long>();
            for (var i = 0; i < OperationsPerThread; i++)
            {
                // Few names, so threads collide on the same objects and see both outcomes.
                var key = Key($"obj-{random.Next(6)}", Namespaces[random.Next(Namespaces.Length)], Resources[random.Next(Resources.Length)]);
                try
                {
                    var written = random.Next(3) switch
                    {
                        0 => store.Create(key, ConfigMap(key.Name, key.Namespace)),
                        1 => store.Update(key, current => WithValue(current, $"{t}-{i}")),
                        _ => store.Delete(key),
                    };
                    versions.Add(written.ResourceVersion);
                }
                catch (Exception e) when (e is KeyExistsException or KeyNotFoundStorageException)
                {
                    // The other thread got there first; nothing was written.
                }
            }
            return versions;
        })));
        return [.. perThread.SelectMany(v => v)];
    }
}
