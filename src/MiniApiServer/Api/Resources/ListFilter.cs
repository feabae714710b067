using System.Text.Json.Nodes;
using Microsoft.AspNetCore.Http;
using MiniApiServer.Api.Errors;
using MiniApiServer.Api.Json;
using MiniApiServer.Api.Selectors;
using MiniApiServer.Registry;

namespace MiniApiServer.Api.Resources;

/// <summary>The labelSelector and fieldSelector of a list or watch, checked against what the kind supports.</summary>
public sealed class ListFilter
{
    readonly LabelSelector? labels;
    readonly FieldSelector? fields;
    readonly ResourceDefinition def;

    ListFilter(ResourceDefinition def, LabelSelector? labels, FieldSelector? fields)
    {
        this.def = def;
        this.labels = labels;
        this.fields = fields;
    }

    public static ListFilter FromQuery(ResourceDefinition def, IQueryCollection query)
    {
        var labelText = query["labelSelector"].ToString();
        var fieldText = query["fieldSelector"].ToString();
        var labels = labelText.Length > 0 ? LabelSelector.Parse(labelText) : null;
        FieldSelector? fields = null;
        if (fieldText.Length > 0) fields = FieldSelector.Parse(fieldText).Convert(def.Strategy.FieldLabels);
        return new ListFilter(def, labels, fields);
    }

    public bool Matches(JsonObject obj) =>
        (labels is null || labels.Matches(obj.Labels()))
        && (fields is null || fields.Matches(f => def.Strategy.FieldValue(obj, f)));
}
