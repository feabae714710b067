using System.Text.Json.Nodes;
using MiniApiServer.Api.Json;
using MiniApiServer.Api.Types;
using MiniApiServer.Registry;

namespace MiniApiServer.Api.Tables;

/// <summary>
/// Objects to meta.k8s.io/v1 Tables, as kube-apiserver's TableConvertor does: the kind's columns and cells,
/// and per row the object as asked by <c>includeObject</c> (default Metadata: a PartialObjectMetadata,
/// which kubectl needs for the NAMESPACE column of <c>-A</c> and for <c>--show-labels</c>).
/// </summary>
public static class TableConverter
{
    public static Table Convert(ResourceDefinition def, IEnumerable<JsonObject> objects, DateTimeOffset now, string? includeObject, string? resourceVersion, string? continueToken = null, bool noHeaders = false) => new()
    {
        Metadata = new ListMeta { ResourceVersion = resourceVersion, Continue = continueToken },
        ColumnDefinitions = noHeaders ? [] : def.Strategy.Columns,
        Rows = objects.Select(o => new TableRow { Cells = def.Strategy.Cells(o, now), Object = RowObject(def, o, includeObject) }).ToList(),
    };

    static JsonObject? RowObject(ResourceDefinition def, JsonObject obj, string? includeObject) => includeObject switch
    {
        "None" => null,
        "Object" => WithTypeMeta(def, obj),
        _ => PartialObjectMetadata(obj),
    };

    static JsonObject WithTypeMeta(ResourceDefinition def, JsonObject obj)
    {
        var o = obj.Clone();
        o["apiVersion"] = def.ApiVersion;
        o["kind"] = def.Kind;
        return o;
    }

    public static JsonObject PartialObjectMetadata(JsonObject obj) => new()
    {
        ["kind"] = "PartialObjectMetadata",
        ["apiVersion"] = "meta.k8s.io/v1",
        ["metadata"] = obj["metadata"]?.DeepClone() ?? new JsonObject(),
    };
}
