using System.Globalization;
using System.Text;

namespace MiniApiServer.Registry.Validation;

/// <summary>
/// A bad value that must print the way Go's fmt prints it inside a field error
/// (<c>[]string{"a", "b"}</c>, a <c>metav1.Time</c>, a struct), rather than as a quoted JSON string.
/// <see cref="Api.Errors.FieldError"/> prints non-string values with their <c>ToString()</c>.
/// </summary>
public sealed record GoValue(string Text)
{
    public override string ToString() => Text;

    /// <summary>Go's <c>%#v</c> of a <c>[]string</c>: <c>[]string{"a", "b"}</c>, or <c>[]string{}</c> when empty.</summary>
    public static GoValue StringSlice(IEnumerable<string> values) =>
        new("[]string{" + string.Join(", ", values.Select(Quote)) + "}");

    /// <summary>
    /// <c>metav1.Time.String()</c>, which is Go's <c>time.Time.String()</c>:
    /// "2006-01-02 15:04:05.999999999 -0700 MST" (fraction trimmed; zone "UTC" for UTC times,
    /// otherwise the numeric offset again, as Go names a parsed fixed zone).
    /// </summary>
    public static GoValue Time(DateTimeOffset t)
    {
        var sb = new StringBuilder(t.ToString("yyyy-MM-dd HH:mm:ss", CultureInfo.InvariantCulture));
        var ticks = t.Ticks % TimeSpan.TicksPerSecond;
        if (ticks != 0) sb.Append('.').Append((ticks * 100).ToString("D9", CultureInfo.InvariantCulture).TrimEnd('0'));
        var offset = t.Offset;
        var sign = offset < TimeSpan.Zero ? '-' : '+';
        var abs = offset.Duration();
        var numeric = $"{sign}{abs.Hours:D2}{abs.Minutes:D2}";
        sb.Append(' ').Append(numeric).Append(' ').Append(offset == TimeSpan.Zero ? "UTC" : numeric);
        return new GoValue(sb.ToString());
    }

    /// <summary>Go's <c>strconv.Quote</c>: double quotes, backslash escapes for quotes, backslashes, control and non-printable characters.</summary>
    public static string Quote(string s)
    {
        var sb = new StringBuilder(s.Length + 2).Append('"');
        foreach (var rune in s.EnumerateRunes())
        {
            switch (rune.Value)
            {
                case '"': sb.Append("\\\""); break;
                case '\\': sb.Append("\\\\"); break;
                case '\a': sb.Append("\\a"); break;
                case '\b': sb.Append("\\b"); break;
                case '\f': sb.Append("\\f"); break;
                case '\n': sb.Append("\\n"); break;
                case '\r': sb.Append("\\r"); break;
                case '\t': sb.Append("\\t"); break;
                case '\v': sb.Append("\\v"); break;
                default:
                    if (rune.Value < 0x20 || rune.Value == 0x7f) sb.Append($"\\x{rune.Value:x2}");
                    else if (Rune.IsControl(rune) || Rune.GetUnicodeCategory(rune) is UnicodeCategory.Format or UnicodeCategory.OtherNotAssigned or UnicodeCategory.Surrogate or UnicodeCategory.PrivateUse)
                        sb.Append(rune.Value > 0xffff ? $"\\U{rune.Value:x8}" : $"\\u{rune.Value:x4}");
                    else sb.Append(rune.ToString());
                    break;
            }
        }
        return sb.Append('"').ToString();
    }
}
