using Aha.Tracking;

namespace Aha.Tests.Tracking;

public sealed class TrainingWarningsTests
{
    private sealed class Recorder : ITrainingObserver
    {
        public List<(TrainingMessageLevel Level, string Text)> Messages { get; } = [];
        public void OnStep(int step, IReadOnlyDictionary<string, double> metrics) { }
        public void OnSamples(int step, IReadOnlyList<SampleRecord> samples) { }
        public void OnMessage(TrainingMessageLevel level, string text) => Messages.Add((level, text));
    }

    /// <summary>Feeds one metric sequence (step = index + 1); returns the steps at which warnings fired.</summary>
    private static (List<int> Steps, Recorder Sink) Drive(TrainingWarningOptions options, IEnumerable<Dictionary<string, double>> steps)
    {
        var sink = new Recorder();
        var warnings = new TrainingWarnings(options, sink);
        int step = 0;
        foreach (var metrics in steps) warnings.OnStep(++step, metrics);
        var fired = sink.Messages.Select(m => int.Parse(m.Text.Split(':')[0]["step ".Length..])).ToList();
        return (fired, sink);
    }

    private static IEnumerable<Dictionary<string, double>> Series(string name, params double[] values)
        => values.Select(v => new Dictionary<string, double> { [name] = v });

    [Fact]
    public void KlRisingPastThreshold_WarnsOnceAtOnset_AndAgainAfterItClears()
    {
        // Smoothing 1 → raw values; threshold 0.5: above at steps 3–5, below at 6, above again at 7.
        var (fired, sink) = Drive(new TrainingWarningOptions { Smoothing = 1 }, Series("kl", 0.1, 0.3, 0.6, 0.9, 1.2, 0.2, 0.7));
        Assert.Equal([3, 7], fired);
        Assert.All(sink.Messages, m => Assert.Equal(TrainingMessageLevel.Warning, m.Level));
        Assert.Contains("KL", sink.Messages[0].Text);
    }

    [Fact]
    public void KlCheck_UsesTrailingMean_SoOneSpikeDoesNotWarn()
    {
        // Smoothing 3: means after each step 0.1, 0.1, (0.1+0.1+1.0)/3 = 0.4 < 0.5, then (0.1+1.0+0.1)/3 = 0.4 → never above.
        var (fired, _) = Drive(new TrainingWarningOptions { Smoothing = 3 }, Series("kl", 0.1, 0.1, 1.0, 0.1, 0.1));
        Assert.Empty(fired);
        // A sustained rise does warn: means 0.1, 0.4, (0.1+1+1)/3 = 0.7 → step 3.
        (fired, _) = Drive(new TrainingWarningOptions { Smoothing = 3 }, Series("kl", 0.1, 0.7, 1.0, 1.0));
        Assert.Equal([3], fired);
    }

    [Fact]
    public void EntropyCollapse_WarnsWhenEntropyFallsBelowThreshold()
    {
        var (fired, sink) = Drive(new TrainingWarningOptions { Smoothing = 1, EntropyMin = 0.1 }, Series("entropy", 2.0, 1.0, 0.3, 0.09, 0.02, 0.01));
        Assert.Equal([4], fired);
        Assert.Contains("entropy", sink.Messages[0].Text, StringComparison.OrdinalIgnoreCase);
    }

    [Fact]
    public void MostGroupsZeroVariance_Warns()
    {
        var (fired, sink) = Drive(new TrainingWarningOptions { Smoothing = 2 }, Series("frac_reward_zero_std", 0.5, 0.75, 0.875, 1.0));
        // Means: 0.5, 0.625, 0.8125 (> 0.8) → step 3.
        Assert.Equal([3], fired);
        Assert.Contains("81% of groups", sink.Messages[0].Text);
    }

    [Fact]
    public void RewardUpWhileAccuracyDown_WarnsOfRewardHacking()
    {
        // Window 4: halves of 2 steps. Reward 0.2, 0.2, 0.4, 0.4 → rise 0.2; accuracy 0.6, 0.6, 0.4, 0.4 → drop 0.2.
        var steps = new[] { (0.2, 0.6), (0.2, 0.6), (0.4, 0.4), (0.4, 0.4) }
            .Select(p => new Dictionary<string, double> { ["reward"] = p.Item1, ["accuracy"] = p.Item2 });
        var (fired, sink) = Drive(new TrainingWarningOptions { HackingWindow = 4 }, steps);
        Assert.Equal([4], fired);
        Assert.Contains("reward hacking", sink.Messages[0].Text);
    }

    [Fact]
    public void HealthyRun_RewardAndAccuracyRisingTogether_DoesNotWarn()
    {
        var steps = Enumerable.Range(0, 40).Select(i => new Dictionary<string, double>
        {
            ["reward"] = 0.1 + 0.02 * i, ["accuracy"] = 0.05 + 0.02 * i, ["kl"] = 0.001 * i,
            ["entropy"] = 1.5 - 0.01 * i, ["frac_reward_zero_std"] = 0.3,
        });
        var (fired, _) = Drive(new TrainingWarningOptions(), steps);
        Assert.Empty(fired);
    }

    [Fact]
    public void InvalidOptions_AreAllListed()
    {
        var e = Assert.Throws<ArgumentException>(() => new TrainingWarningOptions { Smoothing = 0, HackingWindow = 3 }.Validate());
        Assert.Contains("Smoothing", e.Message);
        Assert.Contains("HackingWindow", e.Message);
    }
}
