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
/// (the last key served) and the resourceVersion of the first page, which every page reports.
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
        var rv = token?.Rv ?? list.ResourceVersion;
        IEnumerable<StoredObject> items = list.Items;
        if (token is not null) items = items.Where(i => string.CompareOrdinal(SortKey(i.Key), token.Start) > 0);
        var matching = items.Where(i => filter.Matches(i.Object)).ToList();
        if (limit == 0 || matching.Count <= limit)
            return new ListPage(matching.Select(i => i.Object).ToList(), rv.ToString(CultureInfo.InvariantCulture), null, null);
        var page = matching.Take((int)limit).ToList();
        var next = Encode(new Token(rv, SortKey(page[^1].Key)));
        return new ListPage(page.Select(i => i.Object).ToList(), rv.ToString(CultureInfo.InvariantCulture), next, matching.Count - limit);
    }

    static string SortKey(ObjectKey key) => key.Namespace + "/" + key.Name;

    static string Encode(Token t) =>
        Convert.ToBase64String(Encoding.UTF8.GetBytes(JsonSerializer.Serialize(new { v = "meta.k8s.io/v1", rv = t.Rv, start = t.Start })))
            .TrimEnd('=').Replace('+', '-').Replace('/', '_');

    static Token Decode(string s)
    {
        try
        {
            var b64 = s.Replace('-', '+').Replace('_', '/');
            b64 = b64.PadRight(b64.Length + (4 - b64.Length % 4) % 4, '=');
            var node = JsonNode.Parse(Convert.FromBase64String(b64))!;
            if ((string?)node["v"] != "meta.k8s.io/v1") throw new FormatException("version");
            return new Token((long)node["rv"]!, (string)node["start"]!);
        }
        catch (Exception e) when (e is FormatException or JsonException or InvalidOperationException or NullReferenceException)
        {
            throw StatusErrors.BadRequest("continue key is not valid: incorrect encoded start resourceVersion (version meta.k8s.io/v1)");
        }
    }
}
