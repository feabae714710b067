using MiniApiServer.Api.Errors;
using MiniApiServer.Registry.Validation;

namespace MiniApiServer.Certificates;

/// <summary>
/// Signer names (kube's <c>ValidateSignerName</c>): <c>domain/path</c>, the domain made of DNS-1123 labels with at
/// least one dot, the path of DNS-1123 subdomains separated by dots, at most 571 characters in all.
/// </summary>
public static class SignerNames
{
    const int MaxDomain = 253;
    const int MaxName = MaxDomain + (253 + 63 + 1) + 1;

    public static IEnumerable<FieldError> Validate(string field, string signerName)
    {
        if (signerName.Length == 0)
        {
            yield return FieldError.Required(field, "");
            yield break;
        }
        var segments = signerName.Split('/');
        if (segments.Length != 2)
        {
            yield return FieldError.Invalid(field, signerName, "must be a fully qualified domain and path of the form 'example.com/signer-name'");
            yield break;
        }
        var (domain, path) = (segments[0], segments[1]);
        if (domain.Length > MaxDomain) yield return FieldError.TooLong(field, "", MaxDomain);
        var domainLabels = domain.Split('.');
        foreach (var label in domainLabels)
        {
            var errors = NameValidation.IsDns1123Label(label);
            foreach (var e in errors) yield return FieldError.Invalid(field, domain, $"validating label {GoValue.Quote(label)}: {e}");
            if (errors.Count > 0) break; // further labels would only repeat the same message
        }
        if (domainLabels.Length < 2) yield return FieldError.Invalid(field, domain, "should be a domain with at least two segments separated by dots");
        foreach (var label in path.Split('.'))
        {
            var errors = NameValidation.IsDns1123Subdomain(label);
            foreach (var e in errors) yield return FieldError.Invalid(field, path, $"validating label {GoValue.Quote(label)}: {e}");
            if (errors.Count > 0) break;
        }
        if (signerName.Length > MaxName) yield return FieldError.TooLong(field, "", MaxName);
    }

    /// <summary>The <c>kubernetes.io</c> signers and those of its subdomains are the project's (IsKubernetesSignerName).</summary>
    public static bool IsKubernetes(string signerName)
    {
        var host = signerName.Split('/')[0];
        return host == "kubernetes.io" || host.EndsWith(".kubernetes.io", StringComparison.Ordinal);
    }
}
