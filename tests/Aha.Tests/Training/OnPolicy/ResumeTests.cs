using Aha.Tracking;
using Aha.Training.OnPolicy;

namespace Aha.Tests.Training.OnPolicy;

public sealed class ResumeTests
{

    public static TheoryData<string> Configs => new() { "grpo", "ppo", "dapo" };

    /// <summary>Configs that exercise every piece of state: fresh π_old (μ = 2, two mini-batches), the reference
    /// (grpo), critic + its optimiser + adaptive β (ppo), dynamic sampling's prompt consumption (dapo).</summary>
    static OnPolicyConfig Config(string preset) => ToyRl.Config(preset) with
    {
        NumIterations = 2, MiniBatchSize = 16, AdaptiveKl = preset == "ppo", KlTarget = 0.01, KlHorizon = 100,
        WarmupSteps = preset == "grpo" ? 2 : 0, TotalSteps = preset == "grpo" ? 6 : 0,
    };

    [Theory]
    [MemberData(nameof(Configs))]
    public void ResumedRun_ReproducesTheUninterruptedRunsMetrics(string preset)
    {
        using var dir = new TempDir();
        using var uninterrupted = ToyRl.Start(Config(preset));
        uninterrupted.Trainer.Train(2);
        uninterrupted.Trainer.SaveState(dir.Path);
        double betaAtSave = uninterrupted.Trainer.Beta;
        uninterrupted.Trainer.Train(4);

        using var resumed = ToyRl.Start(Config(preset));
        resumed.Trainer.LoadState(dir.Path);
        Assert.Equal(2, resumed.Trainer.GlobalStep);
        Assert.Equal(betaAtSave, resumed.Trainer.Beta);
        resumed.Trainer.Train(4);

        Assert.Equal([3, 4], resumed.Observer.Steps.Select(s => s.Step));
        for (int i = 0; i < 2; i++)
        {
            var expected = uninterrupted.Observer.Steps[2 + i].Metrics;
            var actual = resumed.Observer.Steps[i].Metrics;
            Assert.Equal(expected.Keys.Order(), actual.Keys.Order());
            foreach (var (key, value) in expected.Where(kv => !MetricNames.IsClock(kv.Key)))
                Assert.True(Math.Abs(value - actual[key]) <= 1e-5, $"{preset} step {3 + i}: {key} resumed {actual[key]} vs uninterrupted {value}");
        }
        if (preset == "ppo") Assert.NotEqual(Config(preset).ResolveAlgorithm().Beta, uninterrupted.Trainer.Beta); // β did adapt
        foreach (var ((name, a), (_, b)) in uninterrupted.Policy.named_parameters().Zip(resumed.Policy.named_parameters()))
            Assert.True(a.allclose(b, rtol: 0, atol: 1e-6), $"{preset}: {name} differs after resuming");
    }

    [Fact]
    public void LoadState_IntoATrainerOfAnotherPreset_NamesTheFieldThatDiffers()
    {
        using var dir = new TempDir();
        using (var run = ToyRl.Start(Config("grpo")))
        {
            run.Trainer.Train(1);
            run.Trainer.SaveState(dir.Path);
        }
        using var other = ToyRl.Start(ToyRl.Config("dr_grpo"));
        var e = Assert.Throws<InvalidDataException>(() => other.Trainer.LoadState(dir.Path));
        Assert.Contains("trainer_state.json", e.Message);
        Assert.Contains("'preset'", e.Message);
        Assert.Throws<InvalidDataException>(() => other.Trainer.LoadState(dir["missing"]));
    }
}
