using System.Globalization;
using System.Text.Json.Nodes;
using MiniApiServer.Api.Json;
using MiniApiServer.Api.Resources;
using MiniApiServer.Registry.Core;

namespace MiniApiServer.Authentication.ServiceAccounts;

/// <summary>
/// LegacyServiceAccountTokenTracking (GA 1.28, legacy.go patchSecretWithLastUsedDate): every authenticated use
/// of a Secret-based token labels its Secret <c>kubernetes.io/legacy-token-last-used: YYYY-MM-DD</c> (UTC),
/// written at most once a day — not when the label already says today, or tomorrow (a clock behind another
/// server's). The write is a merge patch by the API server itself (field manager <c>kube-apiserver</c>),
/// so it shows in resourceVersion, watches and managedFields; a failed write is only logged.
/// </summary>
public sealed class LegacyTokenTracker(Func<ResourceRest> rest, TimeProvider time, ILogger logger)
{
    public const string LastUsedLabel = "kubernetes.io/legacy-token-last-used";

    /// <summary>The loopback identity kube-apiserver writes with.</summary>
    static readonly UserInfo ApiServer = new("system:apiserver", "", [UserInfo.Masters], UserInfo.NoExtra);

    public void MarkUsed(JsonObject secret)
    {
        var now = time.GetUtcNow().UtcDateTime;
        var today = now.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture);
        var tomorrow = now.AddDays(1).ToString("yyyy-MM-dd", CultureInfo.InvariantCulture);
        var lastUsed = secret.Labels().GetValueOrDefault(LastUsedLabel);
        if (lastUsed == today || lastUsed == tomorrow) return;

        var patch = new JsonObject
        {
            ["metadata"] = new JsonObject { ["labels"] = new JsonObject { [LastUsedLabel] = today } },
        };
        try
        {
            rest().Patch(SecretStrategy.Definition, secret.Namespace(), secret.Name(), PatchTypes.Merge, patch,
                new WriteOptions { FieldManager = "kube-apiserver", User = ApiServer });
        }
        catch (Exception e)
        {
            logger.LogError("Failed to label legacy service account token {Name}/{Namespace} with last-used date, err: {Error}", secret.Name(), secret.Namespace(), e.Message);
        }
    }
}
