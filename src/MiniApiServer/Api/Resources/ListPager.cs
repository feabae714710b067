using System.Globalization;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using Microsoft.AspNetCore.Http;
using MiniApiServer.Api.Errors;
using MiniApiServer.Registry;
using MiniApiServer.Storage;

namespace MiniApiServer.Api.Resources;

public sealed record ListPage(IReadOnlyList<JsonObject> Items, string ResourceVersion, string? Continue, long? RemainingItemCount);

/// <summary>
/// limit and continue: a page of a filtered list, and an opaque token naming where the next page starts
/// (the key after the last one served) and the resourceVersion of the first page, which every page reports.
/// The later pages are read from the current objects, not from a snapshot at that resourceVersion.
/// </summary>
public static class ListPager
{
    sealed record Token(long Rv, string Start);

    public static ListPage Take(IObjectStore store, ResourceDefinition def, string? ns, ListFilter filter, IQueryCollection query)
    {
        var limit = long.TryParse(query["limit"], NumberStyles.Integer, CultureInfo.InvariantCulture, out var l) && l > 0 ? l : 0;
        var cont = query["continue"].ToString();
        Token? token = cont.Length > 0 ? Decode(cont) : null;
        if (token is not null && query["resourceVersion"].ToString() is { Length: > 0 } and not "0")
            throw StatusErrors.BadRequest("specifying resource version is not allowed when using continue");

        var list = store.List(def.StorageResource, ns);
        var rv = token is { Rv: > 0 } ? token.Rv : list.ResourceVersion;
        IEnumerable<StoredObject> items = list.Items;
        if (token is not null) items = items.Where(i => string.CompareOrdinal(RelativeKey(i.Key, ns), token.Start) >= 0);
        var matching = items.Where(i => filter.Matches(i.Object)).ToList();
        if (limit == 0 || matching.Count <= limit)
            return new ListPage(matching.Select(i => i.Object).ToList(), rv.ToString(CultureInfo.InvariantCulture), null, null);
        var page = matching.Take((int)limit).ToList();
        // As kube's PrepareContinueToken: start right after the last key served ("\0" sorts first).
        var next = Encode(new Token(rv, RelativeKey(page[^1].Key, ns) + "\0"));
        return new ListPage(page.Select(i => i.Object).ToList(), rv.ToString(CultureInfo.InvariantCulture), next, matching.Count - limit);
    }

    /// <summary>The object's etcd key below the listed prefix: its name in one namespace (or for a cluster-scoped
    /// kind), "namespace/name" across namespaces. The store lists in this order (see NamespaceKeyOrder).</summary>
    static string RelativeKey(ObjectKey key, string? listedNamespace) =>
        listedNamespace is not null || key.Namespace.Length == 0 ? key.Name : key.Namespace + "/" + key.Name;

    static string Encode(Token t) =>
        Convert.ToBase64String(Encoding.UTF8.GetBytes(JsonSerializer.Serialize(new { v = "meta.k8s.io/v1", rv = t.Rv, start = t.Start })))
            .TrimEnd('=').Replace('+', '-').Replace('/', '_');

    /// <summary>
    /// apiserver's storage.DecodeContinue, with its errors as the etcd3 store answers them:
    /// 400 <c>invalid continue token: continue key is not valid…</c>. A token whose rv is negative (the one a
    /// 410 on an expired continue hands out) continues at the newest resourceVersion.
    /// </summary>
    static readonly System.Buffers.SearchValues<char> UrlBase64 =
        System.Buffers.SearchValues.Create("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_");

    static Token Decode(string s)
    {
        const string NotValid = "continue key is not valid";
        static ApiException Invalid(string why) => StatusErrors.BadRequest("invalid continue token: " + why);

        // base64.RawURLEncoding: the URL alphabet without padding; Go names the first byte it cannot use.
        var bad = s.AsSpan().IndexOfAnyExcept(UrlBase64);
        if (bad < 0 && s.Length % 4 == 1) bad = s.Length - 1;
        if (bad >= 0) throw Invalid($"{NotValid}: illegal base64 data at input byte {bad}");
        var bytes = Convert.FromBase64String(s.Replace('-', '+').Replace('_', '/').PadRight(s.Length + (4 - s.Length % 4) % 4, '='));

        JsonNode? node;
        try { node = JsonNode.Parse(bytes); }
        catch (JsonException e) { throw Invalid($"{NotValid}: {e.Message}"); }
        if (node is not JsonObject o) throw Invalid($"{NotValid}: the token is not a JSON object");
        var version = o["v"]?.GetValueKind() == JsonValueKind.String ? (string?)o["v"] : null;
        if (version != "meta.k8s.io/v1")
            throw Invalid($"{NotValid}: server does not recognize this encoded version {version}");
        var rv = o["rv"]?.GetValueKind() == JsonValueKind.Number && o["rv"]!.AsValue().TryGetValue<long>(out var r) ? r : 0;
        if (rv == 0) throw Invalid($"{NotValid}: incorrect encoded start resourceVersion (version meta.k8s.io/v1)");
        var start = o["start"]?.GetValueKind() == JsonValueKind.String ? (string)o["start"]! : "";
        if (start.Length == 0) throw Invalid($"{NotValid}: encoded start key empty (version meta.k8s.io/v1)");
        // kube refuses a start key that path.Clean would change (no climbing out of the listed prefix).
        if (start.Contains("//") || start.Split('/').Any(p => p is "." or "..") || start.EndsWith('/'))
            throw Invalid($"{NotValid}: {start}");
        return new Token(rv, start);
    }
}
