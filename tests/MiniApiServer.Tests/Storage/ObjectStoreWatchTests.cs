using MiniApiServer.Storage;
using static MiniApiServer.Tests.Storage.Objects;

namespace MiniApiServer.Tests.Storage;

/// <summary>Watch: every change after a resourceVersion, replayed from history then live, in order, exactly once.</summary>
public sealed class ObjectStoreWatchTests
{
    [Theory, MemberData(nameof(StoreFixture.Modes), MemberType = typeof(StoreFixture))]
    public async Task A_watch_receives_added_modified_and_deleted_in_resource_version_order(string mode)
    {
        using var fixture = StoreFixture.Open(mode);
        var store = fixture.Store;
        using var watch = store.Watch("configmaps", null, store.CurrentResourceVersion);

        var created = store.Create(Key("a"), ConfigMap("a"));
        var updated = store.Update(Key("a"), current => WithValue(current, "2"));
        var deleted = store.Delete(Key("a"));

        Assert.Equal(new WatchEvent(WatchEventType.Added, created), await watch.NextAsync());
        Assert.Equal(new WatchEvent(WatchEventType.Modified, updated, created), await watch.NextAsync());
        Assert.Equal(new WatchEvent(WatchEventType.Deleted, deleted), await watch.NextAsync());
        Assert.Empty(watch.Pending());
    }

    public static TheoryData<string, string?, string[]> Filters => new()
    {
        { "configmaps", null, ["configmaps/default/a @1", "configmaps/other/b @3"] },
        { "configmaps", "other", ["configmaps/other/b @3"] },
        { "configmaps", "nowhere", [] },
        { "secrets", "default", ["secrets/default/c @2"] },
        { "namespaces", null, ["namespaces//other @4"] },
    };

    [Theory, MemberData(nameof(Filters))]
    public void A_watch_sees_only_its_resource_and_namespace(string resource, string? ns, string[] expected)
    {
        using var fixture = StoreFixture.Open(StoreFixture.Memory);
        var store = fixture.Store;
        using var watch = store.Watch(resource, ns, 0);

        store.Create(Key("a", "default", "configmaps"), ConfigMap("a"));
        store.Create(Key("c", "default", "secrets"), ConfigMap("c"));
        store.Create(Key("b", "other", "configmaps"), ConfigMap("b", "other"));
        store.Create(Key("other", "", "namespaces"), ConfigMap("other", ""));

        Assert.Equal(expected, watch.Pending().Select(e => $"{e.Object.Key} @{e.Object.ResourceVersion}"));
    }

    [Theory, MemberData(nameof(StoreFixture.Modes), MemberType = typeof(StoreFixture))]
    public async Task A_watch_from_an_older_resource_version_replays_what_followed_then_continues_live(string mode)
    {
        using var fixture = StoreFixture.Open(mode);
        var store = fixture.Store;
        for (var i = 1; i <= 5; i++) store.Create(Key($"o{i}"), ConfigMap($"o{i}"));

        using var watch = store.Watch("configmaps", "default", 2);
        var replayed = watch.Pending();
        store.Delete(Key("o1"));

        Assert.Equal([3L, 4L, 5L], replayed.Select(e => e.Object.ResourceVersion));
        Assert.All(replayed, e => Assert.Equal(WatchEventType.Added, e.Type));
        var live = await watch.NextAsync();
        Assert.Equal("Deleted configmaps/default/o1 @6", live.Describe());
        Assert.Empty(watch.Pending());
    }

    public static TheoryData<long, string?> HistoryEdges => new()
    {
        // HistoryCapacity 3 after 5 changes holds resourceVersions 3, 4 and 5.
        { 0, "too old resource version: 0 (2)" },
        { 1, "too old resource version: 1 (2)" },
        { 2, null },
        { 5, null },
    };

    [Theory, MemberData(nameof(HistoryEdges))]
    public void A_watch_before_the_oldest_held_change_is_too_old(long from, string? error)
    {
        using var fixture = StoreFixture.Open(StoreFixture.Memory, new StoreOptions { HistoryCapacity = 3 });
        for (var i = 1; i <= 5; i++) fixture.Store.Create(Key($"o{i}"), ConfigMap($"o{i}"));

        if (error is null)
        {
            using var watch = fixture.Store.Watch("configmaps", null, from);
            Assert.Equal(Enumerable.Range((int)from + 1, 5 - (int)from).Select(rv => (long)rv), watch.Pending().Select(e => e.Object.ResourceVersion));
        }
        else
        {
            var tooOld = Assert.Throws<ResourceVersionTooOldException>(() => fixture.Store.Watch("configmaps", null, from));
            Assert.Equal(error, tooOld.Message);
            Assert.Equal((from, 2L), (tooOld.Requested, tooOld.Oldest));
        }
    }

    [Theory, MemberData(nameof(StoreFixture.Modes), MemberType = typeof(StoreFixture))]
    public async Task A_watcher_that_falls_behind_is_closed_without_holding_up_writers(string mode)
    {
        using var fixture = StoreFixture.Open(mode, new StoreOptions { WatcherBufferCapacity = 2 });
        var store = fixture.Store;
        using var slow = store.Watch("configmaps", null, 0);
        using var keepingUp = store.Watch("configmaps", null, 0);

        var delivered = new List<WatchEvent>();
        for (var i = 1; i <= 4; i++)
        {
            store.Create(Key($"o{i}"), ConfigMap($"o{i}"));
            delivered.AddRange(keepingUp.Pending());
        }

        // Everything before the overflow arrives in order, then the watch ends with the reason.
        Assert.Equal([1L, 2L], slow.Pending().Select(e => e.Object.ResourceVersion));
        var error = Assert.IsType<WatcherTooSlowException>(await slow.Events.CompletionErrorAsync());
        Assert.Equal(2, error.LastDeliveredResourceVersion);
        Assert.Equal([1L, 2L, 3L, 4L], delivered.Select(e => e.Object.ResourceVersion));
    }

    [Fact]
    public void A_long_replay_does_not_count_against_the_watcher_buffer()
    {
        using var fixture = StoreFixture.Open(StoreFixture.Memory, new StoreOptions { HistoryCapacity = 100, WatcherBufferCapacity = 1 });
        for (var i = 1; i <= 50; i++) fixture.Store.Create(Key($"o{i}"), ConfigMap($"o{i}"));

        using var watch = fixture.Store.Watch("configmaps", null, 0);
        fixture.Store.Create(Key("live"), ConfigMap("live"));

        Assert.Equal(Enumerable.Range(1, 51).Select(rv => (long)rv), watch.Pending().Select(e => e.Object.ResourceVersion));
        Assert.False(watch.Events.Completion.IsCompleted);
    }

    [Fact]
    public void A_watch_from_a_future_resource_version_starts_after_it()
    {
        using var fixture = StoreFixture.Open(StoreFixture.Memory);
        using var watch = fixture.Store.Watch("configmaps", null, 2);

        for (var i = 1; i <= 4; i++) fixture.Store.Create(Key($"o{i}"), ConfigMap($"o{i}"));

        Assert.Equal([3L, 4L], watch.Pending().Select(e => e.Object.ResourceVersion));
    }

    [Theory, MemberData(nameof(StoreFixture.Modes), MemberType = typeof(StoreFixture))]
    public async Task Disposing_a_watch_or_the_store_completes_the_watch(string mode)
    {
        using var fixture = StoreFixture.Open(mode);
        var stopped = fixture.Store.Watch("configmaps", null, 0);
        var open = fixture.Store.Watch("configmaps", null, 0);

        stopped.Dispose();
        fixture.Store.Create(Key("a"), ConfigMap("a"));
        fixture.Store.Dispose();

        Assert.Null(await stopped.Events.CompletionErrorAsync());
        Assert.Equal(["Added configmaps/default/a @1"], open.Pending().Select(e => e.Describe()));
        Assert.Null(await open.Events.CompletionErrorAsync());
    }

    [Theory, MemberData(nameof(StoreFixture.Modes), MemberType = typeof(StoreFixture))]
    public async Task Watches_started_while_writers_run_see_every_later_change_once_and_in_order(string mode)
    {
        const int writers = 4, writesPerWriter = 60;
        using var fixture = StoreFixture.Open(mode, new StoreOptions { WatcherBufferCapacity = writers * writesPerWriter * 3 });
        var store = fixture.Store;
        var watches = new List<(long From, IWatchSubscription Watch)>();

        var writing = Enumerable.Range(0, writers).Select(w => Task.Run(() =>
        {
            for (var i = 0; i < writesPerWriter; i++)
            {
                var key = Key($"w{w}-{i % 7}", $"ns{i % 3}");
                if (store.Get(key) is null) store.Create(key, ConfigMap(key.Name, key.Namespace));
                else if (i % 5 == 0) store.Delete(key);
                else store.Update(key, current => WithValue(current, i.ToString()));
            }
        })).ToArray();

        // Start a watcher at whatever point the writers have reached, wait for the next change, repeat.
        var allWritten = Task.WhenAll(writing);
        while (true)
        {
            var from = store.CurrentResourceVersion;
            var watch = store.Watch("configmaps", null, from);
            watches.Add((from, watch));
            if (await Task.WhenAny(watch.Events.WaitToReadAsync().AsTask(), allWritten) == allWritten) break;
        }
        await allWritten;
        var final = store.CurrentResourceVersion;

        Assert.NotEmpty(watches);
        foreach (var (from, watch) in watches)
        {
            // One resource, one counter: every resourceVersion after the start is exactly one event.
            var expected = Enumerable.Range((int)from + 1, (int)(final - from)).Select(rv => (long)rv);
            Assert.Equal(expected, watch.Pending().Select(e => e.Object.ResourceVersion));
            watch.Dispose();
        }
    }
}
