using MiniApiServer.Registry.Validation;

namespace MiniApiServer.Tests.Validation;

public class NameGeneratorTests
{
    [Theory]
    [InlineData("web-")]
    [InlineData("")]
    [InlineData("kube-api-access-")]
    public void AppendsFiveCharactersFromKubesAlphabet(string prefix)
    {
        var name = new NameGenerator(new Random(7)).Generate(prefix);
        Assert.StartsWith(prefix, name);
        Assert.Equal(prefix.Length + 5, name.Length);
        Assert.All(name[prefix.Length..], c => Assert.Contains(c, "bcdfghjklmnpqrstvwxz2456789"));
    }

    [Fact]
    public void CutsLongPrefixesSoTheNameFitsADnsLabel()
    {
        var name = new NameGenerator(new Random(1)).Generate(new string('a', 80));
        Assert.Equal(63, name.Length);
        Assert.Equal(new string('a', 58), name[..58]);
    }

    [Fact]
    public void TheRandomnessIsInjected()
    {
        Assert.Equal(new NameGenerator(new Random(42)).Generate("x-"), new NameGenerator(new Random(42)).Generate("x-"));
        var seen = Enumerable.Range(0, 50).Select(_ => NameGenerator.Shared.Generate("x-")).Distinct().Count();
        Assert.True(seen > 45, $"only {seen} distinct names out of 50");
    }
}
