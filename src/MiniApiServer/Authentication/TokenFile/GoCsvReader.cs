using System.Text;

namespace MiniApiServer.Authentication.TokenFile;

/// <summary>One CSV record and the (1-based) line it starts on.</summary>
internal sealed record CsvRecord(int Line, IReadOnlyList<string> Fields);

/// <summary>
/// A CSV syntax error, worded as Go's <c>csv.ParseError</c> (lines and byte columns 1-based): e.g.
/// <c>parse error on line 2, column 4: bare " in non-quoted-field</c>, or for a record spanning lines
/// <c>record on line 1; parse error on line 3, column 1: extraneous or missing " in quoted-field</c>.
/// </summary>
internal sealed class CsvParseException(int startLine, int line, int column, string reason)
    : Exception(startLine == line
        ? $"parse error on line {line}, column {column}: {reason}"
        : $"record on line {startLine}; parse error on line {line}, column {column}: {reason}")
{
    public const string BareQuote = "bare \" in non-quoted-field";
    public const string ExtraneousQuote = "extraneous or missing \" in quoted-field";

    public int StartLine { get; } = startLine;
    public int Line { get; } = line;
    public int Column { get; } = column;
}

/// <summary>
/// Go's <c>encoding/csv</c> Reader with the settings kube-apiserver's token file uses: comma separator, no
/// comment character, strict quotes (LazyQuotes off), no leading-space trimming, and any number of fields
/// per record (FieldsPerRecord = -1). It works on the raw bytes as Go does, so a UTF-8 BOM stays part of the
/// first field and columns in errors are byte columns. Its rules:
/// <list type="bullet">
/// <item>"\r\n" ends a line like "\n" (also inside quoted fields); a "\r" right before the end of input is dropped;</item>
/// <item>only truly empty lines are skipped; a line of spaces is a record with one field;</item>
/// <item>a field starting with '"' is quoted: it may hold commas, newlines and doubled quotes (""), and must be
/// followed by a comma or the end of the line; an unquoted field must not contain '"'.</item>
/// </list>
/// </summary>
internal sealed class GoCsvReader(byte[] data)
{
    private const byte Quote = (byte)'"';
    private const byte Comma = (byte)',';
    private const byte NewLine = (byte)'\n';

    private int _offset;
    private int _lineNumber;

    /// <summary>Every record of <paramref name="data"/>; a syntax error throws <see cref="CsvParseException"/>.</summary>
    public static List<CsvRecord> ReadAll(byte[] data)
    {
        var reader = new GoCsvReader(data);
        var records = new List<CsvRecord>();
        while (reader.ReadRecord() is { } record)
        {
            records.Add(record);
        }
        return records;
    }

    /// <summary>Go's readLine: the next line with its "\n" (none at the end of input), "\r\n" folded to "\n"; null at the end.</summary>
    private ReadOnlyMemory<byte>? ReadLine()
    {
        _lineNumber++;
        if (_offset >= data.Length)
        {
            return null;
        }
        var start = _offset;
        var newLine = Array.IndexOf(data, NewLine, start);
        if (newLine < 0)
        {
            _offset = data.Length;
            var last = data.AsMemory(start);
            // "For backwards compatibility, drop trailing \r before EOF."
            return last.Span[^1] == '\r' ? last[..^1] : last;
        }
        _offset = newLine + 1;
        if (newLine > start && data[newLine - 1] == '\r')
        {
            // A fresh copy ending in "\n" instead of "\r\n" (Go rewrites its own buffer the same way).
            var folded = new byte[newLine - start];
            data.AsSpan(start, newLine - 1 - start).CopyTo(folded);
            folded[^1] = NewLine;
            return folded;
        }
        return data.AsMemory(start, newLine + 1 - start);
    }

    private static int LengthNewLine(ReadOnlySpan<byte> line) => line.Length > 0 && line[^1] == NewLine ? 1 : 0;

    private CsvRecord? ReadRecord()
    {
        ReadOnlyMemory<byte> lineMemory;
        while (true)
        {
            if (ReadLine() is not { } next)
            {
                return null;
            }
            if (next.Length == LengthNewLine(next.Span))
            {
                continue; // an empty line
            }
            lineMemory = next;
            break;
        }

        var recordLine = _lineNumber;
        var posLine = _lineNumber;
        var posColumn = 1;
        var buffer = new List<byte>(lineMemory.Length);
        var fieldEnds = new List<int>();
        var line = lineMemory;

        while (true)
        {
            var span = line.Span;
            if (span.Length == 0 || span[0] != Quote)
            {
                // Unquoted field: up to the next comma or the end of the line.
                var comma = span.IndexOf(Comma);
                var field = comma >= 0 ? span[..comma] : span[..^LengthNewLine(span)];
                if (field.IndexOf(Quote) is var quote and >= 0)
                {
                    throw new CsvParseException(recordLine, _lineNumber, posColumn + quote, CsvParseException.BareQuote);
                }
                buffer.AddRange(field);
                fieldEnds.Add(buffer.Count);
                if (comma < 0)
                {
                    break;
                }
                line = line[(comma + 1)..];
                posColumn += comma + 1;
                continue;
            }

            // Quoted field: runs to the matching quote, across lines if need be.
            line = line[1..];
            posColumn += 1;
            var fieldDone = false;
            var recordDone = false;
            while (!fieldDone)
            {
                span = line.Span;
                var quote = span.IndexOf(Quote);
                if (quote >= 0)
                {
                    buffer.AddRange(span[..quote]);
                    line = line[(quote + 1)..];
                    posColumn += quote + 1;
                    span = line.Span;
                    if (span.Length > 0 && span[0] == Quote)
                    {
                        buffer.Add(Quote); // "" is one quote
                        line = line[1..];
                        posColumn += 1;
                    }
                    else if (span.Length > 0 && span[0] == Comma)
                    {
                        line = line[1..];
                        posColumn += 1;
                        fieldDone = true;
                    }
                    else if (LengthNewLine(span) == span.Length)
                    {
                        fieldDone = recordDone = true;
                    }
                    else
                    {
                        throw new CsvParseException(recordLine, _lineNumber, posColumn - 1, CsvParseException.ExtraneousQuote);
                    }
                }
                else if (span.Length > 0)
                {
                    // The field goes on on the next line; its newline is part of the value.
                    buffer.AddRange(span);
                    posColumn += span.Length;
                    var next = ReadLine();
                    line = next ?? ReadOnlyMemory<byte>.Empty;
                    if (line.Length > 0)
                    {
                        posLine++;
                        posColumn = 1;
                    }
                }
                else
                {
                    // The input ended inside the quotes.
                    throw new CsvParseException(recordLine, posLine, posColumn, CsvParseException.ExtraneousQuote);
                }
            }
            fieldEnds.Add(buffer.Count);
            if (recordDone)
            {
                break;
            }
        }

        var bytes = buffer.ToArray();
        var fields = new string[fieldEnds.Count];
        var previous = 0;
        for (var i = 0; i < fields.Length; i++)
        {
            fields[i] = Encoding.UTF8.GetString(bytes, previous, fieldEnds[i] - previous);
            previous = fieldEnds[i];
        }
        return new CsvRecord(recordLine, fields);
    }
}
