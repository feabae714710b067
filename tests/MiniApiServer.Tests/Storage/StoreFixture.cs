using System.Text.Json.Nodes;
using System.Threading.Channels;
using MiniApiServer.Storage;

namespace MiniApiServer.Tests.Storage;

/// <summary>
/// A store under test in one of its two modes. Every behaviour test runs against both, so the file and
/// the memory store cannot drift apart. File mode lives in its own temporary directory.
/// </summary>
internal sealed class StoreFixture : IDisposable
{
    public const string File = "file";
    public const string Memory = "memory";

    public static TheoryData<string> Modes => [File, Memory];

    private readonly string? _directory;
    private readonly StoreOptions? _options;

    private StoreFixture(string mode, StoreOptions? options)
    {
        _options = options;
        if (mode == File)
        {
            _directory = Directory.CreateTempSubdirectory("miniapiserver-store-").FullName;
            Store = LiteDbObjectStore.OpenFile(DatabasePath, options);
        }
        else
        {
            Store = LiteDbObjectStore.InMemory(options);
        }
    }

    public static StoreFixture Open(string mode, StoreOptions? options = null) => new(mode, options);

    public LiteDbObjectStore Store { get; private set; }

    public string DatabasePath => Path.Combine(_directory ?? throw new InvalidOperationException("memory store has no file"), "miniapiserver.db");

    /// <summary>Closes the file store as the host does on SIGTERM and opens it again.</summary>
    public LiteDbObjectStore Restart()
    {
        Store.Dispose();
        Store = LiteDbObjectStore.OpenFile(DatabasePath, _options);
        return Store;
    }

    public void Dispose()
    {
        Store.Dispose();
        if (_directory is not null) Directory.Delete(_directory, recursive: true);
    }
}

internal static class Objects
{
    public static ObjectKey Key(string name, string ns = "default", string resource = "configmaps") => new(resource, ns, name);

    /// <summary>A ConfigMap-shaped object with a uid, as the API layer would store it.</summary>
    public static JsonObject ConfigMap(string name, string ns = "default", string value = "1") => new()
    {
        ["apiVersion"] = "v1",
        ["kind"] = "ConfigMap",
        ["metadata"] = new JsonObject { ["name"] = name, ["namespace"] = ns, ["uid"] = Guid.NewGuid().ToString() },
        ["data"] = new JsonObject { ["value"] = value },
    };

    public static JsonObject WithValue(JsonObject? obj, string value)
    {
        obj!["data"]!["value"] = value;
        return obj;
    }

    public static string? ResourceVersionField(JsonObject obj) => (string?)obj["metadata"]?["resourceVersion"];
}

internal static class Events
{
    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(30);

    /// <summary>Reads the next event; the timeout only turns a missing event into a failure, it never paces the test.</summary>
    public static async Task<WatchEvent> NextAsync(this IWatchSubscription watch)
    {
        using var timeout = new CancellationTokenSource(Patience);
        return await watch.Events.ReadAsync(timeout.Token);
    }

    /// <summary>Events already delivered. Writes publish before they return, so nothing is still on its way.</summary>
    public static List<WatchEvent> Pending(this IWatchSubscription watch)
    {
        var events = new List<WatchEvent>();
        while (watch.Events.TryRead(out var change)) events.Add(change);
        return events;
    }

    public static string Describe(this WatchEvent change) =>
        $"{change.Type} {change.Object.Key} @{change.Object.ResourceVersion}";

    public static async Task<Exception?> CompletionErrorAsync(this ChannelReader<WatchEvent> reader)
    {
        using var timeout = new CancellationTokenSource(Patience);
        try
        {
            await reader.Completion.WaitAsync(timeout.Token);
            return null;
        }
        catch (OperationCanceledException) when (timeout.IsCancellationRequested)
        {
            throw new TimeoutException("the watch did not complete");
        }
        catch (Exception e)
        {
            return e;
        }
    }
}
