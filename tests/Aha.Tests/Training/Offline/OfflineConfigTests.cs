using Aha.Algorithms;
using Aha.Training.Offline;

namespace Aha.Tests.Training.Offline;

public sealed class OfflineConfigTests
{
    [Fact]
    public void SftConfig_WithSeveralBadKnobs_ThrowsOneArgumentExceptionListingEveryProblem()
    {
        var e = Assert.Throws<ArgumentException>(() => new SftConfig
            { Epochs = 0, BatchSize = -1, LearningRate = 0, WarmupRatio = 1.5, MaxGradNorm = -1, MaxLength = 1 }.Validate());
        foreach (var name in new[] { "Epochs", "BatchSize", "LearningRate", "WarmupRatio", "MaxGradNorm", "MaxLength" })
            Assert.Contains(name, e.Message);
        Assert.Contains("6 problems", e.Message);
        Assert.Equal("config", e.ParamName);
    }

    [Fact]
    public void DpoConfig_RejectsNonPositiveBeta_AndLabelSmoothingWithIpo_InOneError()
    {
        var e = Assert.Throws<ArgumentException>(() => new DpoConfig
            { Beta = 0, LossType = PreferenceLossType.Ipo, LabelSmoothing = 0.1, GradientAccumulationSteps = 0 }.Validate());
        foreach (var name in new[] { "Beta", "LabelSmoothing", "GradientAccumulationSteps" }) Assert.Contains(name, e.Message);
        Assert.Contains("3 problems", e.Message);
    }

    [Fact]
    public void RewardModelConfig_RejectsNegativeCentering_AndTrainersValidateOnConstruction()
    {
        var e = Assert.Throws<ArgumentException>(() => new RewardModelConfig { CenterRewardsCoefficient = -1 }.Validate());
        Assert.Contains("CenterRewardsCoefficient", e.Message);
        using var model = OfflineFixtures.Policy();
        Assert.Throws<ArgumentException>(() => new SftTrainer(model, OfflineFixtures.Tokenizer, new SftConfig { EvalSteps = -1 }));
    }

    [Fact]
    public void Defaults_FollowTrl_AndAreValid()
    {
        Assert.Equal(2e-5, new SftConfig().Validate().LearningRate);
        Assert.Equal(1e-5, new RewardModelConfig().Validate().LearningRate);
        var dpo = new DpoConfig().Validate();
        Assert.Equal((1e-6, 0.1, PreferenceLossType.Sigmoid, 0.0), (dpo.LearningRate, dpo.Beta, dpo.LossType, dpo.LabelSmoothing));
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
