using System.Text;
using System.Text.Json.Nodes;
using k8s.Models;
using MiniApiServer.Api.Errors;
using MiniApiServer.Api.Json;
using MiniApiServer.Api.Selectors;
using MiniApiServer.Api.Tables;
using MiniApiServer.Api.Types;

namespace MiniApiServer.Registry.Core;

/// <summary>Secrets (kube's <c>pkg/registry/core/secret</c> and the type rules of ValidateSecret).</summary>
public sealed class SecretStrategy() : GenericStrategy(namespaced: true)
{
    public const string Opaque = "Opaque";
    public const string ServiceAccountTokenType = "kubernetes.io/service-account-token";
    public const string TlsType = "kubernetes.io/tls";
    public const string DockerConfigJsonType = "kubernetes.io/dockerconfigjson";
    public const string DockerConfigType = "kubernetes.io/dockercfg";
    public const string BasicAuthType = "kubernetes.io/basic-auth";
    public const string SshAuthType = "kubernetes.io/ssh-auth";
    public const string BootstrapTokenType = "bootstrap.kubernetes.io/token";

    public static ResourceDefinition Definition { get; } = new()
    {
        Group = "", Version = "v1", Kind = "Secret", Plural = "secrets", Singular = "secret", Namespaced = true,
        ModelType = typeof(V1Secret), ListModelType = typeof(V1SecretList),
        Strategy = new SecretStrategy(),
    };

    static readonly (string, bool)[] Maps = [("data", true)];

    /// <summary>stringData is write-only: its entries overwrite data (base64-encoded), as the v1 conversion
    /// does; an empty type is Opaque (SetDefaults_Secret).</summary>
    public override void ApplyDefaults(JsonObject obj)
    {
        if (obj.ObjAt("stringData") is { } stringData)
        {
            var data = obj.Ensure("data");
            foreach (var (k, v) in stringData)
                data[k] = Convert.ToBase64String(Encoding.UTF8.GetBytes(v is JsonValue jv && jv.TryGetValue<string>(out var s) ? s : ""));
            obj.Remove("stringData");
        }
        if (obj.Str("type") is null or "") obj["type"] = Opaque;
    }

    public override IEnumerable<FieldError> Validate(JsonObject obj, OperationContext ctx) =>
        base.Validate(obj, ctx).Concat(ValidateSecret(obj));

    public override IEnumerable<FieldError> ValidateUpdate(JsonObject obj, JsonObject old, OperationContext ctx)
    {
        var errors = base.ValidateUpdate(obj, old, ctx).Concat(ValidateSecret(obj)).Concat(DataValidation.ValidateImmutable(obj, old, ["data"]));
        if (obj.Str("type") != old.Str("type"))
            errors = errors.Append(FieldError.Invalid("type", obj.Str("type"), "field is immutable"));
        return errors;
    }

    static IEnumerable<FieldError> ValidateSecret(JsonObject obj)
    {
        foreach (var e in DataValidation.ValidateDataMaps(obj, Maps)) yield return e;
        var data = obj.ObjAt("data");
        bool Has(string key) => data?.ContainsKey(key) == true;
        switch (obj.Str("type"))
        {
            case ServiceAccountTokenType:
                if (obj.Str("metadata", "annotations", "kubernetes.io/service-account.name") is null or "")
                    yield return FieldError.Required("metadata.annotations[kubernetes.io/service-account.name]");
                break;
            case TlsType:
                if (!Has("tls.crt")) yield return FieldError.Required("data[tls.crt]");
                if (!Has("tls.key")) yield return FieldError.Required("data[tls.key]");
                break;
            case DockerConfigJsonType:
                if (!Has(".dockerconfigjson")) yield return FieldError.Required("data[.dockerconfigjson]");
                else if (JsonError(data!.Str(".dockerconfigjson")) is { } error)
                    // kube's ValidateSecret unmarshals the config and never echoes the secret in the error.
                    yield return FieldError.Invalid("data[.dockerconfigjson]", "<secret contents redacted>", error);
                break;
            case DockerConfigType:
                if (!Has(".dockercfg")) yield return FieldError.Required("data[.dockercfg]");
                break;
            case BasicAuthType:
                if (!Has("username") && !Has("password"))
                    yield return FieldError.Required("data[username]");
                break;
            case SshAuthType:
                if (!Has("ssh-privatekey")) yield return FieldError.Required("data[ssh-privatekey]");
                break;
        }
    }

    /// <summary>Why the base64 value is not a JSON document, or null when it is.</summary>
    static string? JsonError(string? base64)
    {
        try
        {
            using var _ = System.Text.Json.JsonDocument.Parse(Convert.FromBase64String(base64 ?? ""));
            return null;
        }
        catch (Exception e) when (e is FormatException or System.Text.Json.JsonException)
        {
            return e.Message;
        }
    }

    public override IReadOnlyList<TableColumnDefinition> Columns { get; } =
    [
        TableColumns.Name,
        TableColumns.Column("Type", "string", "The type of data stored in the secret"),
        TableColumns.Column("Data", "string", "The number of entries in the secret"),
        TableColumns.Age,
    ];

    public override IReadOnlyList<object?> Cells(JsonObject obj, DateTimeOffset now) =>
        [obj.Name(), obj.Str("type") ?? "", (long)(obj.ObjAt("data")?.Count ?? 0), TableColumns.AgeOf(obj, now)];

    public override FieldLabelSet FieldLabels => FieldLabelSet.Secret;

    public override string? FieldValue(JsonObject obj, string field) => field == "type" ? obj.Str("type") ?? "" : base.FieldValue(obj, field);
}
