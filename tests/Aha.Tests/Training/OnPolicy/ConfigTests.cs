using Aha.Algorithms;
using Aha.Configuration;
using Aha.Rewards;
using Aha.Training.OnPolicy;

namespace Aha.Tests.Training.OnPolicy;

public sealed class ConfigTests
{
    [Fact]
    public void Defaults_AreValid_ForEveryPreset()
    {
        foreach (var name in Presets.Names)
            Assert.Same(typeof(OnPolicyConfig), new OnPolicyConfig { Preset = name }.Validate().GetType());
    }

    [Fact]
    public void BadConfig_ListsEveryProblemInOneException()
    {
        var config = new OnPolicyConfig
        {
            NumGenerations = 3, PromptsPerStep = 2, MiniBatchSize = 4, MicroBatchSize = 3, Temperature = 0,
            LearningRate = -1, ClipLow = -1.5, DualClip = 0.5, Beta = 0.1, KlPlacement = KlPlacement.None,
            AdaptiveKl = true, Gamma = 2, OverlongBuffer = 500, MaxGenRounds = 0,
        };
        var e = Assert.Throws<ConfigException>(() => config.Validate());
        // Each problem is data at its key, with the value found (no message is parsed back).
        Assert.Equal(["temperature", "learning_rate", "mini_batch_size", "mini_batch_size", "micro_batch_size", "clip_low", "dual_clip", "beta",
            "adaptive_kl", "max_gen_rounds", "overlong_buffer", "gamma"], e.Errors.Select(x => x.KeyPath));
        Assert.Equal(-1.0, e.Errors.Single(x => x.KeyPath == "learning_rate").Value);
        string[] expected =
        [
            "mini_batch_size (4) must divide the batch prompts_per_step · num_generations (2 · 3 = 6)",
            "mini_batch_size (4) must be a multiple of num_generations (3)",
            "micro_batch_size (3) must divide the mini-batch (4)",
            "temperature must be > 0 (got 0)",
            "learning_rate must be > 0 (got -1)",
            "clip_low must be ≥ 0 (got -1.5)",
            "dual_clip must be > 1 (got 0.5)",
            "beta is 0.1 but kl_placement is none",
            "adaptive_kl needs kl_placement reward (got none)",
            "gamma must be in [0, 1] (got 2)",
            "overlong_buffer must be in 1..overlong_max_length (256) (got 500)",
            "max_gen_rounds must be ≥ 1 (got 0)",
        ];
        Assert.All(expected, x => Assert.Contains(x, e.Message));
        Assert.Contains($"({expected.Length} errors)", e.Message);
    }

    [Fact]
    public void UnknownPreset_ListsTheValidOnes_AlongsideOtherProblems()
    {
        var e = Assert.Throws<ConfigException>(() => new OnPolicyConfig { Preset = "grpoo", TopP = 0 }.Validate());
        Assert.Equal(["preset", "top_p"], e.Errors.Select(x => x.KeyPath));
        Assert.Contains("Unknown algorithm preset 'grpoo'", e.Message);
        Assert.Contains("cispo, dapo, dr_grpo, gmpo, grpo, gspo, ppo, reinforce_pp, rloo, sapo", e.Message);
        Assert.Contains("top_p must be in (0, 1] (got 0)", e.Message);
    }

    [Fact]
    public void UnknownAlgorithmNames_AreEachReported_WithTheValidOnes()
    {
        var e = Assert.Throws<ConfigException>(() => new OnPolicyConfig
            { Estimator = "grpoo", PolicyLoss = "gspoo", Aggregation = "token_meen", KlEstimator = "k4" }.Validate());
        Assert.Contains("estimator: Unknown advantage estimator 'grpoo'. Valid values: dr_grpo, gae, grpo, reinforce_pp, reinforce_pp_baseline, rloo.", e.Message);
        Assert.Contains("policy_loss: Unknown policy loss 'gspoo'. Valid values: cispo, clip_cov, gmpo, gspo, gspo_token, kl_cov, pg, sapo, vanilla.", e.Message);
        Assert.Contains("aggregation: Unknown loss aggregation mode 'token_meen'. Valid values: seq-mean-token-mean, seq-mean-token-sum, seq-mean-token-sum-norm, token-mean, token-sum.", e.Message);
        Assert.Contains("kl_estimator: Unknown KL estimator 'k4'. Valid values: abs, k1, k1+, k2, k3, k3+.", e.Message);
        Assert.Equal(["estimator", "policy_loss", "aggregation", "kl_estimator"], e.Errors.Select(x => x.KeyPath));
    }

    [Fact]
    public void RolloutCorrectionAndLossKnobs_AreValidated()
    {
        var e = Assert.Throws<ConfigException>(() => new OnPolicyConfig
            { RolloutIsThreshold = 0, RolloutRsLow = 3, RolloutRsHigh = 2, SapoTauNeg = 0, KlCovRatio = 2 }.Validate());
        Assert.Contains("rollout_is_threshold must be > 0 (got 0)", e.Message);
        Assert.Contains("rollout_rs_high (2) must exceed rollout_rs_low (3)", e.Message);
        Assert.Contains("sapo_tau_neg must be > 0 (got 0)", e.Message);
        Assert.Contains("kl_cov_ratio must be in (0, 1] (got 2)", e.Message);
    }

    [Fact]
    public void GroupBaseline_WithOneGeneration_IsRefused()
    {
        var e = Assert.Throws<ConfigException>(() => new OnPolicyConfig { NumGenerations = 1 }.Validate());
        Assert.Contains("num_generations is 1 but estimator grpo uses a group baseline", e.Message);
        // The trainer's one pass (validation and algorithm lookup together) refuses it the same way.
        Assert.Equal("num_generations", Assert.Single(Assert.Throws<ConfigException>(() => new OnPolicyConfig { NumGenerations = 1 }.ResolveAlgorithm()).Errors).KeyPath);
        new OnPolicyConfig { Preset = "ppo", NumGenerations = 1 }.Validate(); // GAE needs no group
    }

    [Fact]
    public void Overrides_ReplaceThePresetsFields_OnlyWhereGiven()
    {
        var a = new OnPolicyConfig { Preset = "dapo", ClipHigh = 0.3, Beta = 0.01, KlPlacement = KlPlacement.Loss }.ResolveAlgorithm();
        Assert.Equal(("grpo", "vanilla", 0.2, 0.3, AggregationMode.TokenMean, 0.01, KlPlacement.Loss, true),
            (a.Estimator.Name, a.PolicyLoss.Name, a.Loss.ClipLow, a.Loss.ClipHigh, a.Aggregation.Mode, a.Beta, a.KlPlacement, a.DynamicSampling));
        var b = new OnPolicyConfig { Preset = "grpo", PolicyLoss = "GSPO", Aggregation = "token-sum", KlEstimator = "k3+" }.ResolveAlgorithm();
        Assert.Equal(("gspo", AggregationMode.TokenSum, "k3+"), (b.PolicyLoss.Name, b.Aggregation.Mode, b.Kl.Name));
    }

    [Fact]
    public void Trainer_RefusesMismatchedModelsAndRewards()
    {
        using var policy = ToyRl.Policy();
        using var critic = ToyRl.Critic();
        var scorer = new RewardScorer(ToyRl.StartsWithDigit);
        var source = new ShuffledPromptSource(ToyRl.Prompts);
        var e1 = Assert.Throws<ArgumentException>(() => new OnPolicyTrainer(new OnPolicyConfig { Preset = "ppo" }, policy, ToyRl.Tokenizer(), scorer, source));
        Assert.Equal("valueModel", e1.ParamName);
        var e2 = Assert.Throws<ArgumentException>(() => new OnPolicyTrainer(new OnPolicyConfig(), policy, ToyRl.Tokenizer(), scorer, source, critic));
        Assert.Equal("valueModel", e2.ParamName);
        var e3 = Assert.Throws<ArgumentException>(() => new OnPolicyTrainer(new OnPolicyConfig { AccuracyReward = "math" }, policy, ToyRl.Tokenizer(), scorer, source));
        Assert.Contains("accuracy_reward 'math'", e3.Message);
        var doubled = new RewardScorer(ToyRl.StartsWithDigit, new OverlongReward(8));
        var e4 = Assert.Throws<ArgumentException>(() => new OnPolicyTrainer(new OnPolicyConfig { Preset = "dapo" }, policy, ToyRl.Tokenizer(), doubled, source));
        Assert.Equal("scorer", e4.ParamName);
    }
}
