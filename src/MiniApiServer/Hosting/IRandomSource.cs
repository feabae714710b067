namespace MiniApiServer.Hosting;

/// <summary>Randomness the server hands out (UIDs, generated name suffixes), injected so tests can fix it.</summary>
public interface IRandomSource
{
    Guid NewUid();

    /// <summary>The generator behind generated names and other random choices.</summary>
    Random Random { get; }
}

public sealed class SystemRandomSource : IRandomSource
{
    public Guid NewUid() => Guid.NewGuid();
    public Random Random => Random.Shared;
}
