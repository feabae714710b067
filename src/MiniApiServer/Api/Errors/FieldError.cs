namespace MiniApiServer.Api.Errors;

/// <summary>The error types of apimachinery's <c>util/validation/field</c>, with their Status cause reasons.</summary>
public enum FieldErrorType { Required, Invalid, Duplicate, NotSupported, Forbidden, TooLong, TooMany, Internal, NotFound }

public static class FieldErrorTypeExtensions
{
    public static string Reason(this FieldErrorType t) => t switch
    {
        FieldErrorType.Required => "FieldValueRequired",
        FieldErrorType.Invalid => "FieldValueInvalid",
        FieldErrorType.Duplicate => "FieldValueDuplicate",
        FieldErrorType.NotSupported => "FieldValueNotSupported",
        FieldErrorType.Forbidden => "FieldValueForbidden",
        FieldErrorType.TooLong => "FieldValueTooLong",
        FieldErrorType.TooMany => "FieldValueTooMany",
        FieldErrorType.NotFound => "FieldValueNotFound",
        _ => "InternalError",
    };

    public static string Text(this FieldErrorType t) => t switch
    {
        FieldErrorType.Required => "Required value",
        FieldErrorType.Invalid => "Invalid value",
        FieldErrorType.Duplicate => "Duplicate value",
        FieldErrorType.NotSupported => "Unsupported value",
        FieldErrorType.Forbidden => "Forbidden",
        FieldErrorType.TooLong => "Too long",
        FieldErrorType.TooMany => "Too many",
        FieldErrorType.NotFound => "Not found",
        _ => "Internal error",
    };
}

/// <summary>
/// One validation failure at a field path, printed as apimachinery prints it:
/// <c>metadata.name: Invalid value: "Bad_Name": a lowercase RFC 1123 subdomain must consist of …</c>.
/// </summary>
public sealed record FieldError(FieldErrorType Type, string Field, string? Detail = null, object? BadValue = null, bool HasBadValue = false)
{
    public static FieldError Required(string field, string? detail = null) => new(FieldErrorType.Required, field, detail);
    public static FieldError Invalid(string field, object? value, string detail) => new(FieldErrorType.Invalid, field, detail, value, true);
    public static FieldError Forbidden(string field, string detail) => new(FieldErrorType.Forbidden, field, detail);
    public static FieldError NotSupported(string field, object? value, IEnumerable<string> valid) =>
        new(FieldErrorType.NotSupported, field, "supported values: " + string.Join(", ", valid.Select(v => $"\"{v}\"")), value, true);
    public static FieldError Duplicate(string field, object? value) => new(FieldErrorType.Duplicate, field, null, value, true);
    public static FieldError TooLong(string field, object? value, int max) =>
        new(FieldErrorType.TooLong, field, $"may not be more than {max} bytes", value, false);

    /// <summary>The cause message: "Invalid value: \"x\": detail" (without the field path).</summary>
    public string MessageWithValue()
    {
        var s = Type.Text();
        if (HasBadValue) s += ": " + FormatValue(BadValue);
        if (!string.IsNullOrEmpty(Detail)) s += ": " + Detail;
        return s;
    }

    public override string ToString() => $"{Field}: {MessageWithValue()}";

    static string FormatValue(object? v) => v switch
    {
        null => "null",
        string s => "\"" + s.Replace("\\", "\\\\").Replace("\"", "\\\"") + "\"",
        bool b => b ? "true" : "false",
        _ => Convert.ToString(v, System.Globalization.CultureInfo.InvariantCulture) ?? "null",
    };
}
