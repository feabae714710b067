using System.Text.Json.Nodes;
using k8s.Models;
using Microsoft.AspNetCore.Http;
using MiniApiServer.Api.Errors;
using MiniApiServer.Api.Http;
using MiniApiServer.Api.Json;
using MiniApiServer.Api.Reviews;
using MiniApiServer.Api.Validation;
using MiniApiServer.Authentication.ServiceAccounts;
using MiniApiServer.Registry.Core;
using MiniApiServer.Schema;

namespace MiniApiServer.Api.TokenRequests;

/// <summary>
/// The TokenRequest API, <c>POST /api/v1/namespaces/{ns}/serviceaccounts/{name}/token</c> (kube's
/// registry/core/serviceaccount/storage/token.go behind the generic create handler): a bound token for the
/// service account, returned in <c>status.token</c> with 201. Nothing is stored; a dry run still issues the
/// token, as kube's TokenREST ignores dryRun. RBAC (create serviceaccounts/token) was checked on the way in.
/// </summary>
public sealed class TokenRequestEndpoint(ServiceAccountTokens tokens, TokenRequestObjects objects, TimeProvider time)
{
    public const string Group = "authentication.k8s.io";
    public const string Kind = "TokenRequest";
    public const string ApiVersion = Group + "/v1";
    public const string Route = "/api/v1/namespaces/{namespace}/serviceaccounts/{name}/token";

    /// <summary>validation.go MinTokenAgeSec and the 2^32 s upper bound.</summary>
    public const long MinExpirationSeconds = 10 * 60;
    public const long MaxExpirationSeconds = 1L << 32;

    /// <summary>v1 defaults.go SetDefaults_TokenRequestSpec: one hour.</summary>
    public const long DefaultExpirationSeconds = 60 * 60;

    public async Task CreateAsync(HttpContext context)
    {
        var ns = (string)context.Request.RouteValues["namespace"]!;
        var name = (string)context.Request.RouteValues["name"]!;
        var request = await ReviewBodies.ReadAsync(context, Kind, ApiVersion, typeof(Authenticationv1TokenRequest), requestNamespace: ns);
        var response = Create(ns, name, request, out var warnings);
        Negotiation.AddWarnings(context.Response, warnings);
        var form = Negotiation.Form(context.Request);
        await Negotiation.WriteJsonAsync(context, StatusCodes.Status201Created, response, form == ResponseForm.Yaml ? ResponseForm.Yaml : ResponseForm.Object);
    }

    /// <summary>TokenREST.Create on a decoded request (metadata.namespace already checked against the URL).</summary>
    public JsonObject Create(string ns, string name, JsonObject request, out List<string> warnings)
    {
        warnings = [];
        var metadata = request["metadata"] as JsonObject ?? new JsonObject();
        if (metadata.Str("name") is { Length: > 0 } bodyName && bodyName != name)
            throw StatusErrors.Invalid(Group, Kind, name, [FieldError.Invalid("metadata.name", bodyName, "must match the service account name if specified")]);

        var sa = objects.ServiceAccount(ns, name) ?? throw StatusErrors.NotFound("", "serviceaccounts", name);

        var spec = request["spec"] as JsonObject ?? new JsonObject();
        var audiences = spec.ArrAt("audiences") is { Count: > 0 } sent
            ? sent.Select(a => a?.GetValue<string>() ?? "").ToList()
            : tokens.ApiAudiences.ToList();
        var expirationSeconds = spec.Long("expirationSeconds") ?? DefaultExpirationSeconds;
        var now = time.GetUtcNow();
        metadata["name"] = name;
        metadata["namespace"] = ns;

        var errors = Validate(expirationSeconds);
        if (errors.Count > 0) throw StatusErrors.Invalid(Group, Kind, "", errors);

        var reference = spec["boundObjectRef"] as JsonObject;
        var bound = reference is null ? null : objects.ResolveBoundObject(ns, name, reference);

        var max = tokens.Options.MaxTokenExpiration;
        var lifetime = ServiceAccountTokenIssuer.Lifetime(TimeSpan.FromSeconds(expirationSeconds), max);
        if (lifetime != expirationSeconds)
        {
            warnings.Add($"requested expiration of {expirationSeconds} seconds shortened to {lifetime} seconds");
            expirationSeconds = lifetime;
        }

        var issued = tokens.Issuer.IssueBound(new BoundTokenRequest(ns, name, sa.Uid(), audiences, TimeSpan.FromSeconds(expirationSeconds), bound));
        metadata["creationTimestamp"] = ReviewBodies.GoTime(now);
        return new JsonObject
        {
            ["kind"] = Kind,
            ["apiVersion"] = ApiVersion,
            ["metadata"] = ReviewBodies.EchoMetadata(metadata),
            ["spec"] = new JsonObject
            {
                ["audiences"] = ReviewBodies.Strings(audiences),
                ["expirationSeconds"] = expirationSeconds,
                ["boundObjectRef"] = reference is null ? null : BoundObjectRefJson(reference),
            },
            ["status"] = new JsonObject
            {
                ["token"] = issued.Token,
                // The time taken before signing plus the lifetime (never the one-year extension).
                ["expirationTimestamp"] = ReviewBodies.GoTime(now.AddSeconds(expirationSeconds)),
            },
        };
    }

    /// <summary>validation.go ValidateTokenRequest.</summary>
    public static IReadOnlyList<FieldError> Validate(long expirationSeconds)
    {
        var errors = new List<FieldError>();
        if (expirationSeconds < MinExpirationSeconds)
            errors.Add(FieldError.Invalid("spec.expirationSeconds", expirationSeconds, "may not specify a duration less than 10 minutes"));
        if (expirationSeconds > MaxExpirationSeconds)
            errors.Add(FieldError.Invalid("spec.expirationSeconds", expirationSeconds, "may not specify a duration larger than 2^32 seconds"));
        return errors;
    }

    /// <summary>BoundObjectReference as Go writes it: kind, apiVersion, name, uid, each omitted when empty.</summary>
    static JsonObject BoundObjectRefJson(JsonObject reference)
    {
        var o = new JsonObject();
        foreach (var key in new[] { "kind", "apiVersion", "name", "uid" })
            if (reference.Str(key) is { Length: > 0 } value) o[key] = value;
        return o;
    }
}
