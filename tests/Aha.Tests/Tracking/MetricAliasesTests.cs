using Aha.Tracking;

namespace Aha.Tests.Tracking;

public sealed class MetricAliasesTests
{
    [Fact]
    public void TokensPerS_KeepsEachTrainersOldMeaning()
    {
        // grpo/ppo report the generated-token rate and the throughput; their old tokens_per_s was the generated rate.
        var onPolicy = MetricAliases.WithOldNames(new Dictionary<string, double>
        {
            ["perf/throughput"] = 900, ["perf/generated_tokens_per_s"] = 300,
        });
        Assert.Equal(300, onPolicy["tokens_per_s"]);
        // sft/rm/dpo/kto report only the throughput; their old tokens_per_s was the forward-token rate.
        var offline = MetricAliases.WithOldNames(new Dictionary<string, double> { ["perf/throughput"] = 2100 });
        Assert.Equal(2100, offline["tokens_per_s"]);
    }

    [Fact]
    public void EveryTokenRateHasOneCanonicalName()
    {
        Assert.Equal("perf/throughput", MetricNames.Throughput);
        // The name the offline trainers wrote for a few commits is no metric's name now.
        var names = typeof(MetricNames).GetFields().Select(f => (string)f.GetRawConstantValue()!).ToList();
        Assert.DoesNotContain("perf/forward_tokens_per_s", names);
        Assert.Equal(names.Count, names.Distinct().Count());
    }

    [Fact]
    public void AReportedOldNameIsNeverOverwritten_AndRewardFunctionsMapByPattern()
    {
        var all = MetricAliases.WithOldNames(new Dictionary<string, double>
        {
            ["reward"] = 0.5, ["reward/mean"] = 0.25, ["rewards/math/mean"] = 1,
        });
        Assert.Equal(0.25, all["reward/mean"]);
        Assert.Equal(1, all["reward/math/mean"]);
        Assert.Equal("rewards/math/mean", MetricAliases.CanonicalOf("reward/math/mean"));
        Assert.Equal(MetricNames.GeneratedTokensPerS, MetricAliases.CanonicalOf("tokens_per_s"));
        Assert.True(MetricNames.IsClock("tokens_per_s"));
    }
}
