using Aha.Data;

namespace Aha.Evaluation;

/// <summary>
/// Preference pairs for a reward model from a model's own scored samples (an outcome reward model, as Snell et al.
/// 2024 train theirs): for each problem with both verified-correct and incorrect samples, a correct completion is
/// chosen over an incorrect one. No human labels: the verifier's verdicts are the labels.
/// </summary>
public static class VerifiedPairs
{
    /// <summary>
    /// At most <paramref name="maxPerProblem"/> pairs per problem, pairing the i-th correct with the i-th incorrect
    /// sample (cycling through the shorter list), in sampling order, so every sample is used before any repeats.
    /// </summary>
    public static List<PreferenceExample> From(EvaluationReport report, int maxPerProblem)
    {
        ArgumentNullException.ThrowIfNull(report);
        ArgumentOutOfRangeException.ThrowIfLessThan(maxPerProblem, 1);
        var pairs = new List<PreferenceExample>();
        foreach (var problem in report.Problems)
        {
            var correct = problem.SampledCompletions.Where(c => c.Correct).ToList();
            var wrong = problem.SampledCompletions.Where(c => !c.Correct).ToList();
            if (correct.Count == 0 || wrong.Count == 0) continue;
            int count = Math.Min(maxPerProblem, Math.Max(correct.Count, wrong.Count));
            for (int i = 0; i < count; i++)
                pairs.Add(new PreferenceExample($"{problem.Id}/{i}", TextOrMessages.FromText(problem.Prompt),
                    TextOrMessages.FromText(correct[i % correct.Count].Text), TextOrMessages.FromText(wrong[i % wrong.Count].Text)));
        }
        return pairs;
    }
}
