using MiniApiServer.Registry.Validation;

namespace MiniApiServer.Tests.Validation;

public class NameValidationTests
{
    internal const string Dns1123LabelRule = "a lowercase RFC 1123 label must consist of lower case alphanumeric characters or '-', and must start and end with an alphanumeric character (e.g. 'my-name',  or '123-abc', regex used for validation is '[a-z0-9]([-a-z0-9]*[a-z0-9])?')";
    internal const string Dns1123SubdomainRule = "a lowercase RFC 1123 subdomain must consist of lower case alphanumeric characters, '-' or '.', and must start and end with an alphanumeric character (e.g. 'example.com', regex used for validation is '[a-z0-9]([-a-z0-9]*[a-z0-9])?(\\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*')";
    internal const string NamePartRule = "must consist of alphanumeric characters, '-', '_' or '.', and must start and end with an alphanumeric character (e.g. 'MyName',  or 'my.name',  or '123-abc', regex used for validation is '([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9]')";
    internal const string LabelValueRule = "a valid label must be an empty string or consist of alphanumeric characters, '-', '_' or '.', and must start and end with an alphanumeric character (e.g. 'MyValue',  or 'my_value',  or '12345', regex used for validation is '(([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9])?')";

    static readonly string S63 = new('a', 63), S64 = new('a', 64);

    public static TheoryData<string, string[]> Dns1123Label => new()
    {
        { "my-name", [] },
        { "123-abc", [] },
        { "a", [] },
        { S63, [] },
        { S64, ["must be no more than 63 characters"] },
        { "a.b", ["must not contain dots"] },
        { "My-name", [Dns1123LabelRule] },
        { "-a", [Dns1123LabelRule] },
        { "a-", [Dns1123LabelRule] },
        { "", [Dns1123LabelRule] },
        { "a\n", [Dns1123LabelRule] }, // the pattern is anchored at the true end of the string
        { "é", [Dns1123LabelRule] },
    };

    [Theory, MemberData(nameof(Dns1123Label))]
    public void Dns1123LabelsForNamespaceNames(string value, string[] errors) =>
        Assert.Equal(errors, NameValidation.IsDns1123Label(value));

    public static TheoryData<string, string[]> Dns1123Subdomain => new()
    {
        { "example.com", [] },
        { "a.b-c.d", [] },
        { new string('a', 253), [] },
        { new string('a', 254), ["must be no more than 253 characters"] },
        { "Bad_Name", [Dns1123SubdomainRule] },
        { "a..b", [Dns1123SubdomainRule] },
        { ".a", [Dns1123SubdomainRule] },
        { "", [Dns1123SubdomainRule] },
    };

    [Theory, MemberData(nameof(Dns1123Subdomain))]
    public void Dns1123SubdomainsForObjectNames(string value, string[] errors) =>
        Assert.Equal(errors, NameValidation.IsDns1123Subdomain(value));

    public static TheoryData<string, string[]> QualifiedNames => new()
    {
        { "MyName", [] },
        { "my.name", [] },
        { "example.com/MyName", [] },
        { "kubernetes.io/metadata.name", [] },
        { S63, [] },
        { S64, ["name part must be no more than 63 characters"] },
        { "/a", ["prefix part must be non-empty"] },
        { "a/", ["name part must be non-empty", "name part " + NamePartRule] },
        { "Example.com/a", ["prefix part " + Dns1123SubdomainRule] },
        { "a_", ["name part " + NamePartRule] },
        { "a b", ["name part " + NamePartRule] },
        { "a/b/c", ["a qualified name " + NamePartRule + " with an optional DNS subdomain prefix and '/' (e.g. 'example.com/MyName')"] },
    };

    [Theory, MemberData(nameof(QualifiedNames))]
    public void QualifiedNamesForLabelKeysAnnotationsAndFinalizers(string value, string[] errors) =>
        Assert.Equal(errors, NameValidation.IsQualifiedName(value));

    public static TheoryData<string, string[]> LabelValues => new()
    {
        { "", [] },
        { "MyValue", [] },
        { "my_value-1.2", [] },
        { S63, [] },
        { S64, ["must be no more than 63 characters"] },
        { "-a", [LabelValueRule] },
        { "a/b", [LabelValueRule] },
        { "-" + S63, ["must be no more than 63 characters", LabelValueRule] },
    };

    [Theory, MemberData(nameof(LabelValues))]
    public void LabelValuesMayBeEmpty(string value, string[] errors) =>
        Assert.Equal(errors, NameValidation.IsValidLabelValue(value));

    public static TheoryData<string, bool, string[]> PathSegmentNames => new()
    {
        { "system:controller:foo", false, [] },
        { "Any Thing@", false, [] },
        { ".", false, ["may not be '.'"] },
        { "..", false, ["may not be '..'"] },
        { "a/b", false, ["may not contain '/'"] },
        { "a/b%c", false, ["may not contain '/'", "may not contain '%'"] },
        // As a generateName prefix only the "/" and "%" rule applies.
        { "..", true, [] },
        { "a%", true, ["may not contain '%'"] },
    };

    [Theory, MemberData(nameof(PathSegmentNames))]
    public void PathSegmentNamesForRbac(string value, bool prefix, string[] errors) =>
        Assert.Equal(errors, NameValidation.ValidatePathSegmentName(value, prefix));

    public static TheoryData<string, string[]> GenerateNamePrefixes => new()
    {
        { "web-", [] },
        { "ab-", [] },
        { "a-", [] },
        // kube masks a trailing dash by replacing the last two characters with "a": "Ab-" is checked as "Aa".
        { "Ab-", [Dns1123SubdomainRule] },
        { "-", [Dns1123SubdomainRule] },
        { "a.-", [] },
        // …so the character before the dash is never checked: kube accepts "aB-" and "a_-" as prefixes.
        { "aB-", [] },
        { "a_-", [] },
    };

    [Theory, MemberData(nameof(GenerateNamePrefixes))]
    public void GenerateNamePrefixesMayEndInADash(string prefix, string[] errors) =>
        Assert.Equal(errors, NameValidation.NameIsDnsSubdomain(prefix, prefix: true));

    [Fact]
    public void AFullNameMayNotEndInADash() =>
        Assert.Equal([Dns1123SubdomainRule], NameValidation.NameIsDnsSubdomain("web-", prefix: false));

    [Fact]
    public void Dns1035LabelsMustStartWithALetter()
    {
        Assert.Empty(NameValidation.IsDns1035Label("my-svc"));
        Assert.Equal(["a DNS-1035 label must consist of lower case alphanumeric characters or '-', start with an alphabetic character, and end with an alphanumeric character (e.g. 'my-name',  or 'abc-123', regex used for validation is '[a-z]([-a-z0-9]*[a-z0-9])?')"],
            NameValidation.IsDns1035Label("1svc"));
    }
}
