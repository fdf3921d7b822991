namespace Aha.Evaluation;

/// <summary>Test-time-compute metrics over n samples per problem.</summary>
public static class PassAtK
{
    /// <summary>
    /// Unbiased pass@k (Chen et al. 2021, arXiv:2107.03374): 1 − C(n − c, k) / C(n, k), the chance that at least one
    /// of k samples drawn without replacement from n, of which c are correct, is correct.
    /// </summary>
    public static double Estimate(int n, int c, int k)
    {
        if (n < 1 || c < 0 || c > n || k < 1 || k > n)
            throw new ArgumentException($"pass@k needs 1 ≤ k ≤ n and 0 ≤ c ≤ n (n = {n}, c = {c}, k = {k}).");
        if (n - c < k) return 1.0;
        double allWrong = 1.0;                                   // Π_{i=n−c+1..n} (1 − k/i)
        for (int i = n - c + 1; i <= n; i++) allWrong *= 1.0 - (double)k / i;
        return 1.0 - allWrong;
    }

    /// <summary>
    /// Whether the vote of these samples is right: the <see cref="MajorityAnswer"/> exists and a sample giving it was
    /// judged correct (the verifier, not string equality with the reference, decides what is correct).
    /// </summary>
    public static bool MajorityCorrect(IReadOnlyList<(string? Answer, bool Correct)> samples)
    {
        var majority = MajorityAnswer(samples.Select(s => s.Answer));
        return majority is not null && samples.Any(s => s.Correct && s.Answer == majority);
    }

    /// <summary>maj@k: the most frequent extracted answer (ties → the one seen first; missing answers never win).</summary>
    public static string? MajorityAnswer(IEnumerable<string?> answers)
        => answers.Select((a, i) => (a, i)).Where(x => x.a is not null)
                  .GroupBy(x => x.a).OrderByDescending(g => g.Count()).ThenBy(g => g.Min(x => x.i))
                  .Select(g => g.Key).FirstOrDefault();
}
