using System.Text;
using MiniApiServer.Authentication.TokenFile;

namespace MiniApiServer.Tests.Authentication.TokenFile;

/// <summary>Go encoding/csv as kube reads the token file: FieldsPerRecord -1, strict quotes, no comments, no trimming.</summary>
public sealed class GoCsvReaderTests
{
    private static List<CsvRecord> Read(string input) => GoCsvReader.ReadAll(Encoding.UTF8.GetBytes(input));

    public static TheoryData<string, string, string[][]> Records => new()
    {
        { "simple record", "a,b,c\n", [["a", "b", "c"]] },
        { "no newline at the end", "a,b,c", [["a", "b", "c"]] },
        { "records of different lengths", "a,b,c\nd,e\nf", [["a", "b", "c"], ["d", "e"], ["f"]] },
        { "empty lines skipped, before and between", "\n\na,b,c\n\n\nd,e,f\n\n", [["a", "b", "c"], ["d", "e", "f"]] },
        { "only empty CRLF lines: nothing", "\r\n\r\n\r\n", [] },
        { "a line of spaces is one field", "   \n", [["   "]] },
        { "whitespace is kept", " a, b ,c \n", [[" a", " b ", "c "]] },
        { "'#' is not a comment", "#a,b,c\n", [["#a", "b", "c"]] },
        { "trailing comma: one more empty field", "a,b,c,\n", [["a", "b", "c", ""]] },
        { "empty fields", ",,\n", [["", "", ""]] },
        { "quoted field with commas", "a,b,c,\"d,e\"\n", [["a", "b", "c", "d,e"]] },
        { "doubled quotes", "\"say \"\"hi\"\"\",b\n", [["say \"hi\"", "b"]] },
        { "quoted empty field", "\"\",b\n", [["", "b"]] },
        { "six quotes make two", "\"\"\"\"\"\"\n", [["\"\""]] },
        { "newline inside quotes", "\"two\nlines\",x\n", [["two\nlines", "x"]] },
        { "CRLF inside quotes becomes LF", "A,\"Hello\r\nHi\",B\r\n", [["A", "Hello\nHi", "B"]] },
        { "CRLF line endings", "a,b,c\r\nd,e,f\r\n", [["a", "b", "c"], ["d", "e", "f"]] },
        { "a CR before the end of input is dropped", "a,b\r", [["a", "b"]] },
        { "a CR inside a field is kept", "fi\reld\r\n", [["fi\reld"]] },
        { "CR CR LF keeps one CR", "field\r\r\n", [["field\r"]] },
        { "quoted field then end of input", "a,\"b\"", [["a", "b"]] },
        { "quoted field then CR at end of input", "\"field\"\r", [["field"]] },
        { "UTF-8 BOM stays in the first field", "\uFEFFtok,u,1\n", [["\uFEFFtok", "u", "1"]] },
        { "non-ASCII text", "tøken,ünïcode,λ\n", [["tøken", "ünïcode", "λ"]] },
    };

    [Theory]
    [MemberData(nameof(Records))]
    public void ReadsRecordsAsGo(string why, string input, string[][] expected)
    {
        var records = Read(input);

        Assert.True(expected.Length == records.Count, $"{why}: {records.Count} records");
        for (var i = 0; i < expected.Length; i++)
        {
            Assert.Equal(expected[i], records[i].Fields);
        }
    }

    [Fact]
    public void RecordsKnowTheLineTheyStartOn()
    {
        var records = Read("\na,b,c\n\"x\ny\",z\n\nlast");

        Assert.Equal([2, 3, 6], records.Select(r => r.Line));
    }

    // Messages are Go's csv.ParseError text: lines and byte columns are 1-based.
    public static TheoryData<string, string, string> Errors => new()
    {
        { "quote inside an unquoted field", "a\"\"b,c", "parse error on line 1, column 2: bare \" in non-quoted-field" },
        { "bare quote after a space", "a \"word\",\"b\"", "parse error on line 1, column 3: bare \" in non-quoted-field" },
        { "bare quote in a later field", "\"a word\",b\"", "parse error on line 1, column 11: bare \" in non-quoted-field" },
        { "bare quote on a later line", "x,y,z\ntok,al\"ice,1\n", "parse error on line 2, column 7: bare \" in non-quoted-field" },
        { "text after a closing quote", "\"a \"word\",\"b\"", "parse error on line 1, column 4: extraneous or missing \" in quoted-field" },
        { "closing quote then CR CR", "\"field\"\r\r", "parse error on line 1, column 7: extraneous or missing \" in quoted-field" },
        { "odd number of quotes", "\"\"\"\"\"\"\"", "parse error on line 1, column 8: extraneous or missing \" in quoted-field" },
        { "unterminated quote at end of input", "a,\"b", "parse error on line 1, column 5: extraneous or missing \" in quoted-field" },
        { "error on a later line of a multi-line record", "a,\"b\nc\"d,e", "record on line 1; parse error on line 2, column 2: extraneous or missing \" in quoted-field" },
        { "unterminated multi-line record", "a,b\n\"d\n\n,e", "record on line 2; parse error on line 4, column 3: extraneous or missing \" in quoted-field" },
    };

    [Theory]
    [MemberData(nameof(Errors))]
    public void SyntaxErrorsAreGoParseErrors(string why, string input, string message)
    {
        var error = Assert.Throws<CsvParseException>(() => Read(input));

        Assert.True(message == error.Message, $"{why}: got {error.Message}");
    }
}
