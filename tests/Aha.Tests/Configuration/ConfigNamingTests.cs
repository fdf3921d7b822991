using Aha.Configuration;

namespace Aha.Tests.Configuration;

public sealed class ConfigNamingTests
{
    [Theory]
    [InlineData("MaxNewTokens", "max_new_tokens")]
    [InlineData("Lr", "lr")]
    [InlineData("UseKVCache", "use_kv_cache")]
    [InlineData("Beta1", "beta1")]
    [InlineData("K3Coef", "k3_coef")]
    [InlineData("TopP", "top_p")]
    [InlineData("ModelPath", "model_path")]
    public void ToSnakeCase_MapsPropertyNamesToYamlKeys(string property, string key)
        => Assert.Equal(key, ConfigNaming.ToSnakeCase(property));

    [Fact]
    public void Nearest_SuggestsLikelyTypos_ButNotUnrelatedNames()
    {
        Assert.Equal("clip_high", ConfigNaming.Nearest("clip_hihg", ["clip_low", "clip_high", "beta"]));
        Assert.Null(ConfigNaming.Nearest("temperature", ["clip_low", "clip_high", "beta"]));
    }

    [Fact]
    public void EditDistance_CountsSingleEdits()
    {
        Assert.Equal(0, ConfigNaming.EditDistance("abc", "abc"));
        Assert.Equal(2, ConfigNaming.EditDistance("clip_hihg", "clip_high")); // a transposition is two substitutions
        Assert.Equal(3, ConfigNaming.EditDistance("kitten", "sitting"));       // the textbook example
    }
}
