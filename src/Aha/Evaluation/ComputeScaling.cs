namespace Aha.Evaluation;

/// <summary>One sampled completion as the test-time-compute metrics see it.</summary>
/// <param name="Answer">The extracted answer (null when none was found; it never wins a vote).</param>
/// <param name="Correct">The verifier's verdict.</param>
/// <param name="Score">The best-of-N scorer's score (higher is better).</param>
public sealed record ScoredSample(string? Answer, bool Correct, double Score);

/// <summary>Held-out accuracy at N samples per problem under three ways of spending them.</summary>
/// <param name="N">Samples per problem.</param>
/// <param name="PassAtN">Some of the N is correct (an oracle picks).</param>
/// <param name="MajAtN">The most frequent answer of the N is correct (self-consistency, no scorer).</param>
/// <param name="BestOfN">The highest-scored of the N is correct.</param>
public sealed record ScalingPoint(int N, double PassAtN, double MajAtN, double BestOfN);

/// <summary>
/// Test-time compute as Snell et al. (2024, arXiv:2408.03314) measure it: accuracy against samples per problem
/// N = 1, 2, 4, … up to the K samples drawn, all read from the same K samples per problem.
/// <list type="bullet">
/// <item>pass@N: the unbiased estimator 1 − C(K − c, N) / C(K, N) (<see cref="PassAtK.Estimate"/>), the expectation
/// over every N-subset of the K samples.</item>
/// <item>best-of-N: exact too. Rank the K samples by score (ties: the earlier sample first); the one chosen from an
/// N-subset is its best-ranked member, and the sample ranked r (1-based) is that member in C(K − r, N − 1) of the
/// C(K, N) subsets, so best-of-N = Σ_r correct_r · C(K − r, N − 1) / C(K, N).</item>
/// <item>maj@N has no such closed form (the vote depends on the whole subset), so it is the mean over the ⌊K/N⌋
/// disjoint consecutive blocks of N samples (samples 0…N−1, N…2N−1, …; the samples are i.i.d., so blocks in sampling
/// order are random subsets); at N = K it is the single vote over all K. Its ties go to the answer seen first.</item>
/// </list>
/// At N = 1 all three equal the sampled pass@1 (maj@1 when every correct sample has an extracted answer).
/// </summary>
public static class ComputeScaling
{
    /// <summary>1, 2, 4, … ≤ <paramref name="k"/>, then <paramref name="k"/> itself when it is not a power of two.</summary>
    public static IReadOnlyList<int> Budgets(int k)
    {
        if (k < 1) throw new ArgumentOutOfRangeException(nameof(k), k, "must be ≥ 1.");
        var budgets = new List<int>();
        for (long n = 1; n <= k; n *= 2) budgets.Add((int)n);
        if (budgets[^1] != k) budgets.Add(k);
        return budgets;
    }

    /// <summary>The table over <see cref="Budgets"/> of K, averaged over problems (each with the same K samples).</summary>
    public static IReadOnlyList<ScalingPoint> Table(IReadOnlyList<IReadOnlyList<ScoredSample>> problems)
    {
        ArgumentNullException.ThrowIfNull(problems);
        if (problems.Count == 0) throw new ArgumentException("No problems.", nameof(problems));
        int k = problems[0].Count;
        if (k == 0 || problems.Any(p => p.Count != k))
            throw new ArgumentException($"Every problem needs the same number (≥ 1) of samples; got {string.Join(", ", problems.Select(p => p.Count).Distinct())}.", nameof(problems));
        return Budgets(k).Select(n => new ScalingPoint(n,
            problems.Average(p => PassAtK.Estimate(k, p.Count(s => s.Correct), n)),
            problems.Average(p => MajAtN(p, n)),
            problems.Average(p => BestOfN(p, n)))).ToList();
    }

    /// <summary>
    /// How well the scores separate right from wrong samples: over every (right, wrong) pair of samples of one problem,
    /// the share where the right one scores higher (ties count one half; an unscored NaN ranks lowest). Problems whose
    /// samples are all right or all wrong give no pair; null when none does.
    /// </summary>
    public static double? PairAccuracy(IReadOnlyList<IReadOnlyList<ScoredSample>> problems)
    {
        ArgumentNullException.ThrowIfNull(problems);
        double won = 0;
        long pairs = 0;
        foreach (var samples in problems)
            foreach (var right in samples.Where(s => s.Correct))
                foreach (var wrong in samples.Where(s => !s.Correct))
                {
                    double r = Rankable(right.Score), w = Rankable(wrong.Score);
                    won += r > w ? 1 : r == w ? 0.5 : 0;
                    pairs++;
                }
        return pairs == 0 ? null : won / pairs;
    }

    /// <summary>maj@N of one problem: the share of its ⌊K/N⌋ disjoint consecutive blocks whose vote is correct.</summary>
    public static double MajAtN(IReadOnlyList<ScoredSample> samples, int n)
    {
        CheckBudget(samples, n);
        int blocks = samples.Count / n;
        int correct = 0;
        for (int b = 0; b < blocks; b++)
            if (PassAtK.MajorityCorrect(samples.Skip(b * n).Take(n).Select(s => (s.Answer, s.Correct)).ToList())) correct++;
        return (double)correct / blocks;
    }

    /// <summary>best-of-N of one problem: the expected correctness of the top-scored sample of a random N-subset.</summary>
    public static double BestOfN(IReadOnlyList<ScoredSample> samples, int n)
    {
        CheckBudget(samples, n);
        int k = samples.Count;
        var ranked = samples.Select((s, i) => (s, i)).OrderByDescending(x => Rankable(x.s.Score)).ThenBy(x => x.i).Select(x => x.s).ToList();
        double expected = 0;
        for (int r = 1; r <= k; r++)
            if (ranked[r - 1].Correct) expected += ChosenShare(k, n, r);
        return expected;
    }

    /// <summary>
    /// C(K − r, N − 1) / C(K, N): the share of N-subsets whose best-ranked member has rank r, computed as
    /// N/K · Π_{i=0}^{N−2} (K − r − i)/(K − 1 − i) so no binomial overflows.
    /// </summary>
    internal static double ChosenShare(int k, int n, int r)
    {
        double share = (double)n / k;
        for (int i = 0; i <= n - 2; i++) share *= (double)(k - r - i) / (k - 1 - i);
        return Math.Max(share, 0);
    }

    /// <summary>A score a scorer could not give (NaN) ranks below every real score.</summary>
    static double Rankable(double score) => double.IsNaN(score) ? double.NegativeInfinity : score;

    static void CheckBudget(IReadOnlyList<ScoredSample> samples, int n)
    {
        ArgumentNullException.ThrowIfNull(samples);
        if (n < 1 || n > samples.Count)
            throw new ArgumentOutOfRangeException(nameof(n), n, $"must be in [1, {samples.Count}] (the samples drawn).");
    }
}
