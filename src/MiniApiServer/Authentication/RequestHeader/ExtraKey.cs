using System.Text;

namespace MiniApiServer.Authentication.RequestHeader;

/// <summary>
/// How kube turns the tail of an extra header's name into an extra key, for the authenticating proxy
/// (<c>X-Remote-Extra-</c>) and for impersonation (<c>Impersonate-Extra-</c>) alike: lower-cased, then Go's
/// <c>url.PathUnescape</c>; a malformed escape keeps the lower-cased key as it is ("always record extra strings").
/// </summary>
public static class ExtraKey
{
    public static string FromHeaderSuffix(string suffix)
    {
        var lower = suffix.ToLowerInvariant();
        return TryPathUnescape(lower, out var key) ? key : lower;
    }

    /// <summary>Go's PathUnescape: every <c>%XX</c> is a byte; '+' stays '+'; a '%' without two hex digits is an error.</summary>
    private static bool TryPathUnescape(string s, out string result)
    {
        result = s;
        if (!s.Contains('%'))
        {
            return true;
        }
        var bytes = new List<byte>(s.Length);
        var run = 0; // start of the current stretch of unescaped text
        for (var i = 0; i < s.Length; i++)
        {
            if (s[i] != '%')
            {
                continue;
            }
            if (i + 2 >= s.Length || !char.IsAsciiHexDigit(s[i + 1]) || !char.IsAsciiHexDigit(s[i + 2]))
            {
                return false;
            }
            bytes.AddRange(Encoding.UTF8.GetBytes(s[run..i]));
            bytes.Add(Convert.ToByte(s.Substring(i + 1, 2), 16));
            i += 2;
            run = i + 1;
        }
        bytes.AddRange(Encoding.UTF8.GetBytes(s[run..]));
        result = Encoding.UTF8.GetString(bytes.ToArray());
        return true;
    }
}
