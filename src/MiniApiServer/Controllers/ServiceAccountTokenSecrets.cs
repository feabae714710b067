using System.Text.Json.Nodes;
using MiniApiServer.Api.Json;
using MiniApiServer.Registry.Core;

namespace MiniApiServer.Controllers;

/// <summary>
/// What makes a Secret a service account's token (core/v1 constants and apiserver's
/// <c>serviceaccount.IsServiceAccountToken</c>): type <c>kubernetes.io/service-account-token</c>, the
/// <c>kubernetes.io/service-account.name</c> annotation naming the account, and a
/// <c>kubernetes.io/service-account.uid</c> annotation that, when present, must be the account's uid.
/// </summary>
public static class ServiceAccountTokenSecrets
{
    public const string NameAnnotation = "kubernetes.io/service-account.name";
    public const string UidAnnotation = "kubernetes.io/service-account.uid";

    /// <summary>The data keys the tokens controller fills (v1.ServiceAccountTokenKey, RootCAKey, NamespaceKey).</summary>
    public const string TokenKey = "token";
    public const string RootCaKey = "ca.crt";
    public const string NamespaceKey = "namespace";

    public static bool IsTokenSecret(JsonObject secret) => secret.Str("type") == SecretStrategy.ServiceAccountTokenType;

    public static string? AccountName(JsonObject secret) => secret.Str("metadata", "annotations", NameAnnotation);

    public static string? AccountUid(JsonObject secret) => secret.Str("metadata", "annotations", UidAnnotation);

    /// <summary>True when <paramref name="secret"/> is a token of <paramref name="serviceAccount"/>: the right
    /// type, the account's name, and its uid unless the Secret has no uid annotation yet.</summary>
    public static bool BelongsTo(JsonObject secret, JsonObject serviceAccount) =>
        IsTokenSecret(secret)
        && AccountName(secret) == serviceAccount.Name()
        && (AccountUid(secret) is not { Length: > 0 } uid || uid == serviceAccount.Uid());

    /// <summary>The names in the account's <c>secrets</c> list, in order.</summary>
    public static IReadOnlyList<string> ReferencedNames(JsonObject serviceAccount) =>
        serviceAccount.ArrAt("secrets")?.OfType<JsonObject>().Select(r => r.Str("name")).OfType<string>().ToList() ?? [];
}
