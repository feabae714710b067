using System.Text.Json.Nodes;
using k8s.Models;
using MiniApiServer.Api.Json;
using MiniApiServer.Api.Tables;
using MiniApiServer.Api.Types;

namespace MiniApiServer.Registry.Core;

/// <summary>ServiceAccounts (kube's <c>pkg/registry/core/serviceaccount</c>).</summary>
public sealed class ServiceAccountStrategy() : GenericStrategy(namespaced: true)
{
    public static ResourceDefinition Definition { get; } = new()
    {
        Group = "", Version = "v1", Kind = "ServiceAccount", Plural = "serviceaccounts", Singular = "serviceaccount", Namespaced = true,
        ModelType = typeof(V1ServiceAccount), ListModelType = typeof(V1ServiceAccountList), ShortNames = ["sa"],
        // The TokenRequest API (Api/TokenRequests serves the POST); discovery lists it as kube does.
        Subresources = [new("token", "TokenRequest", ["create"], typeof(Authenticationv1TokenRequest), "authentication.k8s.io", "v1")],
        Strategy = new ServiceAccountStrategy(),
    };

    public override IReadOnlyList<TableColumnDefinition> Columns { get; } =
    [
        TableColumns.Name,
        TableColumns.Column("Secrets", "string", "Secrets is a list of the secrets in the same namespace that pods running using this ServiceAccount are allowed to use."),
        TableColumns.Age,
    ];

    public override IReadOnlyList<object?> Cells(JsonObject obj, DateTimeOffset now) =>
        [obj.Name(), (long)(obj.ArrAt("secrets")?.Count ?? 0), TableColumns.AgeOf(obj, now)];
}
