using System.Collections.Concurrent;
using System.Text;
using System.Text.Json.Nodes;
using MiniApiServer.Api.Errors;
using MiniApiServer.Api.Json;
using MiniApiServer.Api.Resources;
using MiniApiServer.Authentication.ServiceAccounts;
using MiniApiServer.Hosting;
using MiniApiServer.Registry.Core;
using MiniApiServer.Registry.Validation;
using MiniApiServer.Storage;
using static MiniApiServer.Controllers.ServiceAccountTokenSecrets;

namespace MiniApiServer.Controllers;

/// <summary>
/// kube-controller-manager's tokens controller (pkg/controller/serviceaccount/tokens_controller.go). It joins
/// ServiceAccounts and <c>kubernetes.io/service-account-token</c> Secrets:
/// <list type="bullet">
/// <item>In the legacy model (Kubernetes before 1.24) every account gets a Secret <c>&lt;sa&gt;-token-&lt;5 random&gt;</c>
/// holding a legacy token, the cluster CA and the namespace, listed in the account's <c>secrets</c>.</item>
/// <item>In both models a token Secret made by hand (annotated with the account's name) is filled: token when
/// empty, <c>ca.crt</c> when it differs from the cluster CA, namespace when empty, and both annotations.</item>
/// <item>A token Secret whose account is gone (or has another uid) is deleted; deleting an account deletes its
/// token Secrets; a deleted token Secret is dropped from its account's <c>secrets</c>.</item>
/// </list>
/// </summary>
public sealed class TokensController : WatchController
{
    static readonly WriteOptions Options = new() { FieldManager = "kube-controller-manager" };

    readonly ResourceRest rest;
    readonly IServiceAccountTokenIssuer issuer;
    readonly byte[] rootCa;
    readonly ServiceAccountTokenMode mode;
    readonly IRandomSource random;
    readonly ILogger logger;
    /// <summary>The account a deleted token Secret belonged to (from its last state), until its reference is dropped.</summary>
    readonly ConcurrentDictionary<ObjectKey, string> deletedTokenOwners = new();

    public TokensController(ResourceRest rest, IServiceAccountTokenIssuer issuer, string rootCaPem, ServiceAccountTokenMode mode,
        IRandomSource random, TimeProvider time, ILogger<TokensController> logger)
        : base(rest.Store, ServiceAccountStrategy.Definition, time, logger)
    {
        this.rest = rest;
        this.issuer = issuer;
        rootCa = Encoding.UTF8.GetBytes(rootCaPem);
        this.mode = mode;
        this.random = random;
        this.logger = logger;
    }

    static string SecretsResource => SecretStrategy.Definition.StorageResource;

    /// <summary>Watches token Secrets too (kube filters its secret informer to the token type).</summary>
    protected override Task ExecuteAsync(CancellationToken stoppingToken) =>
        Task.WhenAll(base.ExecuteAsync(stoppingToken), ResourceWatch.RunAsync(Store, SecretsResource, OnSecret, Time, logger, stoppingToken));

    void OnSecret(StoredObject secret, WatchEventType? type)
    {
        if (!IsTokenSecret(secret.Object)) return;
        if (type == WatchEventType.Deleted && AccountName(secret.Object) is { Length: > 0 } owner)
            deletedTokenOwners[secret.Key] = owner;
        Enqueue(secret.Key);
    }

    protected override TimeSpan? Reconcile(ObjectKey key, StoredObject? current) =>
        key.Resource == SecretsResource ? ReconcileSecret(key, current?.Object) : ReconcileServiceAccount(key, current?.Object);

    // ------------------------------------------------------------------ service accounts

    TimeSpan? ReconcileServiceAccount(ObjectKey key, JsonObject? sa)
    {
        var tokens = Store.List(SecretsResource, key.Namespace).Items.Select(i => i.Object)
            .Where(s => IsTokenSecret(s) && AccountName(s) == key.Name).ToList();
        // Tokens of an account that is gone, or of an earlier account with the same name, are deleted.
        foreach (var stale in tokens.Where(s => sa is null || !BelongsTo(s, sa)))
            DeleteSecret(key.Namespace, stale);
        if (sa is null || sa.IsDeleting() || mode != ServiceAccountTokenMode.Legacy) return null;
        return EnsureReferencedToken(sa, tokens.Where(s => BelongsTo(s, sa)).ToList());
    }

    /// <summary>Legacy model: the account lists at least one of its token Secrets, else one is generated and listed.</summary>
    TimeSpan? EnsureReferencedToken(JsonObject sa, IReadOnlyList<JsonObject> tokens)
    {
        if (HasReferencedToken(sa, tokens)) return null;
        var ns = sa.Namespace();
        var name = new NameGenerator(random.Random).Generate($"{sa.Name()}-token-");
        JsonObject created;
        try
        {
            created = rest.Create(SecretStrategy.Definition, ns, new JsonObject
            {
                ["metadata"] = new JsonObject
                {
                    ["name"] = name,
                    ["annotations"] = new JsonObject { [NameAnnotation] = sa.Name(), [UidAnnotation] = sa.Uid() },
                },
                ["type"] = SecretStrategy.ServiceAccountTokenType,
                ["data"] = new JsonObject
                {
                    [TokenKey] = Base64(issuer.IssueLegacy(ns, sa.Name(), sa.Uid(), name)),
                    [NamespaceKey] = Base64(ns),
                    [RootCaKey] = Convert.ToBase64String(rootCa),
                },
            }, Options);
        }
        catch (ApiException e) when (e.Code is 403 or 404) { return null; } // the namespace is going
        catch (ApiException e) when (e.Code == 409) { return TimeSpan.Zero; } // the random name was taken: draw again

        var referenced = false;
        try
        {
            rest.Write(ServiceAccountStrategy.Definition, ns, sa.Name(), Options, null, cur =>
            {
                // Another account of the same name, or one that got a token meanwhile, is left alone.
                if (cur is null || cur.Uid() != sa.Uid() || HasReferencedToken(cur, TokensOf(cur)))
                    throw new ReferenceNotNeeded();
                var secrets = cur.ArrAt("secrets") ?? [];
                secrets.Add(new JsonObject { ["name"] = name });
                cur["secrets"] = secrets;
                return cur;
            });
            referenced = true;
        }
        catch (ReferenceNotNeeded) { }
        catch (ApiException e) when (e.Code is 404 or 409) { }
        if (!referenced) DeleteSecret(ns, created); // a token nobody lists is cleaned up, as kube does
        return null;
    }

    sealed class ReferenceNotNeeded : Exception;

    List<JsonObject> TokensOf(JsonObject sa) =>
        Store.List(SecretsResource, sa.Namespace()).Items.Select(i => i.Object).Where(s => BelongsTo(s, sa)).ToList();

    static bool HasReferencedToken(JsonObject sa, IReadOnlyList<JsonObject> tokens)
    {
        var referenced = ReferencedNames(sa);
        return tokens.Any(t => referenced.Contains(t.Name()));
    }

    // ------------------------------------------------------------------ token secrets

    TimeSpan? ReconcileSecret(ObjectKey key, JsonObject? secret)
    {
        if (secret is null)
        {
            if (deletedTokenOwners.TryRemove(key, out var owner)) RemoveReference(key.Namespace, owner, key.Name);
            return null;
        }
        if (!IsTokenSecret(secret) || secret.IsDeleting() || AccountName(secret) is not { Length: > 0 } saName) return null;
        var sa = Store.Get(ResourceRest.Key(ServiceAccountStrategy.Definition, key.Namespace, saName))?.Object;
        if (sa is null || !BelongsTo(secret, sa))
        {
            DeleteSecret(key.Namespace, secret);
            return null;
        }
        if (!UpdateNeeded(secret)) return null;
        try
        {
            rest.Write(SecretStrategy.Definition, key.Namespace, key.Name, Options, null, cur =>
            {
                var live = cur ?? throw StatusErrors.NotFound("", "secrets", key.Name);
                var data = live.Ensure("data");
                if (NeedsCa(live)) data[RootCaKey] = Convert.ToBase64String(rootCa);
                if (Decoded(live, NamespaceKey).Length == 0) data[NamespaceKey] = Base64(key.Namespace);
                if (Decoded(live, TokenKey).Length == 0) data[TokenKey] = Base64(issuer.IssueLegacy(key.Namespace, saName, sa.Uid(), key.Name));
                var annotations = live.Metadata().Ensure("annotations");
                annotations[NameAnnotation] = saName;
                annotations[UidAnnotation] = sa.Uid();
                return live;
            });
        }
        catch (ApiException e) when (e.Code is 404 or 409) { } // gone, or changed: its next event brings it back
        catch (ApiException e) when (e.Code == 422)
        {
            logger.LogWarning("token secret {Namespace}/{Name} cannot be filled: {Message}", key.Namespace, key.Name, e.Message);
        }
        return null;
    }

    bool UpdateNeeded(JsonObject secret) =>
        NeedsCa(secret) || Decoded(secret, NamespaceKey).Length == 0 || Decoded(secret, TokenKey).Length == 0;

    bool NeedsCa(JsonObject secret) => rootCa.Length > 0 && !Decoded(secret, RootCaKey).AsSpan().SequenceEqual(rootCa);

    static byte[] Decoded(JsonObject secret, string key)
    {
        try { return Convert.FromBase64String(secret.Str("data", key) ?? ""); }
        catch (FormatException) { return []; }
    }

    static string Base64(string s) => Convert.ToBase64String(Encoding.UTF8.GetBytes(s));

    void DeleteSecret(string ns, JsonObject secret)
    {
        // The uid precondition: a Secret re-created under the same name meanwhile is not ours to delete.
        try { rest.Delete(SecretStrategy.Definition, ns, secret.Name(), new DeleteOptionsInput { PreconditionUid = secret.Uid() }); }
        catch (ApiException e) when (e.Code is 404 or 409) { }
    }

    void RemoveReference(string ns, string saName, string secretName)
    {
        try
        {
            rest.Write(ServiceAccountStrategy.Definition, ns, saName, Options, null, cur =>
            {
                var sa = cur ?? throw StatusErrors.NotFound("", "serviceaccounts", saName);
                if (!ReferencedNames(sa).Contains(secretName)) throw new ReferenceNotNeeded();
                sa["secrets"] = new JsonArray(sa.ArrAt("secrets")!.Where(r => r.Str("name") != secretName).Select(r => r?.DeepClone()).ToArray());
                if (sa.ArrAt("secrets")!.Count == 0) sa.Remove("secrets");
                return sa;
            });
        }
        catch (ReferenceNotNeeded) { }
        catch (ApiException e) when (e.Code == 404) { }
    }
}
