using MiniApiServer.Api.Errors;
using MiniApiServer.Api.Protobuf;

namespace MiniApiServer.Tests.Protobuf;

/// <summary>
/// Bodies that are not what they claim are refused whole with 400 BadRequest, the code kube-apiserver's
/// handlers give every body decoding error (transformDecodeError wraps them in NewBadRequest).
/// </summary>
public class MalformedBodyTests
{
    static readonly byte[] Magic = "k8s\0"u8.ToArray();

    static byte[] WithMagic(params byte[] rest) => [.. Magic, .. rest];

    static byte[] TypeMeta(string apiVersion, string kind) =>
        new ProtoBody().Message(1, new ProtoBody().String(1, apiVersion).String(2, kind)).ToArray();

    static byte[] Secret(ProtoBody raw) => ProtoBody.Envelope("v1", "Secret", raw);

    public static TheoryData<string, byte[], string> BadBodies => new()
    {
        { "empty body", [], "does not appear to be a protobuf message" },
        { "JSON body", "{\"kind\":\"Secret\"}"u8.ToArray(), "does not appear to be a protobuf message" },
        { "prefix cut short", "k8s"u8.ToArray(), "does not appear to be a protobuf message" },
        { "magic only", Magic, "Object 'Kind' is missing" },
        { "no apiVersion", WithMagic(new ProtoBody().Message(1, new ProtoBody().String(2, "Secret")).ToArray()), "'apiVersion' is missing" },
        { "kind without a table", ProtoBody.Envelope("apps/v1", "Deployment", new ProtoBody()),
            "no kind \"Deployment\" is registered for version \"apps/v1\"" },
        { "known kind in an unknown version", ProtoBody.Envelope("v2", "Secret", new ProtoBody()),
            "no kind \"Secret\" is registered for version \"v2\"" },
        { "no object after the typeMeta", WithMagic(TypeMeta("v1", "Secret")), "the protobuf envelope carries no object" },
        { "raw longer than the body", WithMagic([.. TypeMeta("v1", "Secret"), 0x12, 0x50, 0x0a]), "invalid protobuf envelope: raw: unexpected EOF" },
        { "typeMeta of the wrong wire type", WithMagic(0x08, 0x01), "wrong wireType = 0 for field typeMeta" },
        { "field number 0", WithMagic(0x00, 0x01), "invalid protobuf envelope" },
        { "varint never ending", WithMagic(0x18, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff), "invalid protobuf envelope" },
        { "end-group without a start", WithMagic(0x2c), "invalid protobuf envelope" },
        { "string sent as varint", Secret(new ProtoBody().Message(1, new ProtoBody().Varint(1, 5))),
            "Secret in version \"v1\" cannot be handled as a Secret: proto: wrong wireType = 0 for field metadata.name" },
        { "int64 sent as string", Secret(new ProtoBody().Message(1, new ProtoBody().String(7, "1"))),
            "wrong wireType = 2 for field metadata.generation" },
        { "map entry value of the wrong wire type", Secret(new ProtoBody().Message(2, new ProtoBody().String(1, "k").Varint(2, 1))),
            "wrong wireType = 0 for field data[k]" },
        { "nested length past its parent", Secret(new ProtoBody().Bytes(1, [0x0a, 0x09, (byte)'a'])),
            "cannot be handled as a Secret: metadata.name: unexpected EOF" },
        { "truncated varint inside the object", Secret(new ProtoBody().Bytes(1, [0x38, 0x80])),
            "metadata.generation: unexpected EOF" },
        { "time out of range", Secret(new ProtoBody().Message(1, new ProtoBody().Message(8, new ProtoBody().Varint(1, long.MaxValue)))),
            "metadata.creationTimestamp: time" },
    };

    [Theory]
    [MemberData(nameof(BadBodies))]
    public void RejectsWithBadRequest(string why, byte[] body, string messagePart)
    {
        var e = Assert.Throws<ApiException>(() => KubeProtobuf.Decode(body));

        Assert.Equal(400, e.Code);
        Assert.Equal("BadRequest", e.Status.Reason);
        Assert.True(e.Status.Message.Contains(messagePart, StringComparison.Ordinal), $"{why}: {e.Status.Message}");
    }

    public static TheoryData<string> CaptureNames => new(typeof(KubectlCaptures)
        .GetFields().Where(f => f.IsLiteral).Select(f => f.Name));

    static byte[] Capture(string name) =>
        Convert.FromHexString((string)typeof(KubectlCaptures).GetField(name)!.GetRawConstantValue()!);

    /// <summary>
    /// Every cut of a real body inside its object is refused; only cuts in the trailing, empty
    /// contentEncoding/contentType fields (the last 4 bytes) can still leave a whole object.
    /// </summary>
    [Theory]
    [MemberData(nameof(CaptureNames))]
    public void EveryTruncationBeforeTheEndOfTheObjectIsRefused(string name)
    {
        var body = Capture(name);
        Assert.True(body.AsSpan(body.Length - 4).SequenceEqual(new byte[] { 0x1a, 0x00, 0x22, 0x00 }), "capture ends with empty contentEncoding/contentType");

        for (var length = 0; length < body.Length - 4; length++)
        {
            var e = Assert.Throws<ApiException>(() => KubeProtobuf.Decode(body.AsSpan(0, length)));
            Assert.Equal(400, e.Code);
        }
    }

    /// <summary>Corrupted bytes anywhere either still decode or give a 400, never another exception.</summary>
    [Theory]
    [MemberData(nameof(CaptureNames))]
    public void CorruptedBytesNeverEscapeAsOtherExceptions(string name)
    {
        var body = Capture(name);
        var random = new Random(name.Length * 7919 + body.Length);

        for (var round = 0; round < 300; round++)
        {
            var corrupted = (byte[])body.Clone();
            for (var flips = random.Next(1, 4); flips > 0; flips--)
                corrupted[random.Next(4, corrupted.Length)] = (byte)random.Next(256);

            AssertDecodesOrIsBadRequest(corrupted);
        }
    }

    [Fact]
    public void GarbageAfterTheMagicNeverEscapesAsOtherExceptions()
    {
        var random = new Random(42);
        for (var round = 0; round < 1000; round++)
        {
            var garbage = new byte[random.Next(0, 64)];
            random.NextBytes(garbage);

            AssertDecodesOrIsBadRequest(WithMagic(garbage));
        }
    }

    static void AssertDecodesOrIsBadRequest(byte[] body)
    {
        try
        {
            KubeProtobuf.Decode(body);
        }
        catch (ApiException e)
        {
            Assert.Equal(400, e.Code);
        }
    }
}
