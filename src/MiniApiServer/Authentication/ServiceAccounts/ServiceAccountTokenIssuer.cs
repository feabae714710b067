using System.Text.Encodings.Web;
using System.Text.Json;
using MiniApiServer.Api.Json;
using MiniApiServer.Hosting;
using MiniApiServer.Registry.Core;
using MiniApiServer.Storage;

namespace MiniApiServer.Authentication.ServiceAccounts;

/// <summary>
/// kube-apiserver's token generator (pkg/serviceaccount jwt.go, claims.go, legacy.go): JWTs signed with the
/// <c>--service-account-signing-key-file</c> key. The payload is written as go-jose writes it — one flat JSON
/// object with its keys sorted (go-jose merges the claim structs into a map), nested objects sorted too.
/// </summary>
public sealed class ServiceAccountTokenIssuer(
    ServiceAccountKey signingKey,
    ServiceAccountOptions options,
    IReadOnlyList<string> apiAudiences,
    IObjectStore store,
    TimeProvider time,
    IRandomSource random) : IServiceAccountTokenIssuer
{
    /// <summary>The lifetime the ServiceAccount admission plugin gives projected tokens (claims.go WarnOnlyBoundTokenExpirationSeconds).</summary>
    public const long WarnOnlyBoundTokenExpirationSeconds = 60 * 60 + 7;

    /// <summary>What such a token is extended to (claims.go ExpirationExtensionSeconds): one year.</summary>
    public const long ExpirationExtensionSeconds = 24 * 365 * 60 * 60;

    static readonly JsonWriterOptions Writer = new() { Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping };

    /// <summary>The issuer written into bound tokens: the first <c>--service-account-issuer</c>.</summary>
    public string Issuer => options.Issuers[0];

    public string IssueLegacy(string ns, string serviceAccountName, string serviceAccountUid, string secretName)
    {
        // legacy.go LegacyClaims: sub plus four private claims that are never omitted; no aud, exp, iat, nbf or jti.
        return CompactJws.Sign(signingKey, Payload(w =>
        {
            w.WriteString("iss", ServiceAccountClaims.LegacyIssuer);
            w.WriteString(ServiceAccountClaims.LegacyNamespace, ns);
            w.WriteString(ServiceAccountClaims.LegacySecretName, secretName);
            w.WriteString(ServiceAccountClaims.LegacyServiceAccountName, serviceAccountName);
            w.WriteString(ServiceAccountClaims.LegacyServiceAccountUid, serviceAccountUid);
            w.WriteString("sub", ServiceAccountUser.Username(ns, serviceAccountName));
        }));
    }

    public IssuedToken IssueBound(BoundTokenRequest request)
    {
        var now = time.GetUtcNow();
        var lifetime = Lifetime(request.Lifetime, options.MaxTokenExpiration);

        // token.go: a pod-bound token asked for with the admission default (3607 s) for API audiences only is
        // valid a year when --service-account-extend-token-expiration is on; warnafter marks the asked expiry.
        long? warnAfter = null;
        var expiry = lifetime;
        if (options.ExtendTokenExpiration && request.BoundObject?.Kind == "Pod" && lifetime == WarnOnlyBoundTokenExpirationSeconds
            && request.Audiences.All(a => apiAudiences.Contains(a, StringComparer.Ordinal)))
        {
            warnAfter = lifetime;
            expiry = ExpirationExtensionSeconds;
        }

        var seconds = now.ToUnixTimeSeconds();
        var node = request.BoundObject switch
        {
            { Kind: "Pod" } pod => NodeOfPod(request.Namespace, pod.Name),
            { Kind: "Node" } n => new ClaimRef(n.Name, n.Uid),
            _ => null,
        };
        var token = CompactJws.Sign(signingKey, Payload(w =>
        {
            w.WriteStartArray("aud");
            foreach (var a in request.Audiences) w.WriteStringValue(a);
            w.WriteEndArray();
            w.WriteNumber("exp", seconds + expiry);
            w.WriteNumber("iat", seconds);
            w.WriteString("iss", Issuer);
            w.WriteString("jti", random.NewUid().ToString("D"));
            w.WriteStartObject(ServiceAccountClaims.Kubernetes);
            if (request.Namespace.Length > 0) w.WriteString("namespace", request.Namespace);
            if (node is not null) WriteRef(w, "node", node);
            if (request.BoundObject is { Kind: "Pod" } p) WriteRef(w, "pod", new ClaimRef(p.Name, p.Uid));
            if (request.BoundObject is { Kind: "Secret" } s) WriteRef(w, "secret", new ClaimRef(s.Name, s.Uid));
            WriteRef(w, "serviceaccount", new ClaimRef(request.ServiceAccountName, request.ServiceAccountUid));
            if (warnAfter is { } after) w.WriteNumber("warnafter", seconds + after);
            w.WriteEndObject();
            w.WriteNumber("nbf", seconds);
            w.WriteString("sub", ServiceAccountUser.Username(request.Namespace, request.ServiceAccountName));
        }));
        // token.go: status.expirationTimestamp is the time taken before signing plus the (capped) requested
        // lifetime, even when the JWT itself was extended to a year.
        return new IssuedToken(token, now.AddSeconds(lifetime));
    }

    /// <summary>The requested lifetime in whole seconds, shortened to --service-account-max-token-expiration when set.</summary>
    public static long Lifetime(TimeSpan requested, TimeSpan? max)
    {
        var seconds = (long)requested.TotalSeconds;
        return max is { } m && seconds > (long)m.TotalSeconds ? (long)m.TotalSeconds : seconds;
    }

    /// <summary>
    /// token.go (ServiceAccountTokenPodNodeInfo, GA 1.32): a pod-bound token also names the pod's node; a node that
    /// does not exist is named without a uid, and a pod not (yet) scheduled names none.
    /// </summary>
    ClaimRef? NodeOfPod(string ns, string podName)
    {
        var pod = store.Get(new ObjectKey(PodStrategy.Definition.StorageResource, ns, podName))?.Object;
        if (pod.Str("spec", "nodeName") is not { Length: > 0 } nodeName) return null;
        var node = store.Get(new ObjectKey(NodeStrategy.Definition.StorageResource, "", nodeName))?.Object;
        return new ClaimRef(nodeName, node?.Uid() ?? "");
    }

    /// <summary>claims.go ref: name and uid, each omitted when empty.</summary>
    static void WriteRef(Utf8JsonWriter w, string name, ClaimRef reference)
    {
        w.WriteStartObject(name);
        if (reference.Name.Length > 0) w.WriteString("name", reference.Name);
        if (reference.Uid.Length > 0) w.WriteString("uid", reference.Uid);
        w.WriteEndObject();
    }

    /// <summary>One JSON object; the callback writes its members in sorted key order.</summary>
    static byte[] Payload(Action<Utf8JsonWriter> members)
    {
        using var buffer = new MemoryStream();
        using (var w = new Utf8JsonWriter(buffer, Writer))
        {
            w.WriteStartObject();
            members(w);
            w.WriteEndObject();
        }
        return buffer.ToArray();
    }
}
