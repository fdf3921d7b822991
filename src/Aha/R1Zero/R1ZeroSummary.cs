using System.Text.Json;
using Aha.Evaluation;
using System.Text.Json.Serialization;

namespace Aha.R1Zero;

/// <summary>
/// <c>summary.json</c>: before/after figures on the held-out set (greedy pass@1 is <c>accuracy_*</c>), timings and the
/// run's identity. Rates are fractions in [0, 1]; lengths are tokens. Everything but the <c>*_seconds</c> fields is a
/// function of the config and seed on a given machine. pass@k and maj@k are measured with k = <c>eval_k</c> samples
/// per problem (<c>pass_at_k_*</c>, <c>maj_at_k_*</c>); <c>pass8_*</c>/<c>maj8_*</c> repeat them under their old names,
/// deprecated (they held pass@k and maj@k whatever k was), and are removed in the next release.
/// </summary>
public sealed record R1ZeroSummary
{
    public required string Task { get; init; }
    public required string Preset { get; init; }
    public required string Control { get; init; }
    public required long Seed { get; init; }
    public required long ModelParameters { get; init; }
    public required int EvalProblems { get; init; }
    /// <summary>k of pass@k and maj@k: samples per held-out problem (<c>eval.k</c>).</summary>
    public required int EvalK { get; init; }
    public required double AccuracyBefore { get; init; }
    public required double AccuracyAfter { get; init; }
    public required double SampledPass1Before { get; init; }
    public required double SampledPass1After { get; init; }
    /// <summary>maj@k before RL: share of problems whose majority answer over the k samples is right.</summary>
    public required double MajAtKBefore { get; init; }
    public required double MajAtKAfter { get; init; }
    /// <summary>pass@k before RL: share of problems with at least one right answer among the k samples.</summary>
    public required double PassAtKBefore { get; init; }
    public required double PassAtKAfter { get; init; }
    /// <summary>Deprecated alias of <see cref="MajAtKBefore"/> (the name said 8 whatever k was); removed in the next release.</summary>
    [JsonPropertyName("maj8_before")] public double DeprecatedMaj8Before => MajAtKBefore;
    /// <summary>Deprecated alias of <see cref="MajAtKAfter"/>.</summary>
    [JsonPropertyName("maj8_after")] public double DeprecatedMaj8After => MajAtKAfter;
    /// <summary>Deprecated alias of <see cref="PassAtKBefore"/>.</summary>
    [JsonPropertyName("pass8_before")] public double DeprecatedPass8Before => PassAtKBefore;
    /// <summary>Deprecated alias of <see cref="PassAtKAfter"/>.</summary>
    [JsonPropertyName("pass8_after")] public double DeprecatedPass8After => PassAtKAfter;
    public required double FormatRateBefore { get; init; }
    public required double FormatRateAfter { get; init; }
    /// <summary>Share of held-out greedy completions that call a tool, before RL (tasks with tools only).</summary>
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public double? ToolCallRateBefore { get; init; }
    /// <summary>Share of held-out greedy completions that call a tool, after RL (tasks with tools only).</summary>
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public double? ToolCallRateAfter { get; init; }
    public required double MeanCompletionLenBefore { get; init; }
    public required double MeanCompletionLenAfter { get; init; }
    /// <summary>Mean length (tokens) of the evaluation's sampled completions.</summary>
    public double SampledMeanLenBefore { get; init; }
    public double SampledMeanLenAfter { get; init; }
    /// <summary>Share of the evaluation's sampled completions that verify or backtrack (<see cref="ReflectionDetector"/>).</summary>
    public double ReflectionRateBefore { get; init; }
    public double ReflectionRateAfter { get; init; }
    /// <summary>Share of the evaluation's sampled completions that self-correct (backtrack).</summary>
    public double BacktrackRateBefore { get; init; }
    public double BacktrackRateAfter { get; init; }
    /// <summary>Search tasks (countdown): mean attempts per sampled completion of the evaluation (<see cref="CountdownSearch"/>); absent for the others.</summary>
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public double? AttemptsPerCompletionBefore { get; init; }
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public double? AttemptsPerCompletionAfter { get; init; }
    /// <summary>First RL step at which most of the right sampled completions contain a self-correction; null if none.</summary>
    public int? AhaStep { get; init; }
    /// <summary>Test-time compute before and after RL at the largest N (compute_scaling.json has every N); absent when <c>scaling.samples</c> is 0.</summary>
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public TestTimeComputeSummary? TestTimeCompute { get; init; }
    public required int RlSteps { get; init; }
    public required int PretrainSteps { get; init; }
    public double? PretrainFinalLoss { get; init; }
    public CorpusStats? Corpus { get; init; }
    public required double PretrainSeconds { get; init; }
    public required double RlSeconds { get; init; }
    public required double TotalSeconds { get; init; }

    public static readonly JsonSerializerOptions Json = new()
    {
        PropertyNamingPolicy = JsonNamingPolicy.SnakeCaseLower,
        WriteIndented = true,
        NumberHandling = JsonNumberHandling.AllowNamedFloatingPointLiterals,
    };

    public string ToJson() => JsonSerializer.Serialize(this, Json);

    /// <summary>The <c>summary.json</c> at <paramref name="path"/>.</summary>
    public static R1ZeroSummary Read(string path) =>
        JsonSerializer.Deserialize<R1ZeroSummary>(File.ReadAllText(path), Json) ?? throw new InvalidDataException($"{path}: empty summary.");
}

/// <summary>
/// The compute-scaling measurement at its largest N, before (base) and after RL: pass@N, maj@N and best-of-N, what
/// ranked best-of-N, the pairs its reward model learned from, and how often it ranks a right sample of a held-out
/// problem above a wrong one.
/// </summary>
public sealed record TestTimeComputeSummary(
    int Samples, int Problems, string Scorer, int RewardModelPairs,
    double PassAtNBefore, double PassAtNAfter, double MajAtNBefore, double MajAtNAfter, double BestOfNBefore, double BestOfNAfter,
    double? ScorerPairAccuracyBefore, double? ScorerPairAccuracyAfter)
{
    public static TestTimeComputeSummary Of(EvaluationReport before, EvaluationReport after, int rewardModelPairs)
    {
        ArgumentNullException.ThrowIfNull(before);
        ArgumentNullException.ThrowIfNull(after);
        ScalingPoint b = before.Scaling[^1], a = after.Scaling[^1];
        return new TestTimeComputeSummary(before.K, before.ProblemCount, before.Scorer, rewardModelPairs,
            b.PassAtN, a.PassAtN, b.MajAtN, a.MajAtN, b.BestOfN, a.BestOfN, before.ScorerPairAccuracy, after.ScorerPairAccuracy);
    }
}
