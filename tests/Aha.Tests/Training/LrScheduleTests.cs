using Aha.Training;

namespace Aha.Tests.Training;

public sealed class LrScheduleTests
{
    [Fact]
    public void WarmupThenCosine_HitsHandComputedValues()
    {
        var s = new LrSchedule(PeakLr: 1.0, WarmupSteps: 4, TotalSteps: 14, MinRatio: 0.1);
        Assert.Equal(0.25, s.At(0), 12);   // (0 + 1) / 4
        Assert.Equal(1.0, s.At(3), 12);    // end of warmup
        Assert.Equal(1.0, s.At(4), 12);    // progress 0: cos 0 = 1
        // progress (9 − 4) / 10 = 0.5: cosine factor 0.5·(1 + cos π/2) = 0.5 → 0.1 + 0.9·0.5 = 0.55
        Assert.Equal(0.55, s.At(9), 12);
        Assert.Equal(0.1, s.At(14), 12);   // floor
        Assert.Equal(0.1, s.At(100), 12);
    }

    [Fact]
    public void AdamW_DecaysMatricesOnly()
    {
        using var model = TinyModels.Build(TinyModels.Qwen2());
        var optimizer = OptimizerFactory.AdamW(model.parameters(), lr: 1e-3, weightDecay: 0.1);
        var groups = optimizer.ParamGroups.Cast<TorchSharp.Modules.AdamW.ParamGroup>().ToList();
        Assert.Equal(2, groups.Count);
        Assert.All(groups[0].Parameters, p => Assert.Equal(2, p.dim()));
        Assert.All(groups[1].Parameters, p => Assert.Equal(1, p.dim()));
        Assert.Equal(model.parameters().Count(), groups.Sum(g => g.Parameters.Count()));
        OptimizerFactory.SetLearningRate(optimizer, 0.5);
        Assert.All(groups, g => Assert.Equal(0.5, g.Options.LearningRate));
    }
}
