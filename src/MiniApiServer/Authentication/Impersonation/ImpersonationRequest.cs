using Microsoft.AspNetCore.Http;
using MiniApiServer.Api.Errors;
using MiniApiServer.Registry.Validation;

namespace MiniApiServer.Authentication.Impersonation;

public enum ImpersonationKind { User, ServiceAccount, Group, UserExtra, Uid }

/// <summary>
/// One thing a request asks to act as, checked on its own with verb <c>impersonate</c>. kube models these as
/// core/v1 ObjectReferences (Kind, Namespace, Name, APIVersion, and FieldPath for an extra's key); the fields here
/// are the same, so the "without impersonating a user" message can print them as Go prints the references.
/// </summary>
public sealed record ImpersonationRequest(ImpersonationKind Kind, string Namespace, string Name, string ExtraKey = "")
{
    public const string UserHeader = "Impersonate-User";
    public const string GroupHeader = "Impersonate-Group";
    public const string UidHeader = "Impersonate-Uid";
    public const string ExtraHeaderPrefix = "Impersonate-Extra-";

    private const string ServiceAccountPrefix = "system:serviceaccount:";
    private const string AuthenticationGroupVersion = "authentication.k8s.io/v1";

    /// <summary>The API group the permission lives in: authentication.k8s.io for uids and extras, core for the rest.</summary>
    public string ApiGroup => Kind is ImpersonationKind.UserExtra or ImpersonationKind.Uid ? "authentication.k8s.io" : "";

    public string ApiVersion => Kind is ImpersonationKind.UserExtra or ImpersonationKind.Uid ? "v1" : "";

    public string Resource => Kind switch
    {
        ImpersonationKind.User => "users",
        ImpersonationKind.ServiceAccount => "serviceaccounts",
        ImpersonationKind.Group => "groups",
        ImpersonationKind.UserExtra => "userextras",
        _ => "uids",
    };

    /// <summary>An extra's key is the subresource of <c>userextras</c> (<c>userextras/scopes</c>).</summary>
    public string Subresource => Kind == ImpersonationKind.UserExtra ? ExtraKey : "";

    /// <summary>
    /// kube's buildImpersonationRequests, in its order: the user (a service account when it names one), every group
    /// line, every value of every extra header, the uid. Groups, extras or a uid without a user are a 400.
    /// </summary>
    public static IReadOnlyList<ImpersonationRequest> FromHeaders(IHeaderDictionary headers)
    {
        var requests = new List<ImpersonationRequest>();
        var user = First(headers, UserHeader);
        if (user.Length > 0)
        {
            requests.Add(TrySplitServiceAccount(user, out var ns, out var name)
                ? new ImpersonationRequest(ImpersonationKind.ServiceAccount, ns, name)
                : new ImpersonationRequest(ImpersonationKind.User, "", user));
        }
        if (headers.TryGetValue(GroupHeader, out var groups))
        {
            requests.AddRange(groups.Select(g => new ImpersonationRequest(ImpersonationKind.Group, "", g ?? "")));
        }
        foreach (var (headerName, values) in headers)
        {
            if (headerName.StartsWith(ExtraHeaderPrefix, StringComparison.OrdinalIgnoreCase))
            {
                var key = RequestHeader.ExtraKey.FromHeaderSuffix(headerName[ExtraHeaderPrefix.Length..]);
                requests.AddRange(values.Select(v => new ImpersonationRequest(ImpersonationKind.UserExtra, "", v ?? "", key)));
            }
        }
        var uid = First(headers, UidHeader);
        if (uid.Length > 0)
        {
            requests.Add(new ImpersonationRequest(ImpersonationKind.Uid, "", uid));
        }
        if (user.Length == 0 && requests.Count > 0)
        {
            // kube 1.35+ answers 400 BadRequest (released 1.32 wrote the same text as a plain-text 500).
            throw StatusErrors.BadRequest($"requested [{string.Join(' ', requests.Select(r => r.GoObjectReference()))}] without impersonating a user");
        }
        return requests;
    }

    /// <summary>serviceaccount.SplitUsername: <c>system:serviceaccount:&lt;ns&gt;:&lt;name&gt;</c>, a valid namespace and account name.</summary>
    public static bool TrySplitServiceAccount(string user, out string ns, out string name)
    {
        ns = name = "";
        if (!user.StartsWith(ServiceAccountPrefix, StringComparison.Ordinal))
        {
            return false;
        }
        var parts = user[ServiceAccountPrefix.Length..].Split(':');
        if (parts.Length != 2 || NameValidation.ValidateNamespaceName(parts[0], false).Count > 0 || NameValidation.NameIsDnsSubdomain(parts[1], false).Count > 0)
        {
            return false;
        }
        (ns, name) = (parts[0], parts[1]);
        return true;
    }

    /// <summary>Go's <c>%v</c> of the ObjectReference kube builds: its seven fields in order, space separated, in braces.</summary>
    private string GoObjectReference()
    {
        var kind = Kind switch
        {
            ImpersonationKind.ServiceAccount => "ServiceAccount",
            ImpersonationKind.User => "User",
            ImpersonationKind.Group => "Group",
            ImpersonationKind.UserExtra => "UserExtra",
            _ => "UID",
        };
        var apiVersion = ApiGroup.Length > 0 ? AuthenticationGroupVersion : "";
        // Kind, Namespace, Name, UID, APIVersion, ResourceVersion, FieldPath.
        return "{" + string.Join(' ', kind, Namespace, Name, "", apiVersion, "", ExtraKey) + "}";
    }

    /// <summary>Go's <c>Header.Get</c>: the first line, or "".</summary>
    private static string First(IHeaderDictionary headers, string name) =>
        headers.TryGetValue(name, out var values) && values.Count > 0 ? values[0] ?? "" : "";
}
