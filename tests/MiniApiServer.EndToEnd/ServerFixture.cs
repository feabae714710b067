namespace MiniApiServer.EndToEnd;

/// <summary>
/// One server process shared by the tests of a class (xunit class fixture). Tests that share it do not
/// interfere: each works in its own namespace (<see cref="NewNamespaceAsync"/>) with its own kubectl cache.
/// </summary>
public sealed class ServerFixture : IAsyncLifetime
{
    ServerProcess? server;

    public ServerProcess Server => server ?? throw new InvalidOperationException("the server is not started");

    public async Task InitializeAsync() => server = await ServerProcess.StartAsync();

    public async Task DisposeAsync()
    {
        if (server is not null) await server.DisposeAsync();
    }

    /// <summary>kubectl (the dispatcher, or one named build) pointed at this server as the admin user.</summary>
    public Kubectl Kubectl(string? version = null) => new(Server.AdminKubeconfig, version);

    /// <summary>Creates a namespace no other test uses and returns its name.</summary>
    public static async Task<string> NewNamespaceAsync(Kubectl k, string prefix)
    {
        var ns = $"{prefix}-{Guid.NewGuid().ToString("N")[..8]}";
        Assert.Equal($"namespace/{ns} created", (await k.OkAsync("create", "namespace", ns)).Trim());
        return ns;
    }
}

/// <summary>A temp folder for a test's manifests and keys, removed at the end of the test.</summary>
public sealed class TempDir : IDisposable
{
    public string Path { get; } = System.IO.Path.Combine(System.IO.Path.GetTempPath(), "miniapiserver-e2e-files", Guid.NewGuid().ToString("N"));

    public TempDir() => Directory.CreateDirectory(Path);

    /// <summary>Writes <paramref name="text"/> to <paramref name="name"/> in the folder and returns the full path.</summary>
    public string Write(string name, string text)
    {
        var file = System.IO.Path.Combine(Path, name);
        File.WriteAllText(file, text);
        return file;
    }

    public void Dispose()
    {
        try { Directory.Delete(Path, recursive: true); } catch (IOException) { }
    }
}

/// <summary>Polling with a deadline, for state that settles asynchronously (controllers) and has no kubectl wait.</summary>
public static class Eventually
{
    public static async Task<T> HoldsAsync<T>(Func<Task<T>> probe, Func<T, bool> done, string what, TimeSpan? timeout = null)
    {
        var deadline = DateTimeOffset.UtcNow + (timeout ?? TimeSpan.FromSeconds(30));
        while (true)
        {
            var value = await probe();
            if (done(value)) return value;
            if (DateTimeOffset.UtcNow > deadline) Assert.Fail($"{what} did not happen in time; last seen: {value}");
            await Task.Delay(200);
        }
    }
}
