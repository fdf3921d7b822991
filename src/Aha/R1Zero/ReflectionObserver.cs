using System.Text.Json;
using Aha.Tracking;
using Aha.Training.OnPolicy;

namespace Aha.R1Zero;

/// <summary>
/// Adds the reflection curves to each RL step's metrics, from the weight-0 <see cref="ReflectionReward"/>s:
/// <c>reflection/rate</c> (share of sampled completions that verify or backtrack), <c>reflection/backtrack_rate</c>
/// (share that self-correct) and <c>reflection/right_self_corrected</c> (share of the right completions that
/// self-correct). The aha step (<see cref="AhaStep"/>) is the first step from which most rewarded completions contain
/// a self-correction, pooled over <see cref="AhaWindow"/> steps: early steps have only a handful of right completions,
/// so one step's share alone flips above one half by chance. Both it and its examples are read back from the run
/// folder's files, so a resumed run finds the same ones as an uninterrupted one.
/// </summary>
internal sealed class ReflectionObserver(ITrainingObserver inner, string correctnessName) : ITrainingObserver
{
    /// <summary>The metric whose passing one half marks the aha step.</summary>
    public const string RightSelfCorrected = "reflection/right_self_corrected";

    public void OnStep(int step, IReadOnlyDictionary<string, double> metrics)
    {
        if (metrics.TryGetValue(MetricNames.RewardFunctionMean("reflection"), out var rate))
        {
            var merged = new Dictionary<string, double>(metrics) { ["reflection/rate"] = rate };
            if (metrics.TryGetValue(MetricNames.RewardFunctionMean("backtrack"), out var backtrack)) merged["reflection/backtrack_rate"] = backtrack;
            if (metrics.TryGetValue(MetricNames.RewardFunctionMean("right_after_backtrack"), out var both)
                && metrics.TryGetValue(MetricNames.RewardFunctionMean(correctnessName), out var right) && right > 0)
                merged[RightSelfCorrected] = both / right;   // P(self-corrects | right) = P(right ∧ self-corrects) / P(right)
            metrics = merged;
        }
        inner.OnStep(step, metrics);
    }

    public void OnSamples(int step, IReadOnlyList<SampleRecord> samples) => inner.OnSamples(step, samples);

    public void OnMessage(TrainingMessageLevel level, string text) => inner.OnMessage(level, text);

    /// <summary>Steps pooled for the aha step: the step itself and the next ones.</summary>
    public const int AhaWindow = 5;

    /// <summary>
    /// The aha step of the logged RL rows: the first step t at which the right completions of steps t … t + 4 (fewer at
    /// the end), pooled, mostly self-corrected — Σ P(right ∧ self-corrects) / Σ P(right) &gt; ½, each step's batch being
    /// the same size; null while no window qualifies.
    /// </summary>
    public static int? AhaStep(IEnumerable<MetricRow> rows, string correctnessName)
    {
        var steps = rows.Where(r => r.Step > 0).OrderBy(r => r.Step)
            .Select(r => (r.Step, Both: r.Get(MetricNames.RewardFunctionMean("right_after_backtrack")) ?? 0, Right: r.Get(MetricNames.RewardFunctionMean(correctnessName)) ?? 0))
            .ToList();
        for (int i = 0; i < steps.Count; i++)
        {
            var window = steps.Skip(i).Take(AhaWindow).ToList();
            double right = window.Sum(w => w.Right), both = window.Sum(w => w.Both);
            if (right > 0 && both / right > 0.5) return steps[i].Step;
        }
        return null;
    }

    /// <summary>
    /// Up to <paramref name="count"/> logged completions (<c>completions.jsonl</c>) that were right and self-corrected,
    /// nearest the aha step, distinct prompts, in step order; none without an aha step.
    /// </summary>
    public static IReadOnlyList<(int Step, SampleRecord Sample)> AroundAha(string completionsPath, int? ahaStep, string correctnessName, int count = 2)
    {
        if (ahaStep is not int aha) return [];
        var selfCorrected = new List<(int Step, SampleRecord Sample)>();
        foreach (var (_, o) in JsonlFile.ReadObjects(completionsPath))
        {
            var completion = o.GetProperty("completion").GetString() ?? "";
            if (!o.GetProperty("rewards").TryGetProperty(correctnessName, out var right) || right.ValueKind != JsonValueKind.Number
                || right.GetDouble() < 1 || !ReflectionDetector.Backtracks(completion)) continue;
            var answer = o.GetProperty("answer");
            selfCorrected.Add((o.GetProperty("step").GetInt32(), new SampleRecord(o.GetProperty("prompt").GetString() ?? "", completion,
                answer.ValueKind == JsonValueKind.String ? answer.GetString() : null, Number(o, "reward"), new Dictionary<string, double> { [correctnessName] = right.GetDouble() },
                Number(o, "advantage"), o.GetProperty("length").GetInt32(), o.GetProperty("finish_reason").GetString() ?? "")));
        }
        return selfCorrected.OrderBy(s => Math.Abs(s.Step - aha)).ThenBy(s => s.Step).DistinctBy(s => s.Sample.Prompt).Take(count).OrderBy(s => s.Step).ToList();
    }

    static double Number(JsonElement o, string name) => o.GetProperty(name) is { ValueKind: JsonValueKind.Number } v ? v.GetDouble() : double.NaN;
}
