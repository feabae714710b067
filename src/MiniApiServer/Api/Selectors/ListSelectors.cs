using MiniApiServer.Api.Errors;

namespace MiniApiServer.Api.Selectors;

/// <summary>
/// The selectors of one list, watch or deletecollection request, read as kube-apiserver reads them:
/// the label selector is decoded first, then the field selector, then the field selector is converted
/// with the kind's field labels. The first failure is a 400 BadRequest carrying kube's message.
/// </summary>
public sealed record ListSelectors(LabelSelector Labels, FieldSelector Fields)
{
    public static ListSelectors Everything { get; } = new(LabelSelector.Everything, FieldSelector.Everything);

    /// <exception cref="ApiException">400 BadRequest for a malformed selector or an unsupported field label.</exception>
    public static ListSelectors FromQuery(string? labelSelector, string? fieldSelector, FieldLabelSet fieldLabels) =>
        new(LabelSelector.Parse(labelSelector), FieldSelector.Parse(fieldSelector).Convert(fieldLabels));

    /// <summary>Whether an object with these labels and this field getter is selected.</summary>
    public bool Matches(IReadOnlyDictionary<string, string>? labels, Func<string, string?> getField) =>
        Labels.Matches(labels) && Fields.Matches(getField);
}
