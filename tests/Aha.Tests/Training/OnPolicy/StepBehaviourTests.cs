using Aha.Generation;
using Aha.Rewards;
using Aha.Tracking;
using Aha.Training.OnPolicy;
using TorchSharp;

namespace Aha.Tests.Training.OnPolicy;

public sealed class StepBehaviourTests
{
    /// <summary>Correct unless the completion starts with '0' or '1' (≈ 2/40 of a random model's mass): most groups of 4 are all-correct.</summary>
    static readonly IRewardFunction MostlyCorrect =
        new DelegateReward("correct", s => s.Completion.Length > 0 && s.Completion[0] is '0' or '1' ? 0.0 : 1.0);

    static OnPolicyConfig DynamicConfig => ToyRl.Config("dapo") with
    {
        NumGenerations = 4, PromptsPerStep = 2, OverlongShaping = false, MaxGenRounds = 40, LogSamplesPerStep = 100,
    };

    [Fact]
    public void DynamicSampling_MostlyAllCorrectGroups_StillTrainsOnTheConfiguredNumberOfInformativeGroups()
    {
        using var run = ToyRl.Start(DynamicConfig, MostlyCorrect);
        run.Trainer.Train(3);

        foreach (var (step, m) in run.Observer.Steps)
        {
            Assert.Equal(2, m[MetricNames.BatchGroups]);
            Assert.Equal(2, m[MetricNames.BatchInformativeGroups]);
            Assert.True(m[MetricNames.GenRounds] >= 1);
        }
        Assert.Contains(run.Observer.Steps, s => s.Metrics[MetricNames.GenRounds] > 1);
        Assert.True(run.Observer.Steps.Average(s => s.Metrics[MetricNames.FracZeroStdGroups]) > 0.5, "most sampled groups should be all-correct");

        // independently of the metrics: the trained completions (all logged) are 2 groups of 4, each with mixed rewards
        foreach (var (_, samples) in run.Observer.Samples)
        {
            Assert.Equal(8, samples.Count);
            foreach (var group in samples.Chunk(4))
            {
                Assert.Single(group.Select(s => s.Prompt).Distinct());
                Assert.True(group.Select(s => s.Reward).Distinct().Count() > 1, "a trained group has all-equal rewards");
            }
        }
    }

    [Fact]
    public void DynamicSampling_OutOfRounds_TrainsOnWhatWasCollected()
    {
        using var run = ToyRl.Start(DynamicConfig with { MaxGenRounds = 1 }, MostlyCorrect);
        run.Trainer.Train(3);
        foreach (var (_, m) in run.Observer.Steps)
        {
            Assert.Equal(1, m[MetricNames.GenRounds]);
            Assert.InRange(m[MetricNames.BatchGroups], 1, 2);
        }
        // with ≈ 80% all-correct groups, some step in three keeps fewer than 2 informative groups
        Assert.Contains(run.Observer.Steps, s => s.Metrics[MetricNames.BatchInformativeGroups] < 2);
    }

    [Theory]
    [InlineData("grpo")]
    [InlineData("ppo")]
    public void OneIterationOneMiniBatch_RatioIsExactlyOne_AndNothingIsClipped(string preset)
    {
        using var run = ToyRl.Start(ToyRl.Config(preset) with { MicroBatchSize = 8 });
        run.Trainer.Train(2);
        foreach (var (_, m) in run.Observer.Steps)
        {
            Assert.Equal(1.0, m[MetricNames.RatioMean]);
            Assert.Equal(0.0, m[MetricNames.ClipFracLow]);
            Assert.Equal(0.0, m[MetricNames.ClipFracHigh]);
            Assert.Equal(0.0, m[MetricNames.ApproxKl]);
        }
    }

    [Fact]
    public void SeveralMiniBatches_MoveThePolicyBetweenUpdates_SoTheRatioLeavesOne()
    {
        using var run = ToyRl.Start(ToyRl.Config("grpo") with { NumIterations = 2, MiniBatchSize = 16 });
        run.Trainer.Train(1);
        var m = run.Observer.Steps[0].Metrics;
        Assert.NotEqual(1.0, m[MetricNames.RatioMean]);
        Assert.True(m[MetricNames.ApproxKl] > 0);
    }

    [Theory]
    [InlineData("grpo")]
    [InlineData("dr_grpo")]
    [InlineData("ppo")]
    public void MicroBatches_GiveTheSameUpdateAsTheWholeMiniBatch(string preset)
    {
        var config = ToyRl.Config(preset) with { NumIterations = 2, MiniBatchSize = 16 };
        using var whole = ToyRl.Start(config);
        using var micro = ToyRl.Start(config with { MicroBatchSize = 4 });
        whole.Trainer.Train(2);
        micro.Trainer.Train(2);
        foreach (var key in new[] { MetricNames.Loss, MetricNames.GradNorm, MetricNames.RatioMean, MetricNames.Entropy, MetricNames.RewardMean })
            for (int s = 0; s < 2; s++)
                Assert.Equal(whole.Observer.Steps[s].Metrics[key], micro.Observer.Steps[s].Metrics[key], 1e-4);
        foreach (var ((name, a), (_, b)) in whole.Policy.named_parameters().Zip(micro.Policy.named_parameters()))
            Assert.True(a.allclose(b, rtol: 1e-4, atol: 1e-5), $"{preset}: {name} differs between micro-batched and whole updates");
    }

    [Fact]
    public void OverlongShaping_AddsDapoSoftPenalty_CountingTruncatedAsLonger()
    {
        // Scripted completions (MaxNewTokens 4, L_max 4, L_buf 2, λ 1). Token 30 is the digit '0' → correct = 1.
        //  [30]            eos        length 1: 1 ≤ L_max − L_buf = 2 → 0                 → total 1
        //  [30, 9, 10]     eos        length 3: −(3 − 2)/2 = −0.5                          → total 0.5
        //  [9, 10, 11, 12] truncated  counts as 5 > L_max → −1                             → total −1
        //  [30, 9, 10, 1]  eos        length 4 = L_max: −(4 − 2)/2 = −1                     → total 0
        var engine = new ScriptedEngine([
            ([30], FinishReason.Eos), ([30, 9, 10], FinishReason.Eos), ([9, 10, 11, 12], FinishReason.Length), ([30, 9, 10, 1], FinishReason.Eos)]);
        var config = ToyRl.Config("dapo") with
        {
            NumGenerations = 4, PromptsPerStep = 2, OverlongBuffer = 2, LogSamplesPerStep = 8, DynamicSampling = false,
        };
        using var run = ToyRl.Start(config, engine: engine);
        Assert.Equal('0', ToyRl.Tokenizer().Decode([30])[0]);
        run.Trainer.Train(1);

        var samples = run.Observer.Samples[0].Samples;
        Assert.Equal(new[] { 1, 0.5, -1, 0, 1, 0.5, -1, 0 }, samples.Select(s => s.Reward).ToArray());
        var m = run.Observer.Steps[0].Metrics;
        Assert.Equal((0 - 0.5 - 1 - 1) / 4.0, m[MetricNames.OverlongMean], 1e-12);
        Assert.Equal(0.75, m[MetricNames.RewardFunctionMean("correct")], 1e-12);
        Assert.Equal(0.25, m[MetricNames.TruncatedFrac], 1e-12);
        Assert.Equal(3.0, m[MetricNames.CompletionLenMean], 1e-12); // (1 + 3 + 4 + 4) / 4
        Assert.Equal(4.0, m[MetricNames.CompletionLenMax]);
        Assert.Equal(1.0, m[MetricNames.CompletionLenMin]);
        // GRPO advantage of the first sample: scores (1, 0.5, −1, 0), mean 0.125, unbiased std √(2.1875/3)
        double std = Math.Sqrt(((0.875 * 0.875) + (0.375 * 0.375) + (1.125 * 1.125) + (0.125 * 0.125)) / 3);
        Assert.Equal(0.875 / (std + 1e-6), samples[0].Advantage, 1e-5);
    }

    [Fact]
    public void MaskTruncatedCompletions_GivesTruncatedRowsNoLoss()
    {
        // every completion is truncated: with the mask on there is no loss token at all, so nothing moves
        var engine = new ScriptedEngine([([30, 9, 10, 11], FinishReason.Length), ([9, 10, 11, 12], FinishReason.Length)]);
        var config = ToyRl.Config("dr_grpo") with { NumGenerations = 2, PromptsPerStep = 2, MaskTruncatedCompletions = true };
        using var run = ToyRl.Start(config, engine: engine);
        run.Trainer.Train(1);
        var m = run.Observer.Steps[0].Metrics;
        Assert.Equal(0.0, m[MetricNames.Loss]);
        Assert.Equal(0.0, m[MetricNames.GradNorm]);

        using var unmasked = ToyRl.Start(config with { MaskTruncatedCompletions = false }, engine: engine);
        unmasked.Trainer.Train(1);
        Assert.True(unmasked.Observer.Steps[0].Metrics[MetricNames.GradNorm] > 0);
    }

    [Fact]
    public void AccuracyAndPerFunctionRewards_AreReported_WithWeights()
    {
        var format = new DelegateReward("short", s => s.Completion.Length <= 2 ? 1.0 : 0.0);
        var engine = new ScriptedEngine([([30], FinishReason.Eos), ([9, 10, 11, 12], FinishReason.Length)]);
        var scorer = new RewardScorer([new WeightedReward(ToyRl.StartsWithDigit, 2.0), new WeightedReward(format, 0.5)]);
        var observer = new RecordingObserver();
        using var policy = ToyRl.Policy();
        using var trainer = new OnPolicyTrainer(ToyRl.Config("grpo") with { NumGenerations = 2, PromptsPerStep = 2 },
            policy, ToyRl.Tokenizer(), scorer, new ShuffledPromptSource(ToyRl.Prompts), engine: engine, observer: observer);
        trainer.Train(1);
        var m = observer.Steps[0].Metrics;
        // row 0: correct 1, short 1 → 2·1 + 0.5·1 = 2.5; row 1: 0, 0 → 0
        Assert.Equal(1.25, m[MetricNames.RewardMean], 1e-12);
        Assert.Equal(1.25, m[MetricNames.RewardStd], 1e-12);
        Assert.Equal(0.5, m[MetricNames.Accuracy], 1e-12);
        Assert.Equal(0.5, m[MetricNames.RewardFunctionMean("correct")], 1e-12);
        Assert.Equal(0.5, m[MetricNames.RewardFunctionMean("short")], 1e-12);
        Assert.Equal(0.0, m[MetricNames.FracZeroStdGroups]);
        Assert.Equal(2.5, observer.Samples[0].Samples[0].Reward);
        Assert.Equal(1.0, observer.Samples[0].Samples[0].RewardsByFunction["correct"]);
    }

    [Fact]
    public void EntropyBonus_SubtractsCoefTimesTokenMeanEntropy_FromTheLoss()
    {
        // dapo: token-mean aggregation, β = 0, μ = 1 → the first step samples the same batch from the same weights,
        // and L(c) = L(0) − c·Σ H·m / Σ m, where Σ H·m / Σ m is the logged entropy
        var config = ToyRl.Config("dapo") with { DynamicSampling = false };
        using var plain = ToyRl.Start(config);
        using var bonus = ToyRl.Start(config with { EntropyCoef = 0.1 });
        plain.Trainer.Train(1);
        bonus.Trainer.Train(1);
        var (p, b) = (plain.Observer.Steps[0].Metrics, bonus.Observer.Steps[0].Metrics);
        Assert.Equal(p[MetricNames.Entropy], b[MetricNames.Entropy], 1e-6);
        Assert.Equal(p[MetricNames.Loss] - 0.1 * p[MetricNames.Entropy], b[MetricNames.Loss], 1e-5);
        Assert.NotEqual(p[MetricNames.GradNorm], b[MetricNames.GradNorm]);
    }

    [Fact]
    public void Steps_LeaveNoLiveTensorsBehind()
    {
        using var run = ToyRl.Start(ToyRl.Config("ppo") with { NumIterations = 2, MiniBatchSize = 16, MicroBatchSize = 8 });
        run.Trainer.Train(2); // creates the optimiser state
        long before = DisposeScopeManager.Statistics.ThreadTotalLiveCount;
        run.Trainer.Train(4);
        Assert.Equal(before, DisposeScopeManager.Statistics.ThreadTotalLiveCount);
    }

    [Fact]
    public void Metrics_CoverTheIssuesNames()
    {
        using var run = ToyRl.Start(ToyRl.Config("ppo"));
        run.Trainer.Train(1);
        var m = run.Observer.Steps[0].Metrics;
        string[] expected = ["reward", "rewards/correct/mean", "reward_std", "frac_reward_zero_std", "kl", "entropy",
            "clip_ratio/low_mean", "clip_ratio/high_mean", "clip_ratio/region_mean", "ratio/mean", "grad_norm", "learning_rate",
            "completions/mean_length", "completions/min_length", "completions/max_length", "completions/clipped_ratio",
            "perf/generated_tokens_per_s", "step_time", "loss", "accuracy", "value_loss", "explained_var", "gen_rounds", "kl_coef"];
        var missing = expected.Where(k => !m.ContainsKey(k)).ToList();
        Assert.True(missing.Count == 0, $"missing metrics: {string.Join(", ", missing)}");
        Assert.All(m, kv => Assert.False(double.IsNaN(kv.Value), $"{kv.Key} is NaN"));
        Assert.Equal(1, run.Observer.Steps[0].Step);
        Assert.Equal(3e-3, m["learning_rate"]);
        Assert.Equal(m["clip_ratio/low_mean"] + m["clip_ratio/high_mean"], m["clip_ratio/region_mean"], 12);
        Assert.InRange(m["completions/mean_length"], m["completions/min_length"], m["completions/max_length"]);
    }
}
