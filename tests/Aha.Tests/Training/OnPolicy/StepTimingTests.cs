using Aha.Benchmarks;
using Aha.Tracking;
using Aha.Training.OnPolicy;
using M = Aha.Tracking.MetricNames;

namespace Aha.Tests.Training.OnPolicy;

/// <summary>The per-step phase account (timing_s/*) and perf/* metrics: presence and consistency, never a speed.</summary>
public sealed class StepTimingTests
{
    static readonly string[] TrainerPhases = [M.TimingRef, M.TimingOldLogProb, M.TimingValues, M.TimingAdv, M.TimingUpdateActor, M.TimingUpdateCritic];
    const double Slack = 1e-3; // seconds: the clocks are read at slightly different instants

    [Fact]
    public void Grpo_WithReferenceAndTwoMiniBatches_AccountsForEveryPhase()
    {
        // β = 0.04 (grpo preset) runs the reference; two mini-batches recompute π_old
        using var run = ToyRl.Start(ToyRl.Config("grpo") with { MiniBatchSize = 16 });
        run.Trainer.Train(2);
        foreach (var (_, m) in run.Observer.Steps)
        {
            CheckSums(m);
            Assert.True(m[M.TimingRef] > 0 && m[M.TimingOldLogProb] > 0 && m[M.TimingUpdateActor] > 0);
            Assert.Equal(0.0, m[M.TimingValues]);
            Assert.Equal(0.0, m[M.TimingUpdateCritic]);
            // actor: forward + backward = 3 forwards; ref and old: one forward each, over the same tokens
            Assert.Equal(5.0 / 3.0, m[M.PerfMfu] * m[M.TimingStep] / (m[M.PerfMfuActor] * m[M.TimingUpdateActor]), 6);
        }
    }

    [Fact]
    public void Ppo_TimesTheCriticApart()
    {
        using var run = ToyRl.Start(ToyRl.Config("ppo"));
        run.Trainer.Train(1);
        var m = run.Observer.Steps[0].Metrics;
        CheckSums(m);
        Assert.True(m[M.TimingValues] > 0 && m[M.TimingUpdateCritic] > 0 && m[M.TimingUpdateActor] > 0);
    }

    [Fact]
    public void Throughput_CountsPromptAndCompletionTokensOfTheTrainedBatch()
    {
        using var run = ToyRl.Start(ToyRl.Config("dr_grpo"));   // no dynamic sampling: every sampled row is trained
        run.Trainer.Train(1);
        var m = run.Observer.Steps[0].Metrics;
        // 4 prompts × G = 8 rows; ToyRl's prompts are two characters, two tokens each
        double tokens = 32 * 2 + 32 * m[M.CompletionLenMean];
        Assert.Equal(tokens, m[M.Throughput] * m[M.TimingStep], 6);
        Assert.True(m[M.PerfMfu] > 0 && double.IsFinite(m[M.PerfMfu]));
    }

    [Fact]
    public void ModelFlops_MatchesTheHandCount()
    {
        // TinyModels.Qwen2: H 32, V 40, I 48, 2 layers, q 4·8 = 32, kv 2·8 = 16, qkv bias, tied.
        // per layer: attention 32·32 + 2·32·16 + 32·32 + (32 + 2·16) = 3 136, MLP 3·32·48 = 4 608, norms 2·32 = 64 → 7 808;
        // blocks 2·7 808 + final norm 32 = 15 648. Forward over 10 tokens with the head on 4: 2·15 648·10 + 2·(40·32)·4 = 323 200.
        var config = TinyModels.Qwen2();
        Assert.Equal(323_200, ModelFlops.Forward(config, 10, 4));
        Assert.Equal(2 * 323_200, ModelFlops.Backward(ModelFlops.Forward(config, 10, 4)));
        // untied: the head's own V·H weights are not block weights either
        Assert.Equal(323_200, ModelFlops.Forward(TinyModels.Qwen2(tied: false), 10, 4));
        // value model: blocks + the H → 1 score per token: 2·(15 648 + 32)·10
        Assert.Equal(313_600, ModelFlops.ValueForward(config, 10));
    }

    /// <summary>Every phase present and non-negative, and the sums a sync-mode step must satisfy.</summary>
    internal static void CheckSums(IReadOnlyDictionary<string, double> m)
    {
        foreach (var key in TrainerPhases.Concat([M.TimingGen, M.TimingReward, M.TimingWaitRollout, M.TimingWeightSync, M.TimingUpdate, M.TimingStep]))
            Assert.True(m.ContainsKey(key) && m[key] >= 0, $"{key} missing or negative");
        // sync mode: the wait is generation then scoring; the update holds the trainer phases; the step holds both
        Assert.True(m[M.TimingGen] + m[M.TimingReward] <= m[M.TimingWaitRollout] + Slack);
        Assert.True(TrainerPhases.Sum(k => m[k]) <= m[M.TimingUpdate] + Slack);
        Assert.True(m[M.TimingWaitRollout] + m[M.TimingWeightSync] + m[M.TimingUpdate] <= m[M.TimingStep] + Slack);
        Assert.True(m[M.TimingGen] + m[M.TimingReward] + m[M.TimingWeightSync] + TrainerPhases.Sum(k => m[k]) <= m[M.TimingStep] + Slack);
    }
}
