using Aha.Algorithms;
using Aha.Configuration;

namespace Aha.Tests.Configuration;

public sealed class ConfigLoaderTests
{
    [Fact]
    public void Load_MapsSnakeCaseKeysNestedSectionsListsAndEnums()
    {
        using var dir = new TempDir();
        var path = dir.File("run.yaml", """
            model_path: Qwen/Qwen2.5-0.5B
            max_new_tokens: 1_024
            use_kv_cache: false
            device: cuda
            optim:
              lr: 3e-6
              max_grad_norm: null
            algorithm:
              aggregation: token-mean
              kl: K1
              clip-high: 0.28
            eval_steps: [5, 15]
            stop_strings:
              - "</answer>"
            stages:
              - name: sft
                steps: 2
              - name: grpo
            """);
        var config = ConfigLoader.Load<SampleConfig>(path);
        Assert.Equal("Qwen/Qwen2.5-0.5B", config.ModelPath);
        Assert.Equal(1024, config.MaxNewTokens);
        Assert.False(config.UseKVCache);
        Assert.Equal(SampleDevice.Cuda, config.Device);
        Assert.Equal(3e-6, config.Optim.Lr);
        Assert.Equal(10, config.Optim.WarmupSteps); // untouched default inside a given section
        Assert.Null(config.Optim.MaxGradNorm);
        Assert.Equal(AggregationMode.TokenMean, config.Algorithm.Aggregation);
        Assert.Equal(KlEstimator.K1, config.Algorithm.Kl);
        Assert.Equal(0.28, config.Algorithm.ClipHigh);
        Assert.Equal(0.2, config.Algorithm.ClipLow);
        Assert.Equal([5, 15], config.EvalSteps);
        Assert.Equal(["</answer>"], config.StopStrings);
        Assert.Equal([("sft", 2), ("grpo", 1)], config.Stages.Select(s => (s.Name, s.Steps)));
    }

    [Theory]
    [InlineData("seq_mean_token_mean", AggregationMode.SeqMeanTokenMean)]
    [InlineData("seq-mean-token-sum-norm", AggregationMode.SeqMeanTokenSumNorm)]
    [InlineData("TokenMean", AggregationMode.TokenMean)]
    public void EnumNames_AcceptSnakeKebabAndPascal(string text, AggregationMode expected)
        => Assert.Equal(expected, ConfigLoader.ApplyText(new SampleConfig(), $"algorithm: {{aggregation: {text}}}", "t.yaml").Algorithm.Aggregation);

    [Fact]
    public void UnknownKey_NamesFileLineKeyPath_SuggestsNearest_AndListsValidKeys()
    {
        var yaml = "max_new_tokens: 8\nalgorithm:\n  clip_hihg: 0.3\n";
        var e = Assert.Throws<ConfigException>(() => ConfigLoader.ApplyText(new SampleConfig(), yaml, "grpo.yaml"));
        var error = Assert.Single(e.Errors);
        Assert.Equal(("grpo.yaml", 3, 3, "algorithm.clip_hihg"), (error.Source, error.Line, error.Column, error.KeyPath));
        Assert.Equal("grpo.yaml:3:3: algorithm.clip_hihg: unknown key 'clip_hihg'. Did you mean 'clip_high'? " +
                     "Valid keys: aggregation, kl, clip_low, clip_high.", error.ToString());
    }

    [Fact]
    public void WrongType_NamesFileLineKeyValueAndExpectedType()
    {
        var yaml = "optim:\n  lr: fast\n";
        var e = Assert.Throws<ConfigException>(() => ConfigLoader.ApplyText(new SampleConfig(), yaml, "c.yaml"));
        Assert.Equal("c.yaml:2:7: optim.lr: value 'fast' is not a number.", Assert.Single(e.Errors).ToString());
    }

    [Fact]
    public void BadEnumName_ListsTheValidNames()
    {
        var e = Assert.Throws<ConfigException>(() => ConfigLoader.ApplyText(new SampleConfig(), "algorithm:\n  kl: k4", "c.yaml"));
        Assert.Equal("c.yaml:2:7: algorithm.kl: value 'k4' is not valid: unknown name (expected one of: k1, k2, k3).",
            Assert.Single(e.Errors).ToString());
    }

    [Fact]
    public void AllErrors_AreReportedTogether_InOneException()
    {
        var yaml = """
            max_new_tokens: many
            modle_path: x
            optim: 3
            eval_steps: [1, two]
            """;
        var e = Assert.Throws<ConfigException>(() => ConfigLoader.ApplyText(new SampleConfig(), yaml, "c.yaml"));
        Assert.Equal(
        [
            "c.yaml:1:17: max_new_tokens: value 'many' is not an integer (int).",
            "c.yaml:2:1: modle_path: unknown key 'modle_path'. Did you mean 'model_path'? Valid keys: model_path, max_new_tokens, " +
                "use_kv_cache, note, device, optim, algorithm, eval_steps, stop_strings, reward_weights, stages.",
            "c.yaml:3:8: optim: expected a SampleOptim section (a mapping), got '3'.",
            "c.yaml:4:17: eval_steps[1]: value 'two' is not an integer (int).",
        ], e.Errors.Select(x => x.ToString()));
        Assert.StartsWith("Invalid configuration (4 errors):\n  c.yaml:1:17", e.Message);
    }

    [Fact]
    public void NullForNonNullableValue_IsAnError()
    {
        var e = Assert.Throws<ConfigException>(() => ConfigLoader.ApplyText(new SampleConfig(), "max_new_tokens: ~\nmodel_path: null", "c.yaml"));
        Assert.Equal(["max_new_tokens", "model_path"], e.Errors.Select(x => x.KeyPath));
        Assert.Contains("null is not allowed here; expected an integer (int)", e.Errors[0].Message);
    }

    [Fact]
    public void Validation_RunsOnDefaultsToo_AndNamesTheKey()
    {
        var yaml = "model_path: ''\nalgorithm:\n  clip_low: 0.3\n";
        var e = Assert.Throws<ConfigException>(() => ConfigLoader.ApplyText(new SampleConfig(), yaml, "c.yaml"));
        Assert.Equal(
        [
            "c.yaml:1:1: model_path: is required: a Hugging Face folder or a built-in model name.",
            "c.yaml:2:1: algorithm: clip_high (0.2) must be ≥ clip_low (0.3).",
        ], e.Errors.Select(x => x.ToString()));
    }

    [Fact]
    public void YamlSyntaxError_IsReportedWithLine()
    {
        var e = Assert.Throws<ConfigException>(() => ConfigLoader.ApplyText(new SampleConfig(), "optim:\n  lr: 1\n    x: 2\n", "bad.yaml"));
        var error = Assert.Single(e.Errors);
        Assert.Equal(("bad.yaml", 3), (error.Source, error.Line));
        Assert.Contains("YAML syntax error", error.Message);

        // An unterminated flow list makes YamlDotNet throw without a position; it is still a ConfigException.
        e = Assert.Throws<ConfigException>(() => ConfigLoader.ApplyText(new SampleConfig(), "optim:\n  lr: [1, 2\nmax_new_tokens: 3\n", "bad.yaml"));
        Assert.Contains("YAML syntax error", Assert.Single(e.Errors).Message);
    }

    [Fact]
    public void MissingFile_IsAConfigErrorNamingThePath()
    {
        var e = Assert.Throws<ConfigException>(() => ConfigLoader.Load<SampleConfig>("/nonexistent/aha.yaml"));
        Assert.StartsWith("/nonexistent/aha.yaml: cannot read the config file", Assert.Single(e.Errors).ToString());
    }

    [Fact]
    public void Apply_LeavesTheDefaultsInstanceUntouched()
    {
        var preset = new SampleConfig { Optim = new SampleOptim { Lr = 1e-3 } };
        var result = ConfigLoader.ApplyText(preset, "optim: {warmup_steps: 0}", "c.yaml", ["reward_weights.format=0.5"]);
        Assert.Equal((1e-3, 0), (result.Optim.Lr, result.Optim.WarmupSteps));
        Assert.Equal(10, preset.Optim.WarmupSteps);
        Assert.Equal(0.1, preset.RewardWeights["format"]);
    }

    [Theory]
    [InlineData("")]
    [InlineData("# nothing here\n")]
    [InlineData("~\n")]
    public void EmptyFile_IsAnError_NamingTheFile(string yaml)
    {
        // A config file with no keys is almost always a mistake (wrong file, truncated write): say so instead of
        // silently training with the defaults.
        var e = Assert.Throws<ConfigException>(() => ConfigLoader.ApplyText(new SampleConfig(), yaml, "c.yaml"));
        var error = Assert.Single(e.Errors);
        Assert.Equal("c.yaml", error.Source);
        Assert.Contains("empty", error.Message);
    }

    [Fact]
    public void NoFile_GivesTheDefaults()
        => Assert.Equal(64, ConfigLoader.ApplyText(new SampleConfig(), null, "(defaults)").MaxNewTokens);
}
