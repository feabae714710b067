using System.Security.Cryptography;
using System.Text;
using System.Text.Json.Nodes;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Time.Testing;
using MiniApiServer.Admission;
using MiniApiServer.Api.Resources;
using MiniApiServer.Authentication;
using MiniApiServer.Authentication.ServiceAccounts;
using MiniApiServer.Hosting;
using MiniApiServer.Storage;

namespace MiniApiServer.Tests.ServiceAccounts.Tokens;

/// <summary>A fixed jti, so a test can state the whole token.</summary>
sealed class FixedRandom(Guid uid) : IRandomSource
{
    public Guid NewUid() => uid;
    public Random Random { get; } = new(7);
}

/// <summary>
/// One small cluster for the service-account token tests: an in-memory store, a fake clock, a signing key and
/// the issuer and both authenticators wired as the server wires them (API audiences = the issuer).
/// </summary>
public sealed class TokenWorld : IDisposable
{
    public const string Issuer = "https://kubernetes.default.svc.cluster.local";
    public static readonly Guid Jti = Guid.Parse("6f0c2c1e-1111-4222-8333-944455556666");

    public LiteDbObjectStore Store { get; } = LiteDbObjectStore.InMemory();
    public FakeTimeProvider Time { get; } = new(DateTimeOffset.Parse("2026-01-01T00:00:00Z"));
    /// <summary>One key for every world: generating RSA keys is slow, and no test changes it.</summary>
    static readonly RSA SharedRsa = RSA.Create(2048);
    public RSA Rsa => SharedRsa;
    public ServiceAccountKey Key { get; }
    public ServiceAccountOptions Options { get; }
    public IReadOnlyList<string> ApiAudiences { get; } = [Issuer];
    public ServiceAccountTokenIssuer TokenIssuer { get; }
    public ServiceAccountTokenAuthenticator Legacy { get; }
    public ServiceAccountTokenAuthenticator Bound { get; }
    readonly ResourceRest rest;

    public TokenWorld(bool lookup = true, bool extend = true, TimeSpan? maxExpiration = null, string[]? issuers = null)
    {
        Key = ServiceAccountKey.From(Rsa);
        Options = new ServiceAccountOptions
        {
            Issuers = issuers ?? [Issuer],
            KeyFiles = [],
            SigningKeyFile = "",
            MaxTokenExpiration = maxExpiration,
            ExtendTokenExpiration = extend,
            Lookup = lookup,
            TokenMode = ServiceAccountTokenMode.Bound,
        };
        var random = new FixedRandom(Jti);
        rest = new ResourceRest(Store, Array.Empty<IAdmissionPlugin>(), Time, random);
        TokenIssuer = new ServiceAccountTokenIssuer(Key, Options, ApiAudiences, Store, Time, random);
        var getter = new ServiceAccountTokenGetter(Store);
        var tracker = new LegacyTokenTracker(() => rest, Time, NullLogger.Instance);
        Legacy = new ServiceAccountTokenAuthenticator(ServiceAccountTokenAuthenticator.LegacyName, [ServiceAccountClaims.LegacyIssuer], [Key], ApiAudiences,
            new LegacyTokenValidator(lookup, getter, tracker));
        Bound = new ServiceAccountTokenAuthenticator(ServiceAccountTokenAuthenticator.BoundName, Options.Issuers, [Key], ApiAudiences,
            new BoundTokenValidator(getter, Time));
    }

    /// <summary>Stores an object as the API would have (name, namespace, uid and any extra metadata).</summary>
    public JsonObject Put(string resource, string ns, string name, string uid, JsonObject? body = null, JsonObject? metadata = null)
    {
        var obj = body ?? new JsonObject();
        var meta = metadata ?? new JsonObject();
        meta["name"] = name;
        if (ns.Length > 0) meta["namespace"] = ns;
        meta["uid"] = uid;
        meta["creationTimestamp"] = "2025-12-31T00:00:00Z";
        obj["metadata"] = meta;
        Store.Update(new ObjectKey(resource, ns, name), _ => obj, createIfMissing: true);
        return obj;
    }

    public void Remove(string resource, string ns, string name) => Store.Delete(new ObjectKey(resource, ns, name));

    public JsonObject? Get(string resource, string ns, string name) => Store.Get(new ObjectKey(resource, ns, name))?.Object;

    public void ServiceAccount(string ns = "team", string name = "robot", string uid = "sa-uid", JsonObject? metadata = null) =>
        Put("serviceaccounts", ns, name, uid, metadata: metadata);

    public void Pod(string ns = "team", string name = "web-0", string uid = "pod-uid", string? node = "node-1", string serviceAccount = "robot", JsonObject? metadata = null)
    {
        var spec = new JsonObject { ["serviceAccountName"] = serviceAccount };
        if (node is not null) spec["nodeName"] = node;
        Put("pods", ns, name, uid, new JsonObject { ["spec"] = spec }, metadata);
    }

    /// <summary>A legacy token Secret holding <paramref name="token"/> (base64 in data, as stored).</summary>
    public void TokenSecret(string token, string ns = "team", string name = "robot-token", string uid = "secret-uid", JsonObject? metadata = null)
    {
        metadata ??= new JsonObject();
        metadata["annotations"] = new JsonObject { ["kubernetes.io/service-account.name"] = "robot", ["kubernetes.io/service-account.uid"] = "sa-uid" };
        Put("secrets", ns, name, uid, new JsonObject
        {
            ["type"] = "kubernetes.io/service-account-token",
            ["data"] = new JsonObject { ["token"] = Convert.ToBase64String(Encoding.UTF8.GetBytes(token)) },
        }, metadata);
    }

    public IssuedToken IssueBound(BoundObjectReference? bound = null, IReadOnlyList<string>? audiences = null, long seconds = 3600, string ns = "team", string name = "robot", string uid = "sa-uid") =>
        TokenIssuer.IssueBound(new BoundTokenRequest(ns, name, uid, audiences ?? ApiAudiences, TimeSpan.FromSeconds(seconds), bound));

    /// <summary>The token union's order: legacy, then bound; the first answer that is not "not mine".</summary>
    public async Task<AuthenticationResult> AuthenticateAsync(string token, IReadOnlyList<string>? audiences = null)
    {
        using var _ = TokenAudiences.Use(audiences ?? ApiAudiences);
        var legacy = await Legacy.AuthenticateTokenAsync(token, default);
        if (legacy.Succeeded || legacy.Error is not null) return legacy;
        return await Bound.AuthenticateTokenAsync(token, default);
    }

    /// <summary>The decoded JSON of a token's header or payload (part 0 or 1).</summary>
    public static string Part(string token, int part) =>
        Encoding.UTF8.GetString(System.Buffers.Text.Base64Url.DecodeFromChars(token.Split('.')[part]));

    /// <summary>A token with this payload, signed by <paramref name="key"/> (the world's key by default).</summary>
    public string Sign(string payloadJson, ServiceAccountKey? key = null) => CompactJws.Sign(key ?? Key, Encoding.UTF8.GetBytes(payloadJson));

    public void Dispose()
    {
        Store.Dispose();
    }
}
