using Aha.Generation;

namespace Aha.Tests.Generation;

/// <summary>Comparisons of two generations that should agree up to float rounding (two kernels, shared vs unshared prefill).</summary>
internal static class CompletionAssert
{
    /// <summary>Row by row the same tokens, and each token's log-prob within 1e-4.</summary>
    public static void Same(IReadOnlyList<Completion> expected, IReadOnlyList<Completion> actual)
    {
        Assert.Equal(expected.Count, actual.Count);
        for (int i = 0; i < expected.Count; i++)
        {
            Assert.Equal(expected[i].TokenIds, actual[i].TokenIds);
            for (int t = 0; t < actual[i].LogProbs.Length; t++)
                Assert.True(Math.Abs(expected[i].LogProbs[t] - actual[i].LogProbs[t]) <= 1e-4,
                    $"row {i} token {t}: {actual[i].LogProbs[t]} vs {expected[i].LogProbs[t]}");
        }
    }
}
