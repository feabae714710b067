using MiniApiServer.Hosting;

namespace MiniApiServer.Authentication.Webhook;

/// <summary>
/// kube-apiserver's webhook token authentication flags (<c>pkg/kubeapiserver/options/authentication.go</c>
/// <c>WithWebHook</c>), parsed and validated at start: the config file is read now, so a bad file stops the
/// start (exit 2) instead of failing the first request.
/// </summary>
public sealed record WebhookTokenOptions(string ConfigFile, WebhookKubeconfig Kubeconfig, TimeSpan CacheTtl, string Version)
{
    public const string ConfigFileFlag = "authentication-token-webhook-config-file";
    public const string CacheTtlFlag = "authentication-token-webhook-cache-ttl";
    public const string VersionFlag = "authentication-token-webhook-version";

    /// <summary>The webhook TokenReview versions kube-apiserver speaks; v1beta1 is still its default in 1.32.</summary>
    public static readonly IReadOnlyList<string> SupportedVersions = ["v1", "v1beta1"];

    public static IReadOnlyList<FlagDefinition> Flags { get; } =
    [
        new(ConfigFileFlag, FlagKind.String, "", "File with webhook configuration for token authentication in kubeconfig format. The API server will query the remote service to determine authentication for bearer tokens."),
        new(CacheTtlFlag, FlagKind.Duration, "2m0s", "The duration to cache responses from the webhook token authenticator."),
        new(VersionFlag, FlagKind.String, "v1beta1", "The API version of the authentication.k8s.io TokenReview to send to and expect from the webhook."),
    ];

    /// <summary>The options, or null when no config file is given (the mechanism is off).</summary>
    public static WebhookTokenOptions? FromFlags(FlagSet flags)
    {
        var file = flags.GetString(ConfigFileFlag);
        if (file.Length == 0) return null;
        var version = flags.GetString(VersionFlag);
        if (!SupportedVersions.Contains(version))
            throw new ConfigurationException($"--{VersionFlag}: unsupported authentication webhook version \"{version}\", supported versions are \"v1\", \"v1beta1\"");
        var path = Path.GetFullPath(file);
        return new WebhookTokenOptions(path, WebhookKubeconfig.Load(path, ConfigFileFlag), flags.GetDuration(CacheTtlFlag), version);
    }
}
