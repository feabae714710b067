namespace MiniApiServer.Hosting;

/// <summary>/readyz answers 200 only once the server can take requests: authenticators initialised,
/// system objects present, kubeconfigs written.</summary>
public sealed class ServerReadiness
{
    volatile bool ready;
    public bool IsReady => ready;
    public void MarkReady() => ready = true;
}
