using Aha.Algorithms;
using Aha.Tracking;
using Aha.Training.OnPolicy;
using TorchSharp;

namespace Aha.Tests.Training.OnPolicy;

public sealed class RolloutCorrectionTrainerTests
{
    static OnPolicyConfig Corrected(OnPolicyConfig c) => c with
    {
        RolloutIs = RolloutCorrectionLevel.Token, RolloutIsThreshold = 2, RolloutRs = RolloutCorrectionLevel.Token, RolloutRsLow = 0.5, RolloutRsHigh = 2,
    };

    [Fact]
    public void LocalEngine_TrainsAsWithoutCorrection_RatioIsOne()
    {
        // the local engine samples with the policy's own weights, so π_old/π_rollout = 1 up to rounding: the weights are ≈ 1,
        // nothing is masked, and two steps end at the same parameters as without correction
        using var plain = ToyRl.Start(ToyRl.Config("grpo"));
        using var corrected = ToyRl.Start(Corrected(ToyRl.Config("grpo")));
        plain.Trainer.Train(2);
        corrected.Trainer.Train(2);
        foreach (var step in corrected.Observer.Steps)
        {
            Assert.InRange(step.Metrics[MetricNames.RolloutCorrRatioMax], 1 - 1e-4, 1 + 1e-4);
            Assert.InRange(step.Metrics[MetricNames.SamplingLogpDiffMax], 0, 1e-4);
            Assert.Equal(0, step.Metrics[MetricNames.RolloutCorrMaskedFrac]);
            Assert.Equal(1.0, step.Metrics[MetricNames.RatioMean], 6);
        }
        Assert.False(plain.Observer.Steps[0].Metrics.ContainsKey(MetricNames.RolloutCorrKl)); // on-policy, no correction: no extra forward
        var other = corrected.Policy.named_parameters().ToDictionary(p => p.name, p => p.parameter);
        foreach (var (name, p) in plain.Policy.named_parameters())
            Assert.True(p.allclose(other[name], rtol: 0, atol: 1e-5), $"{name} differs with correction on");
        Assert.Equal(plain.Observer.Steps[1].Metrics[MetricNames.Loss], corrected.Observer.Steps[1].Metrics[MetricNames.Loss], 1e-4);
    }

    [Fact]
    public void MismatchedEngine_TruncatedIsScalesTheLoss_MaskedIsDropsEverything()
    {
        // the engine reports log-probs ln 4 too high, so π_old/π_rollout = 1/4 on every token
        float shift = (float)Math.Log(4);
        var isOnly = ToyRl.Config("dapo") with { DynamicSampling = false, OverlongShaping = false, RolloutIs = RolloutCorrectionLevel.Token };
        using var plain = ToyRl.Start(isOnly with { RolloutIs = RolloutCorrectionLevel.None });
        using var weighted = ToyRl.Start(isOnly, engineFor: p => new ShiftedEngine(p, shift));
        plain.Trainer.Step();
        var m = weighted.Trainer.Step();
        Assert.Equal(0.25, m[MetricNames.RolloutCorrRatioMean], 4);
        Assert.Equal(Math.Log(4), m[MetricNames.RolloutCorrKl], 4);             // mean(rollout − old) = ln 4
        // same samples (same seed, same weights), every token's loss weighted by 1/4
        Assert.Equal(0.25 * plain.Observer.Steps[0].Metrics[MetricNames.Loss], m[MetricNames.Loss], 1e-5);

        using var masked = ToyRl.Start(isOnly with { RolloutIs = RolloutCorrectionLevel.None, RolloutRs = RolloutCorrectionLevel.Token, RolloutRsLow = 0.5 },
            engineFor: p => new ShiftedEngine(p, shift));
        var before = masked.Policy.named_parameters().ToDictionary(p => p.name, p => p.parameter.detach().clone());
        var mm = masked.Trainer.Step();
        Assert.Equal(1.0, mm[MetricNames.RolloutCorrMaskedFrac]);
        Assert.Equal(0.0, mm[MetricNames.Loss]);
        foreach (var (name, p) in masked.Policy.named_parameters())
            Assert.True(p.allclose(before[name], 0, 0), $"{name} moved although every token was masked");
        foreach (var t in before.Values) t.Dispose();
    }
}
