using Aha.Tracking;
using Aha.Training.OnPolicy;
using TorchSharp;
using Xunit.Abstractions;

namespace Aha.Tests.Training.OnPolicy;

public sealed class LearningTests(ITestOutputHelper output)
{
    public static TheoryData<string> AllPresets => new() { "grpo", "dapo", "dr_grpo", "rloo", "reinforce_pp", "ppo", "gspo", "cispo", "sapo", "gmpo" };

    /// <summary>Losses without a preset of their own, run on grpo's estimator with β = 0.</summary>
    public static TheoryData<string> OtherLosses => new() { "gspo_token", "clip_cov", "kl_cov" };

    /// <summary>PPO's critic starts random, so its policy learns a little slower: higher learning rates for the toy.</summary>
    static OnPolicyConfig ToyConfig(string preset) => preset == "ppo"
        ? ToyRl.Config(preset) with { LearningRate = 5e-3, CriticLearningRate = 1e-2 }
        : ToyRl.Config(preset);

    [Theory]
    [MemberData(nameof(AllPresets))]
    public void EveryPreset_RaisesMeanReward_OnAnEasyToyTask(string preset)
    {
        const int steps = 24, k = 4;
        using var run = ToyRl.Start(ToyConfig(preset));
        run.Trainer.Train(steps);

        // accuracy (the "correct" reward = 1) is the signal; dapo's reward/mean also carries the overlong penalty
        var accuracy = run.Observer.Steps.Select(s => s.Metrics[MetricNames.Accuracy]).ToArray();
        output.WriteLine($"{preset}: {string.Join(" ", accuracy.Select(r => r.ToString("0.00")))}");
        Assert.Equal(steps, accuracy.Length);
        double first = accuracy.Take(k).Average(), last = accuracy.TakeLast(k).Average();
        Assert.True(last > first + 0.25, $"{preset}: accuracy of the last {k} steps {last:0.000} should exceed the first {k} steps' {first:0.000} by 0.25");
        var rewards = run.Observer.Steps.Select(s => s.Metrics[MetricNames.RewardMean]).ToArray();
        Assert.True(rewards.TakeLast(k).Average() > rewards.Take(k).Average() + 0.2, $"{preset}: mean reward should rise too");
    }

    [Theory]
    [MemberData(nameof(OtherLosses))]
    public void OtherPolicyLosses_RaiseAccuracy_OnTheToyTask(string loss)
    {
        // μ = 2 passes so the ratio leaves 1 and the losses' clip / covariance machinery is exercised
        const int steps = 24, k = 4;
        using var run = ToyRl.Start(ToyRl.Config("grpo") with { PolicyLoss = loss, Beta = 0, KlPlacement = Aha.Algorithms.KlPlacement.None, NumIterations = 2 });
        run.Trainer.Train(steps);
        var accuracy = run.Observer.Steps.Select(s => s.Metrics[MetricNames.Accuracy]).ToArray();
        output.WriteLine($"{loss}: {string.Join(" ", accuracy.Select(r => r.ToString("0.00")))}");
        double first = accuracy.Take(k).Average(), last = accuracy.TakeLast(k).Average();
        Assert.True(last > first + 0.25, $"{loss}: accuracy of the last {k} steps {last:0.000} should exceed the first {k} steps' {first:0.000} by 0.25");
        if (loss is "clip_cov" or "kl_cov") Assert.Contains(run.Observer.Steps, s => s.Metrics[MetricNames.ClipFracCov] > 0);
    }

    [Theory]
    [MemberData(nameof(AllPresets))]
    public void EveryPreset_MovesEveryTrainedParameter_AndNeverTheReference(string preset)
    {
        using var run = ToyRl.Start(ToyConfig(preset));
        var before = Snapshot(run.Policy.named_parameters());
        var criticBefore = run.Critic is null ? null : Snapshot(run.Critic.named_parameters());
        var reference = run.Trainer.Reference is null ? null : Snapshot(run.Trainer.Reference.named_parameters());

        run.Trainer.Train(2);

        AssertAllMoved(before, run.Policy.named_parameters(), preset);
        if (criticBefore is not null) AssertAllMoved(criticBefore, run.Critic!.named_parameters(), preset + " critic");
        Assert.Equal(preset is "grpo" or "rloo" or "reinforce_pp" or "ppo", reference is not null); // β > 0 presets only
        if (reference is not null)
            foreach (var (name, p) in run.Trainer.Reference!.named_parameters())
                Assert.True(p.allclose(reference[name], 0, 0), $"{preset}: reference parameter {name} changed");
        foreach (var snapshot in new[] { before, criticBefore, reference })
            foreach (var t in snapshot?.Values ?? Enumerable.Empty<torch.Tensor>()) t.Dispose();
    }

    static Dictionary<string, torch.Tensor> Snapshot(IEnumerable<(string name, TorchSharp.Modules.Parameter parameter)> ps) =>
        ps.ToDictionary(p => p.name, p => p.parameter.detach().clone());

    static void AssertAllMoved(Dictionary<string, torch.Tensor> before, IEnumerable<(string name, TorchSharp.Modules.Parameter parameter)> after, string what)
    {
        var unchanged = after.Where(p => p.parameter.allclose(before[p.name], 0, 0)).Select(p => p.name).ToList();
        Assert.True(unchanged.Count == 0, $"{what}: parameters that did not move: {string.Join(", ", unchanged)}");
    }
}
