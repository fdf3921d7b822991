using Aha.Algorithms;
using Aha.Configuration;
using Aha.Training.Offline;

namespace Aha.Tests.Training.Offline;

public sealed class OfflineConfigTests
{
    [Fact]
    public void SftConfig_WithSeveralBadKnobs_ThrowsOneConfigExceptionListingEveryProblem()
    {
        var e = Assert.Throws<ConfigException>(() => new SftConfig
            { Epochs = 0, BatchSize = -1, LearningRate = 0, WarmupRatio = 1.5, MaxGradNorm = -1, MaxLength = 1 }.Validate());
        Assert.Equal(["epochs", "batch_size", "learning_rate", "warmup_ratio", "max_grad_norm", "max_length"], e.Errors.Select(x => x.KeyPath));
        Assert.Equal(new object?[] { 0, -1, 0.0, 1.5, -1.0, 1 }, e.Errors.Select(x => x.Value));
        Assert.Contains("(6 errors)", e.Message);
    }

    [Fact]
    public void DpoConfig_RejectsNonPositiveBeta_AndLabelSmoothingWithIpo_InOneError()
    {
        var e = Assert.Throws<ConfigException>(() => new DpoConfig
            { Beta = 0, LossType = "ipo", LabelSmoothing = 0.1, GradientAccumulationSteps = 0 }.Validate());
        Assert.Equal(["gradient_accumulation_steps", "beta", "label_smoothing"], e.Errors.Select(x => x.KeyPath));
    }

    [Fact]
    public void RewardModelConfig_RejectsNegativeCentering_AndTrainersValidateOnConstruction()
    {
        var e = Assert.Throws<ConfigException>(() => new RewardModelConfig { CenterRewardsCoefficient = -1 }.Validate());
        Assert.Equal("center_rewards_coefficient", Assert.Single(e.Errors).KeyPath);
        using var model = OfflineFixtures.Policy();
        Assert.Throws<ConfigException>(() => new SftTrainer(model, OfflineFixtures.Tokenizer, new SftConfig { EvalSteps = -1 }));
    }

    [Fact]
    public void Defaults_FollowTrl_AndAreValid()
    {
        Assert.Equal(2e-5, new SftConfig().Validate().LearningRate);
        Assert.Equal(1e-5, new RewardModelConfig().Validate().LearningRate);
        var dpo = new DpoConfig().Validate();
        Assert.Equal((1e-6, 0.1, "sigmoid", 0.0), (dpo.LearningRate, dpo.Beta, dpo.LossType, dpo.LabelSmoothing));
        new RejectionSamplingConfig().Validate();
    }

    [Fact]
    public void Schedule_WarmupRatio_IsCountedInSteps_AndWarmupStepsWin()
    {
        var s = new SftConfig { LearningRate = 1.0, WarmupRatio = 0.1 }.Schedule(100);
        Assert.Equal(10, s.WarmupSteps);
        Assert.Equal(0.1, s.At(0), 12);   // (0 + 1) / 10 of the peak
        Assert.Equal(5, new SftConfig { WarmupSteps = 5, WarmupRatio = 0.5 }.Schedule(100).WarmupSteps);
    }
}
