using k8s.Models;
using MiniApiServer.Api.Errors;

namespace MiniApiServer.Api.Apply;

/// <summary>One field another manager owns with a different value (SMD's <c>merge.Conflict</c>).</summary>
internal sealed record ApplyConflict(ManagerId Manager, FieldPath Path);

/// <summary>Raised inside the field manager when an apply meets conflicts and is not forced.</summary>
internal sealed class ApplyConflictsException(IReadOnlyList<ApplyConflict> conflicts) : Exception("apply conflicts")
{
    public IReadOnlyList<ApplyConflict> Conflicts { get; } = conflicts;

    /// <summary>The conflicts of each manager's conflicting set, managers in identifier order, paths in set order.</summary>
    public static ApplyConflictsException From(IEnumerable<KeyValuePair<ManagerId, FieldSet>> sets) =>
        new(sets.OrderBy(s => s.Key.Json, StringComparer.Ordinal)
            .SelectMany(s => s.Value.Paths.Select(p => new ApplyConflict(s.Key, p)))
            .ToList());

    /// <summary>
    /// kube's <c>NewConflictError</c>: 409, reason Conflict, one cause per field with reason
    /// FieldManagerConflict. One conflict reads
    /// <c>Apply failed with 1 conflict: conflict with "m" using v1: .metadata.labels.app</c>; several are
    /// grouped by manager (sorted), one <c>- path</c> line each.
    /// </summary>
    public ApiException ToApiException()
    {
        var causes = Conflicts.Select(c => new V1StatusCause
        {
            Reason = "FieldManagerConflict",
            Message = $"conflict with {c.Manager.Describe()}",
            Field = c.Path.ToString(),
        }).ToList();
        return new ApiException(StatusErrors.Failure(409, "Conflict", StatusMessage(), new V1StatusDetails { Causes = causes }));
    }

    string StatusMessage()
    {
        if (Conflicts.Count == 1)
            return $"Apply failed with 1 conflict: conflict with {Conflicts[0].Manager.Describe()}: {Conflicts[0].Path}";
        var lines = new List<string>();
        foreach (var group in Conflicts.GroupBy(c => c.Manager).OrderBy(g => g.Key.Json, StringComparer.Ordinal))
        {
            lines.Add($"conflicts with {group.Key.Describe()}:");
            lines.AddRange(group.Select(c => $"- {c.Path}"));
        }
        return $"Apply failed with {Conflicts.Count} conflicts: {string.Join("\n", lines)}";
    }
}
