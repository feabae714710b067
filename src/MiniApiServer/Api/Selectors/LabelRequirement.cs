using System.Globalization;
using MiniApiServer.Api.Errors;
using MiniApiServer.Registry.Validation;

namespace MiniApiServer.Api.Selectors;

/// <summary>
/// One requirement of a label selector (<c>labels.Requirement</c>): a key, an operator and its values.
/// Built only through <see cref="TryCreate"/>, which applies <c>labels.NewRequirement</c>'s checks.
/// </summary>
public sealed class LabelRequirement
{
    LabelRequirement(string key, SelectorOperator op, IReadOnlyList<string> values) => (Key, Operator, Values) = (key, op, values);

    /// <summary>A requirement over values already known to be valid (labels.SelectorFromValidatedSet does not re-check).</summary>
    internal static LabelRequirement Unchecked(string key, SelectorOperator op, IReadOnlyList<string> values) => new(key, op, values);

    public string Key { get; }
    public SelectorOperator Operator { get; }
    public IReadOnlyList<string> Values { get; }

    /// <summary>
    /// <c>labels.NewRequirement</c>: the key must be a qualified name, the values fit the operator and be
    /// valid label values. On failure <paramref name="error"/> is kube's message: one field error, or several
    /// as "[e1, e2]" (an aggregate), with paths "key", "values" and "values[i][key]".
    /// </summary>
    public static bool TryCreate(string key, SelectorOperator op, IReadOnlyList<string> values, out LabelRequirement? requirement, out string? error)
    {
        var errs = new List<FieldError>();
        var keyErrors = NameValidation.IsQualifiedName(key);
        if (keyErrors.Count > 0) errs.Add(FieldError.Invalid("key", key, string.Join("; ", keyErrors)));

        switch (op)
        {
            case SelectorOperator.In or SelectorOperator.NotIn when values.Count == 0:
                errs.Add(FieldError.Invalid("values", GoValue.StringSlice(values), "for 'in', 'notin' operators, values set can't be empty"));
                break;
            case SelectorOperator.Equals or SelectorOperator.DoubleEquals or SelectorOperator.NotEquals when values.Count != 1:
                errs.Add(FieldError.Invalid("values", GoValue.StringSlice(values), "exact-match compatibility requires one single value"));
                break;
            case SelectorOperator.Exists or SelectorOperator.DoesNotExist when values.Count != 0:
                errs.Add(FieldError.Invalid("values", GoValue.StringSlice(values), "values set must be empty for exists and does not exist"));
                break;
            case SelectorOperator.GreaterThan or SelectorOperator.LessThan:
                if (values.Count != 1)
                    errs.Add(FieldError.Invalid("values", GoValue.StringSlice(values), "for 'Gt', 'Lt' operators, exactly one value is required"));
                for (var i = 0; i < values.Count; i++)
                    if (!TryParseInt64(values[i], out _))
                        errs.Add(FieldError.Invalid($"values[{i}]", values[i], "for 'Gt', 'Lt' operators, the value must be an integer"));
                break;
        }
        for (var i = 0; i < values.Count; i++)
        {
            var valueErrors = NameValidation.IsValidLabelValue(values[i]);
            if (valueErrors.Count > 0) errs.Add(FieldError.Invalid($"values[{i}][{key}]", values[i], string.Join("; ", valueErrors)));
        }

        if (errs.Count > 0)
        {
            requirement = null;
            error = Aggregate(errs.Select(e => e.ToString()));
            return false;
        }
        requirement = new LabelRequirement(key, op, values.ToArray());
        error = null;
        return true;
    }

    /// <summary>
    /// Whether the labels satisfy the requirement. A missing key satisfies !=, notin and !key; gt/lt need
    /// the label to hold a 64-bit integer.
    /// </summary>
    public bool Matches(IReadOnlyDictionary<string, string> labels)
    {
        var has = labels.TryGetValue(Key, out var value);
        switch (Operator)
        {
            case SelectorOperator.In or SelectorOperator.Equals or SelectorOperator.DoubleEquals:
                return has && Values.Contains(value!);
            case SelectorOperator.NotIn or SelectorOperator.NotEquals:
                return !has || !Values.Contains(value!);
            case SelectorOperator.Exists:
                return has;
            case SelectorOperator.DoesNotExist:
                return !has;
            default:
                if (!has || !TryParseInt64(value!, out var actual) || Values.Count != 1 || !TryParseInt64(Values[0], out var bound)) return false;
                return Operator == SelectorOperator.GreaterThan ? actual > bound : actual < bound;
        }
    }

    /// <summary>The canonical text: "a=b", "!a", "a in (x,y)", "a>5" (multiple values sorted).</summary>
    public override string ToString()
    {
        var prefix = Operator == SelectorOperator.DoesNotExist ? "!" : "";
        var op = Operator switch
        {
            SelectorOperator.Equals => "=",
            SelectorOperator.DoubleEquals => "==",
            SelectorOperator.NotEquals => "!=",
            SelectorOperator.In => " in ",
            SelectorOperator.NotIn => " notin ",
            SelectorOperator.GreaterThan => ">",
            SelectorOperator.LessThan => "<",
            _ => null,
        };
        if (op is null) return prefix + Key;
        var values = Values.Count == 1 ? Values[0] : string.Join(",", Values.Order(StringComparer.Ordinal));
        return Operator is SelectorOperator.In or SelectorOperator.NotIn ? $"{Key}{op}({values})" : $"{Key}{op}{values}";
    }

    /// <summary>Go's strconv.ParseInt(s, 10, 64): an optional sign and decimal digits, nothing else.</summary>
    static bool TryParseInt64(string s, out long value) =>
        long.TryParse(s, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out value);

    /// <summary>utilerrors.Aggregate's message: the only message, or "[m1, m2]" (duplicates dropped).</summary>
    internal static string Aggregate(IEnumerable<string> messages)
    {
        var distinct = messages.Distinct().ToList();
        return distinct.Count == 1 ? distinct[0] : "[" + string.Join(", ", distinct) + "]";
    }
}
