using Aha.Algorithms;
using Aha.Configuration;

namespace Aha.Tests.Configuration;

public sealed class ConfigOverrideTests
{
    /// <summary>"" stands for no config file (defaults plus --set only).</summary>
    private static SampleConfig Load(string yaml, params string[] sets) => ConfigLoader.ApplyText(new SampleConfig(), yaml.Length == 0 ? null : yaml, "c.yaml", sets);

    [Fact]
    public void Set_OverridesFileValues_ByDottedPath_TypedByTheTargetProperty()
    {
        var config = Load("optim:\n  lr: 1e-5\nmax_new_tokens: 8\n",
            "optim.lr=2e-6", "max-new-tokens=32", "algorithm.aggregation=seq_mean_token_mean", "note=a: b, c");
        Assert.Equal(2e-6, config.Optim.Lr);
        Assert.Equal(32, config.MaxNewTokens);
        Assert.Equal(AggregationMode.SeqMeanTokenMean, config.Algorithm.Aggregation);
        Assert.Equal("a: b, c", config.Note); // taken verbatim, not parsed as YAML
    }

    [Fact]
    public void Set_Lists_CommaSeparatedOrYamlFlow_ReplaceTheWholeList()
    {
        Assert.Equal([1, 2, 3], Load("eval_steps: [9]", "eval_steps=1,2,3").EvalSteps);
        Assert.Equal([4, 5], Load("", "eval_steps=[4, 5]").EvalSteps);
        Assert.Equal(["</answer>", "<|im_end|>"], Load("", "stop_strings=</answer>,<|im_end|>").StopStrings);
        Assert.Empty(Load("", "eval_steps=").EvalSteps);
    }

    [Fact]
    public void Set_DictionaryEntry_MergesWithTheOtherEntries()
    {
        var config = Load("", "reward_weights.format=0.5", "reward_weights.length=-0.01");
        Assert.Equal(new Dictionary<string, double> { ["math"] = 1.0, ["format"] = 0.5, ["length"] = -0.01 }, config.RewardWeights);
    }

    [Fact]
    public void Set_LaterOverrideWins()
        => Assert.Equal(3, Load("", "max_new_tokens=2", "max_new_tokens=3").MaxNewTokens);

    [Fact]
    public void Set_Errors_NameTheOverride()
    {
        var e = Assert.Throws<ConfigException>(() => Load("", "optim.lrr=1", "optim.lr=abc", "novalue"));
        Assert.Equal(
        [
            "--set novalue: expected key=value with a dotted key, e.g. --set optim.lr=1e-5.",
            "--set optim.lrr=1: optim.lrr: unknown key 'lrr'. Did you mean 'lr'? Valid keys: lr, warmup_steps, max_grad_norm.",
            "--set optim.lr=abc: optim.lr: value 'abc' is not a number.",
        ], e.Errors.Select(x => x.ToString()));
    }

    [Fact]
    public void Set_WithoutAFile_AppliesToDefaults()
    {
        var config = ConfigLoader.Load<SampleConfig>(null, ["algorithm.clip_high=0.28"]);
        Assert.Equal(0.28, config.Algorithm.ClipHigh);
        Assert.Equal(64, config.MaxNewTokens);
    }

    [Fact]
    public void ParserRegistry_ParsesAndWritesACustomType()
    {
        var parsers = ConfigValueParsers.Default.With(SampleDeviceSpec.Parse, d => d.ToString(), "a device: cpu or cuda:N");
        var config = ConfigLoader.ApplyText(new SampleWithCustomType(), "device: cuda:1", "c.yaml", parsers: parsers);
        Assert.Equal(new SampleDeviceSpec("cuda", 1), config.Device);
        Assert.Equal("device: cuda:1\n", ConfigWriter.ToYaml(config, parsers));

        var e = Assert.Throws<ConfigException>(() => ConfigLoader.ApplyText(new SampleWithCustomType(), "device: tpu", "c.yaml", parsers: parsers));
        Assert.Equal("c.yaml:1:9: device: value 'tpu' is not valid: 'tpu' is not a device (expected a device: cpu or cuda:N).",
            Assert.Single(e.Errors).ToString());
    }
}
