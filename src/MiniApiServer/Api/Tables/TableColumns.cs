using System.Text.Json.Nodes;
using MiniApiServer.Api.Json;
using MiniApiServer.Api.Types;

namespace MiniApiServer.Api.Tables;

/// <summary>Column definitions shared by kinds, with the descriptions kube-apiserver's printers give them.</summary>
public static class TableColumns
{
    public static readonly TableColumnDefinition Name = new("Name", "string", "name",
        "Name must be unique within a namespace. Is required when creating resources, although some resources may allow a client to request the generation of an appropriate name automatically. Name is primarily intended for creation idempotence and configuration definition. Cannot be updated. More info: https://kubernetes.io/docs/concepts/overview/working-with-objects/names#names", 0);

    public static readonly TableColumnDefinition Age = new("Age", "string", "",
        "CreationTimestamp is a timestamp representing the server time when this object was created. It is not guaranteed to be set in happens-before order across separate operations. Clients may not set this value. It is represented in RFC3339 form and is in UTC.\n\nPopulated by the system. Read-only. Null for lists. More info: https://git.k8s.io/community/contributors/devel/sig-architecture/api-conventions.md#metadata", 0);

    public static TableColumnDefinition Column(string name, string type, string description, int priority = 0, string format = "") =>
        new(name, type, format, description, priority);

    /// <summary>The Age cell: "&lt;unknown&gt;" without a creation time, else apimachinery's HumanDuration.</summary>
    public static string AgeOf(JsonObject obj, DateTimeOffset now) =>
        obj.Time("metadata", "creationTimestamp") is { } t ? HumanDuration.Format(now - t) : "<unknown>";

    public static string Since(DateTimeOffset? t, DateTimeOffset now) => t is { } v ? HumanDuration.Format(now - v) : "<unknown>";
}
