using Aha.Tracking;
using Aha.Training.OnPolicy;

namespace Aha.R1Zero;

/// <summary>
/// Adds the reflection curves to each RL step's metrics, from the weight-0 <see cref="ReflectionReward"/>s:
/// <c>reflection/rate</c> (share of sampled completions that verify or backtrack), <c>reflection/backtrack_rate</c>
/// (share that self-correct) and <c>reflection/right_self_corrected</c> (share of the right completions that
/// self-correct). <see cref="AhaStep"/> is the first step at which that last share exceeds one half: most rewarded
/// completions then contain a self-correction.
/// </summary>
internal sealed class ReflectionObserver(ITrainingObserver inner, string correctnessName) : ITrainingObserver
{
    /// <summary>The aha step, or null while it has not come.</summary>
    public int? AhaStep { get; private set; }

    readonly List<(int Step, SampleRecord Sample)> _selfCorrected = [];

    /// <summary>Logged samples (<see cref="ITrainingObserver.OnSamples"/>) that self-corrected and were right, with their step.</summary>
    public IReadOnlyList<(int Step, SampleRecord Sample)> RightSelfCorrected => _selfCorrected;

    /// <summary>Up to <paramref name="count"/> right self-corrected samples nearest the aha step (none without one).</summary>
    public IReadOnlyList<(int Step, SampleRecord Sample)> AroundAha(int count = 2) => AhaStep is int aha
        ? _selfCorrected.OrderBy(s => Math.Abs(s.Step - aha)).ThenBy(s => s.Step).DistinctBy(s => s.Sample.Prompt).Take(count).OrderBy(s => s.Step).ToList()
        : [];

    public void OnStep(int step, IReadOnlyDictionary<string, double> metrics)
    {
        if (metrics.TryGetValue(OnPolicyMetrics.RewardFunctionMean("reflection"), out var rate))
        {
            var merged = new Dictionary<string, double>(metrics) { ["reflection/rate"] = rate };
            if (metrics.TryGetValue(OnPolicyMetrics.RewardFunctionMean("backtrack"), out var backtrack)) merged["reflection/backtrack_rate"] = backtrack;
            if (metrics.TryGetValue(OnPolicyMetrics.RewardFunctionMean("right_after_backtrack"), out var both)
                && metrics.TryGetValue(OnPolicyMetrics.RewardFunctionMean(correctnessName), out var right) && right > 0)
            {
                double share = both / right;   // P(self-corrects | right) = P(right ∧ self-corrects) / P(right)
                merged["reflection/right_self_corrected"] = share;
                if (AhaStep is null && share > 0.5) AhaStep = step;
            }
            metrics = merged;
        }
        inner.OnStep(step, metrics);
    }

    public void OnSamples(int step, IReadOnlyList<SampleRecord> samples)
    {
        foreach (var s in samples)
            if (s.RewardsByFunction.TryGetValue(correctnessName, out var right) && right >= 1 && ReflectionDetector.Backtracks(s.Completion))
                _selfCorrected.Add((step, s));
        inner.OnSamples(step, samples);
    }

    public void OnMessage(TrainingMessageLevel level, string text) => inner.OnMessage(level, text);
}
