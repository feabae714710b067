namespace MiniApiServer.Authentication.Bearer;

/// <summary>
/// Warnings a token authenticator has for the client (k8s.io/apiserver <c>warning.AddWarning(ctx, …)</c>, e.g. the
/// service-account authenticator's warning about a legacy secret-based token), carried with the call like
/// <see cref="TokenAudiences"/>: the request's authenticator opens a recorder (<c>using var w = TokenWarnings.Record();</c>),
/// token authenticators call <see cref="Add"/>, and the request writes what was recorded as <c>Warning: 299</c>
/// headers. The token cache records them with the answer and replays them on every hit, as kube's cached token
/// authenticator does, so a cached answer warns exactly as a fresh one.
/// </summary>
public static class TokenWarnings
{
    static readonly AsyncLocal<Recorder?> Ambient = new();

    /// <summary>Adds a warning for the current request; without a recorder (no request listens) it is dropped.</summary>
    public static void Add(string warning) => Ambient.Value?.Add(warning);

    /// <summary>Starts recording the warnings of the calls made until the recorder is disposed.</summary>
    public static Recorder Record()
    {
        var recorder = new Recorder(Ambient.Value);
        Ambient.Value = recorder;
        return recorder;
    }

    public sealed class Recorder : IDisposable
    {
        readonly Recorder? previous;
        readonly List<string> warnings = [];

        internal Recorder(Recorder? previous) => this.previous = previous;

        /// <summary>What was recorded, in order, each text once.</summary>
        public IReadOnlyList<string> Warnings
        {
            get { lock (warnings) return [.. warnings]; }
        }

        internal void Add(string warning)
        {
            lock (warnings)
                if (!warnings.Contains(warning)) warnings.Add(warning);
        }

        public void Dispose() => Ambient.Value = previous;
    }
}
