using Aha.Algorithms;
using Aha.Configuration;

namespace Aha.Tests.Configuration;

public sealed class ConfigWriterTests
{
    [Fact]
    public void ToYaml_WritesSnakeCaseKeys_AlgorithmNames_AndQuotesAmbiguousStrings()
    {
        var config = new SampleConfig
        {
            ModelPath = "123", Note = "true",
            Algorithm = new SampleAlgorithm { Aggregation = AggregationMode.SeqMeanTokenSumNorm, ClipHigh = 0.28 },
            Stages = [new SampleStage { Name = "sft", Steps = 2 }],
        };
        Assert.Equal("""
            model_path: "123"
            max_new_tokens: 64
            use_kv_cache: true
            note: "true"
            device: cpu
            optim:
              lr: 1e-05
              warmup_steps: 10
              max_grad_norm: 1
            algorithm:
              aggregation: seq-mean-token-sum-norm
              kl: k3
              clip_low: 0.2
              clip_high: 0.28
            eval_steps: [10, 20]
            stop_strings: []
            reward_weights:
              math: 1
              format: 0.1
            stages:
            - name: sft
              steps: 2

            """.Replace("\r\n", "\n"), ConfigWriter.ToYaml(config));
    }

    [Fact]
    public void ToYaml_ThenLoad_GivesTheSameConfiguration()
    {
        var original = ConfigLoader.Load<SampleConfig>(null,
        [
            "note=", "optim.max_grad_norm=", "stop_strings=</answer>,null,'x'", "algorithm.kl=k2", "optim.lr=.5",
            "stages=[{name: a}, {name: b, steps: 3}]", "reward_weights.x=-1e-300",
        ]);
        var yaml = ConfigWriter.ToYaml(original, header: ["resolved"]);
        Assert.StartsWith("# resolved\n", yaml);
        var reloaded = ConfigLoader.ApplyText(new SampleConfig(), yaml, "resolved.yaml");
        Assert.Equal(yaml, ConfigWriter.ToYaml(reloaded, header: ["resolved"]));
        Assert.Equal(["</answer>", "null", "'x'"], reloaded.StopStrings);
        Assert.Null(reloaded.Note);
        Assert.Equal(-1e-300, reloaded.RewardWeights["x"]);
    }
}
