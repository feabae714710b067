using System.Text;

namespace MiniApiServer.Runtime.Commands.Kubectl;

/// <summary>
/// kubectl's table writer: Go's text/tabwriter with minwidth 6, padding 3, blanks as padding. Every column but
/// the last is padded to its widest cell plus 3 (at least 6); the last cell of a line is written as is.
/// </summary>
public static class TabWriter
{
    public static string Format(IReadOnlyList<IReadOnlyList<string>> rows)
    {
        var columns = rows.Count == 0 ? 0 : rows.Max(r => r.Count);
        var widths = new int[columns];
        foreach (var row in rows)
            for (var i = 0; i < row.Count - 1; i++)
                widths[i] = Math.Max(widths[i], Math.Max(6, row[i].Length + 3));
        var sb = new StringBuilder();
        foreach (var row in rows)
        {
            for (var i = 0; i < row.Count; i++)
                sb.Append(i < row.Count - 1 ? row[i].PadRight(widths[i]) : row[i]);
            sb.Append('\n');
        }
        return sb.ToString();
    }
}
