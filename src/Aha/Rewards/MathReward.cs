namespace Aha.Rewards;

/// <summary>
/// Math answer correctness (the R1-Zero accuracy reward): extracts the final answer (<see cref="AnswerExtractor"/>)
/// and compares it with the ground truth by exact value (<see cref="MathEquivalence"/>). 1 if equal, 0 otherwise;
/// "not applicable" when the sample has no ground truth.
/// </summary>
public sealed class MathReward : IRewardFunction
{
    public MathReward(string name = "math", AnswerSources sources = AnswerSources.All)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(name);
        if (sources == AnswerSources.None)
            throw new ArgumentException("At least one answer source is needed.", nameof(sources));
        Name = name;
        Sources = sources;
    }

    public string Name { get; }

    /// <summary>Where answers may be taken from. Default: all (tag, \boxed, ####, "the answer is").</summary>
    public AnswerSources Sources { get; }

    public RewardScore Score(RewardSample sample, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(sample);
        if (string.IsNullOrWhiteSpace(sample.GroundTruth))
            return RewardScore.NotApplicable("no ground truth");
        var truth = AnswerExtractor.NormalizeGroundTruth(sample.GroundTruth);
        var extracted = AnswerExtractor.Extract(sample.Completion, Sources);
        cancellationToken.ThrowIfCancellationRequested(); // the scorer timed this call out: skip the comparison
        if (extracted is null)
            return RewardScore.Of(0, null, Sources.HasFlag(AnswerSources.AnswerTag) && Sources == AnswerSources.AnswerTag
                ? "no <answer> tag"
                : "no answer found (no <answer> tag, \\boxed{}, '####' or 'the answer is')");
        if (extracted.Text.Length == 0)
            return RewardScore.Of(0, "", "empty answer");
        return MathEquivalence.AreEquivalent(extracted.Text, truth)
            ? RewardScore.Of(1, extracted.Text, $"equals ground truth {Shorten(truth)}")
            : RewardScore.Of(0, extracted.Text, $"{Shorten(extracted.Text)} ≠ ground truth {Shorten(truth)}");
    }

    internal static string Shorten(string s, int max = 60) => s.Length <= max ? s : s[..max] + "…";
}
