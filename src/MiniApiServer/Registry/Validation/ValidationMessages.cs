namespace MiniApiServer.Registry.Validation;

/// <summary>
/// The message builders of apimachinery's <c>pkg/util/validation</c> (MaxLenError, RegexError, EmptyError),
/// so every name and label complaint reads word for word as kube-apiserver's.
/// </summary>
public static class ValidationMessages
{
    public static string MaxLen(int length) => $"must be no more than {length} characters";

    public static string Empty() => "must be non-empty";

    /// <summary>
    /// "msg (e.g. 'a',  or 'b', regex used for validation is 'fmt')". The doubled space before "or" is
    /// kube's own (each example ends in ", " and the next one starts with " or "), kept so messages match.
    /// </summary>
    public static string Regex(string message, string format, params string[] examples)
    {
        if (examples.Length == 0) return $"{message} (regex used for validation is '{format}')";
        var sb = new System.Text.StringBuilder(message).Append(" (e.g. ");
        for (var i = 0; i < examples.Length; i++)
        {
            if (i > 0) sb.Append(" or ");
            sb.Append('\'').Append(examples[i]).Append("', ");
        }
        return sb.Append("regex used for validation is '").Append(format).Append("')").ToString();
    }
}
