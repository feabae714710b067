using System.Text;
using System.Text.RegularExpressions;

namespace MiniApiServer.Registry.Validation;

/// <summary>
/// Validates a name (or, with <paramref name="prefix"/>, a generateName prefix) and returns the problems,
/// each a sentence without the field path. apimachinery's <c>ValidateNameFunc</c>.
/// </summary>
public delegate IReadOnlyList<string> ValidateNameFunc(string name, bool prefix);

/// <summary>
/// The name rules of apimachinery's <c>pkg/util/validation</c>, <c>pkg/api/validation/generic.go</c> and
/// <c>pkg/api/validation/path</c>, with their exact messages. Lengths are counted in UTF-8 bytes, as Go's
/// <c>len(string)</c> does, and the patterns anchor at the true end of the string (Go's <c>$</c>).
/// </summary>
public static class NameValidation
{
    const string QualifiedNameCharFmt = "[A-Za-z0-9]";
    const string QualifiedNameExtCharFmt = "[-A-Za-z0-9_.]";
    /// <summary>The name part of a qualified name (label key, annotation key, finalizer).</summary>
    public const string QualifiedNameFmt = "(" + QualifiedNameCharFmt + QualifiedNameExtCharFmt + "*)?" + QualifiedNameCharFmt;
    const string QualifiedNameErrMsg = "must consist of alphanumeric characters, '-', '_' or '.', and must start and end with an alphanumeric character";
    public const int QualifiedNameMaxLength = 63;

    public const string LabelValueFmt = "(" + QualifiedNameFmt + ")?";
    const string LabelValueErrMsg = "a valid label must be an empty string or consist of alphanumeric characters, '-', '_' or '.', and must start and end with an alphanumeric character";
    public const int LabelValueMaxLength = 63;

    public const string Dns1123LabelFmt = "[a-z0-9]([-a-z0-9]*[a-z0-9])?";
    const string Dns1123LabelErrMsg = "a lowercase RFC 1123 label must consist of lower case alphanumeric characters or '-', and must start and end with an alphanumeric character";
    public const int Dns1123LabelMaxLength = 63;

    public const string Dns1123SubdomainFmt = Dns1123LabelFmt + "(\\." + Dns1123LabelFmt + ")*";
    const string Dns1123SubdomainErrMsg = "a lowercase RFC 1123 subdomain must consist of lower case alphanumeric characters, '-' or '.', and must start and end with an alphanumeric character";
    public const int Dns1123SubdomainMaxLength = 253;

    public const string Dns1035LabelFmt = "[a-z]([-a-z0-9]*[a-z0-9])?";
    const string Dns1035LabelErrMsg = "a DNS-1035 label must consist of lower case alphanumeric characters or '-', start with an alphabetic character, and end with an alphanumeric character";
    public const int Dns1035LabelMaxLength = 63;

    static readonly Regex QualifiedNameRegex = Anchored(QualifiedNameFmt);
    static readonly Regex LabelValueRegex = Anchored(LabelValueFmt);
    static readonly Regex Dns1123LabelRegex = Anchored(Dns1123LabelFmt);
    static readonly Regex Dns1123SubdomainRegex = Anchored(Dns1123SubdomainFmt);
    static readonly Regex Dns1035LabelRegex = Anchored(Dns1035LabelFmt);

    // Go's regexp "$" (without the m flag) is the end of the text; .NET's "$" also matches before a final "\n".
    static Regex Anchored(string fmt) => new("^(?:" + fmt + @")\z", RegexOptions.CultureInvariant | RegexOptions.Compiled);

    static int ByteLength(string s) => Encoding.UTF8.GetByteCount(s);

    /// <summary>
    /// A qualified name: an optional DNS-subdomain prefix and '/', then a name of at most 63 characters
    /// (label keys, annotation keys, finalizers). apimachinery <c>IsQualifiedName</c>.
    /// </summary>
    public static IReadOnlyList<string> IsQualifiedName(string value)
    {
        var errs = new List<string>();
        var parts = value.Split('/');
        string name;
        switch (parts.Length)
        {
            case 1:
                name = parts[0];
                break;
            case 2:
                var prefix = parts[0];
                name = parts[1];
                if (prefix.Length == 0) errs.Add("prefix part " + ValidationMessages.Empty());
                else errs.AddRange(IsDns1123Subdomain(prefix).Select(m => "prefix part " + m));
                break;
            default:
                return ["a qualified name " + ValidationMessages.Regex(QualifiedNameErrMsg, QualifiedNameFmt, "MyName", "my.name", "123-abc")
                    + " with an optional DNS subdomain prefix and '/' (e.g. 'example.com/MyName')"];
        }

        if (name.Length == 0) errs.Add("name part " + ValidationMessages.Empty());
        else if (ByteLength(name) > QualifiedNameMaxLength) errs.Add("name part " + ValidationMessages.MaxLen(QualifiedNameMaxLength));
        if (!QualifiedNameRegex.IsMatch(name))
            errs.Add("name part " + ValidationMessages.Regex(QualifiedNameErrMsg, QualifiedNameFmt, "MyName", "my.name", "123-abc"));
        return errs;
    }

    /// <summary>A label value: empty, or up to 63 characters of the qualified-name alphabet. <c>IsValidLabelValue</c>.</summary>
    public static IReadOnlyList<string> IsValidLabelValue(string value)
    {
        var errs = new List<string>();
        if (ByteLength(value) > LabelValueMaxLength) errs.Add(ValidationMessages.MaxLen(LabelValueMaxLength));
        if (!LabelValueRegex.IsMatch(value))
            errs.Add(ValidationMessages.Regex(LabelValueErrMsg, LabelValueFmt, "MyValue", "my_value", "12345"));
        return errs;
    }

    /// <summary>An RFC 1123 label (namespace names): at most 63 characters, no dots. <c>IsDNS1123Label</c>.</summary>
    public static IReadOnlyList<string> IsDns1123Label(string value)
    {
        var errs = new List<string>();
        if (ByteLength(value) > Dns1123LabelMaxLength) errs.Add(ValidationMessages.MaxLen(Dns1123LabelMaxLength));
        if (!Dns1123LabelRegex.IsMatch(value))
        {
            // A valid subdomain that fails only because of its dots gets the shorter message (apimachinery 1.32).
            errs.Add(Dns1123SubdomainRegex.IsMatch(value)
                ? "must not contain dots"
                : ValidationMessages.Regex(Dns1123LabelErrMsg, Dns1123LabelFmt, "my-name", "123-abc"));
        }
        return errs;
    }

    /// <summary>An RFC 1123 subdomain (most object names): at most 253 characters. <c>IsDNS1123Subdomain</c>.</summary>
    public static IReadOnlyList<string> IsDns1123Subdomain(string value)
    {
        var errs = new List<string>();
        if (ByteLength(value) > Dns1123SubdomainMaxLength) errs.Add(ValidationMessages.MaxLen(Dns1123SubdomainMaxLength));
        if (!Dns1123SubdomainRegex.IsMatch(value))
            errs.Add(ValidationMessages.Regex(Dns1123SubdomainErrMsg, Dns1123SubdomainFmt, "example.com"));
        return errs;
    }

    /// <summary>An RFC 1035 label (service names): starts with a letter. <c>IsDNS1035Label</c>.</summary>
    public static IReadOnlyList<string> IsDns1035Label(string value)
    {
        var errs = new List<string>();
        if (ByteLength(value) > Dns1035LabelMaxLength) errs.Add(ValidationMessages.MaxLen(Dns1035LabelMaxLength));
        if (!Dns1035LabelRegex.IsMatch(value))
            errs.Add(ValidationMessages.Regex(Dns1035LabelErrMsg, Dns1035LabelFmt, "my-name", "abc-123"));
        return errs;
    }

    /// <summary>
    /// A name that must only be usable as one URL path segment (RBAC roles and bindings):
    /// not "." or "..", and no "/" or "%". <c>path.IsValidPathSegmentName</c>.
    /// </summary>
    public static IReadOnlyList<string> IsValidPathSegmentName(string name)
    {
        if (name is "." or "..") return [$"may not be '{name}'"];
        return IsValidPathSegmentPrefix(name);
    }

    /// <summary>A generateName prefix for a path-segment name: only the "/" and "%" rule applies.</summary>
    public static IReadOnlyList<string> IsValidPathSegmentPrefix(string name)
    {
        var errs = new List<string>();
        if (name.Contains('/')) errs.Add("may not contain '/'");
        if (name.Contains('%')) errs.Add("may not contain '%'");
        return errs;
    }

    // ---- ValidateNameFunc implementations (apimachinery pkg/api/validation/generic.go) ----

    /// <summary>Most kinds (pods, secrets, configmaps, service accounts, CSRs): a DNS-1123 subdomain.</summary>
    public static IReadOnlyList<string> NameIsDnsSubdomain(string name, bool prefix) =>
        IsDns1123Subdomain(prefix ? MaskTrailingDash(name) : name);

    /// <summary>Names that must be a DNS-1123 label (namespaces).</summary>
    public static IReadOnlyList<string> NameIsDnsLabel(string name, bool prefix) =>
        IsDns1123Label(prefix ? MaskTrailingDash(name) : name);

    /// <summary>Services: a DNS-1035 label.</summary>
    public static IReadOnlyList<string> NameIsDns1035Label(string name, bool prefix) =>
        IsDns1035Label(prefix ? MaskTrailingDash(name) : name);

    /// <summary>RBAC roles, cluster roles and bindings: <c>path.ValidatePathSegmentName</c>.</summary>
    public static IReadOnlyList<string> ValidatePathSegmentName(string name, bool prefix) =>
        prefix ? IsValidPathSegmentPrefix(name) : IsValidPathSegmentName(name);

    /// <summary>Namespace names are DNS-1123 labels (<c>ValidateNamespaceName = NameIsDNSLabel</c>).</summary>
    public static IReadOnlyList<string> ValidateNamespaceName(string name, bool prefix) => NameIsDnsLabel(name, prefix);

    /// <summary>
    /// A generateName may end in '-' because random characters follow it. apimachinery's maskTrailingDash
    /// replaces the last <em>two</em> characters with "a" (so "ab-" is checked as "aa"); kept exactly so the
    /// same prefixes pass and fail.
    /// </summary>
    static string MaskTrailingDash(string name) =>
        name.Length > 1 && name.EndsWith('-') ? name[..^2] + "a" : name;
}
