using Microsoft.Extensions.Logging;
using MiniApiServer.Hosting;

namespace MiniApiServer.Authentication.TokenFile;

/// <summary>The <c>--token-auth-file</c> setting: the static token CSV, or none (mechanism off).</summary>
public sealed record TokenFileOptions(string Path)
{
    public const string FlagName = "token-auth-file";

    /// <summary>kube-apiserver's flag, with its help text (pkg/kubeapiserver/options/authentication.go).</summary>
    public static IReadOnlyList<FlagDefinition> Flags { get; } =
    [
        new(FlagName, FlagKind.String, "", "If set, the file that will be used to secure the secure port of the API server via token authentication."),
    ];

    /// <summary>
    /// Null when the mechanism is off. The flag wins when given (an explicit empty value switches the mechanism
    /// off); otherwise <paramref name="fixtureDefault"/> (the run script's fixture file) applies, if any.
    /// A file that does not exist is a <see cref="ConfigurationException"/> now, not at the first request.
    /// </summary>
    public static TokenFileOptions? FromFlags(FlagSet flags, string? fixtureDefault = null)
    {
        var path = flags.IsSet(FlagName) ? flags.GetString(FlagName) : fixtureDefault ?? "";
        if (path.Length == 0)
        {
            return null;
        }
        var full = System.IO.Path.GetFullPath(path);
        if (!File.Exists(full))
        {
            throw new ConfigurationException($"--{FlagName}: token file '{path}' does not exist");
        }
        return new TokenFileOptions(full);
    }

    /// <summary>Reads the file once (kube never reloads it); a malformed file is a <see cref="ConfigurationException"/>.</summary>
    public TokenFileAuthenticator CreateAuthenticator(ILoggerFactory loggers) =>
        TokenFileAuthenticator.Load(Path, loggers.CreateLogger("MiniApiServer.Authentication.TokenFile"));
}
