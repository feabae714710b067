using System.Text.Json.Nodes;

namespace MiniApiServer.Runtime.Streaming;

/// <summary>
/// The channel protocol of exec over WebSocket (k8s.io/apimachinery pkg/util/remotecommand/constants.go and
/// client-go tools/remotecommand/websocket.go): every binary message starts with its channel byte.
/// </summary>
public static class RemoteCommand
{
    /// <summary>Adds the CLOSE signal (channel 255, then the channel being closed) for half-closing stdin.</summary>
    public const string V5 = "v5.channel.k8s.io";
    public const string V4 = "v4.channel.k8s.io";

    public const byte Stdin = 0;
    public const byte Stdout = 1;
    public const byte Stderr = 2;
    /// <summary>The error channel: one metav1.Status JSON when the command ends.</summary>
    public const byte Error = 3;
    /// <summary>Terminal size changes from the client (<c>{"Width":80,"Height":24}</c>), with a TTY.</summary>
    public const byte Resize = 4;
    public const byte Close = 255;

    /// <summary>The protocol to answer with: v5 when offered, else v4, else null.</summary>
    public static string? Negotiate(IEnumerable<string> offered)
    {
        var list = offered.Select(p => p.Trim()).ToList();
        return list.Contains(V5) ? V5 : list.Contains(V4) ? V4 : null;
    }

    /// <summary>
    /// The status the kubelet writes on the error channel (v4 and later): Success, or a NonZeroExitCode Failure
    /// whose ExitCode cause carries the code that kubectl exits with.
    /// </summary>
    public static JsonObject ExitStatus(int exitCode, IReadOnlyList<string> command)
    {
        if (exitCode == 0) return new JsonObject { ["metadata"] = new JsonObject(), ["status"] = "Success" };
        return new JsonObject
        {
            ["metadata"] = new JsonObject(),
            ["status"] = "Failure",
            ["message"] = $"command terminated with non-zero exit code: error executing command [{string.Join(' ', command)}], exit code {exitCode}",
            ["reason"] = "NonZeroExitCode",
            ["details"] = new JsonObject
            {
                ["causes"] = new JsonArray(new JsonObject { ["reason"] = "ExitCode", ["message"] = exitCode.ToString(System.Globalization.CultureInfo.InvariantCulture) }),
            },
        };
    }
}
