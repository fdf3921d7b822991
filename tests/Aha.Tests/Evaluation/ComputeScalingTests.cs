using Aha.Evaluation;

namespace Aha.Tests.Evaluation;

public sealed class ComputeScalingTests
{
    static ScoredSample S(string? answer, bool correct, double score) => new(answer, correct, score);

    // P1: answers A B A C, the A's correct; scores 0.1 0.9 0.5 0.3.
    static readonly ScoredSample[] P1 = [S("A", true, 0.1), S("B", false, 0.9), S("A", true, 0.5), S("C", false, 0.3)];
    // P2: answers X X Y —, only Y correct; scores 0.2 0.2 0.8 and none (NaN ranks last).
    static readonly ScoredSample[] P2 = [S("X", false, 0.2), S("X", false, 0.2), S("Y", true, 0.8), S(null, false, double.NaN)];

    [Fact]
    public void Table_OnTwoFixedProblems_MatchesTheHandComputation()
    {
        // By hand, P1 (K = 4, c = 2):
        //   pass@1 = 2/4; pass@2 = 1 − C(2,2)/C(4,2) = 5/6; pass@4 = 1
        //   maj@1 = blocks A|B|A|C → 2/4; maj@2 = [A B] tie → A ✓, [A C] tie → A ✓ → 1; maj@4 = A (2 votes) ✓ → 1
        //   best-of-N over all subsets, the top-scored member chosen: N=1 → 2/4; N=2: the 3 pairs with B (0.9) pick B ✗,
        //   {A0,A2} → A2 ✓, {A0,C} → C ✗, {A2,C} → A2 ✓ → 2/6; N=4 → B ✗ → 0
        // P2 (c = 1):
        //   pass@1 = 1/4; pass@2 = 1 − C(3,2)/C(4,2) = 1/2; pass@4 = 1
        //   maj@1 = X|X|Y|— → 1/4; maj@2 = [X X] → X ✗, [Y —] → Y ✓ → 1/2; maj@4 = X ✗ → 0
        //   best-of: Y (0.8) wins every subset it is in: N=1 → 1/4, N=2 → 3/6, N=4 → 1
        var table = ComputeScaling.Table([P1, P2]);
        Assert.Equal([1, 2, 4], table.Select(p => p.N).ToArray());
        AssertPoint((0.375, 0.375, 0.375), table[0]);                                   // (2/4 + 1/4) / 2 each
        AssertPoint(((5 / 6.0 + 0.5) / 2, (1 + 0.5) / 2, (2 / 6.0 + 0.5) / 2), table[1]);
        AssertPoint((1.0, 0.5, 0.5), table[2]);
    }

    static void AssertPoint((double Pass, double Maj, double Best) expected, ScalingPoint p)
    {
        Assert.Equal(expected.Pass, p.PassAtN, 12);
        Assert.Equal(expected.Maj, p.MajAtN, 12);
        Assert.Equal(expected.Best, p.BestOfN, 12);
    }

    [Fact]
    public void BestOfN_EqualsTheMeanOverEveryNSubset_CountedByBruteForce()
    {
        var rng = new Random(5);
        for (int trial = 0; trial < 20; trial++)
        {
            int k = rng.Next(1, 9);
            // few distinct scores, so ties (broken towards the earlier sample) occur
            var samples = Enumerable.Range(0, k).Select(_ => S(null, rng.Next(2) == 1, rng.Next(3))).ToArray();
            for (int n = 1; n <= k; n++)
            {
                double total = 0;
                int subsets = 0;
                for (int mask = 0; mask < 1 << k; mask++)
                {
                    if (System.Numerics.BitOperations.PopCount((uint)mask) != n) continue;
                    int best = -1;
                    for (int i = 0; i < k; i++)
                        if ((mask >> i & 1) == 1 && (best < 0 || samples[i].Score > samples[best].Score)) best = i;
                    total += samples[best].Correct ? 1 : 0;
                    subsets++;
                }
                Assert.Equal(total / subsets, ComputeScaling.BestOfN(samples, n), 12);
            }
        }
    }

    [Fact]
    public void MajAtN_AveragesDisjointConsecutiveBlocks_AndIgnoresTheRemainder()
    {
        // K = 5, N = 2: blocks [0,1] and [2,3]; sample 4 is left out. [7 7] ✓, [8 7] tie → 8 ✗ → 1/2.
        ScoredSample[] samples = [S("7", true, 0), S("7", true, 0), S("8", false, 0), S("7", true, 0), S("7", true, 0)];
        Assert.Equal(0.5, ComputeScaling.MajAtN(samples, 2), 12);
        Assert.Equal(1.0, ComputeScaling.MajAtN(samples, 5), 12);       // one vote over all five: 7 ✓
    }

    [Theory]
    [InlineData(1, new[] { 1 })]
    [InlineData(6, new[] { 1, 2, 4, 6 })]
    [InlineData(64, new[] { 1, 2, 4, 8, 16, 32, 64 })]
    public void Budgets_ArePowersOfTwo_ThenK(int k, int[] expected) => Assert.Equal(expected, ComputeScaling.Budgets(k));

    [Fact]
    public void Table_RefusesProblemsWithDifferentSampleCounts()
    {
        var e = Assert.Throws<ArgumentException>(() => ComputeScaling.Table([P1, P2[..3]]));
        Assert.Contains("same number", e.Message);
        Assert.Throws<ArgumentOutOfRangeException>(() => ComputeScaling.BestOfN(P1, 5));
    }

    [Fact]
    public void Figures_WriteTableJsonAndPlot_ForTwoModels()
    {
        using var dir = new TempDir();
        var a = Report([P1, P2], "verifier");
        var b = Report([P2, P1], "reward_model");
        var paths = ScalingFigures.Write(dir.Path, [new("base", a), new("rl", b)]);
        Assert.Equal(3, paths.Count);
        var md = File.ReadAllText(Path.Combine(dir.Path, ScalingFigures.TableFile));
        Assert.Contains("| N | base pass@N | base maj@N | base best-of-N (verifier) | rl pass@N | rl maj@N | rl best-of-N (reward_model) |", md);
        Assert.Contains("| 2 | 66.7 | 75.0 | 41.7 | 66.7 | 75.0 | 41.7 |", md);   // the N = 2 row of the hand-computed table, twice
        using var json = System.Text.Json.JsonDocument.Parse(File.ReadAllText(Path.Combine(dir.Path, ScalingFigures.JsonFile)));
        Assert.Equal(0.5, json.RootElement.GetProperty("models")[1].GetProperty("points")[2].GetProperty("maj_at_n").GetDouble(), 12);
        var png = File.ReadAllBytes(Path.Combine(dir.Path, ScalingFigures.PlotFile));
        Assert.Equal([0x89, (byte)'P', (byte)'N', (byte)'G'], png[..4]);
    }

    static EvaluationReport Report(IReadOnlyList<IReadOnlyList<ScoredSample>> problems, string scorer) =>
        new(problems.Count, problems[0].Count, 0, 0, 0, 0, 0, 0, 0, 0, [])
        {
            Scorer = scorer, Scaling = ComputeScaling.Table(problems),
        };

    [Fact]
    public void VerifiedPairs_ChooseCorrectOverIncorrect_PerProblem_CyclingTheShorterList()
    {
        SampledCompletion C(string text, bool correct) => new(text, null, correct, text.Length);
        ProblemResult Problem(string id, params SampledCompletion[] samples) =>
            new(id, id + "?", null, "", null, false, false, 0, samples.Count(s => s.Correct), samples.Length, null, false) { SampledCompletions = samples };
        var report = new EvaluationReport(3, 3, 0, 0, 0, 0, 0, 0, 0, 0,
        [
            Problem("a", C("a1", true), C("a2", false), C("a3", false)),   // 1 correct, 2 wrong → (a1,a2), (a1,a3)
            Problem("b", C("b1", true), C("b2", true), C("b3", true)),     // no wrong sample → no pair
            Problem("c", C("c1", false), C("c2", true), C("c3", false)),
        ]);
        var pairs = VerifiedPairs.From(report, maxPerProblem: 5);
        Assert.Equal(["a1>a2", "a1>a3", "c2>c1", "c2>c3"], pairs.Select(p => $"{p.Chosen.Text}>{p.Rejected.Text}").ToArray());
        Assert.Equal("a?", pairs[0].Prompt!.Text);
        Assert.Single(VerifiedPairs.From(report, maxPerProblem: 1), p => p.Id.StartsWith("c/"));
    }

    [Fact]
    public void PairAccuracy_CountsRightOverWrongPairsWithinAProblem_TiesHalf_NaNLowest()
    {
        // P1: right scores {0.1, 0.5} vs wrong {0.9, 0.3}: only 0.5 > 0.3 wins → 1 of 4 pairs.
        // P2: right {0.8} vs wrong {0.2, 0.2, NaN}: all 3 won. Together 4 of 7.
        Assert.Equal(4.0 / 7, ComputeScaling.PairAccuracy([P1, P2])!.Value, 12);
        // A tie is half a win: right {0.2} vs wrong {0.2, 0.1} → (0.5 + 1) / 2.
        Assert.Equal(0.75, ComputeScaling.PairAccuracy([[S("1", true, 0.2), S("2", false, 0.2), S("3", false, 0.1)]])!.Value, 12);
        // No problem with both right and wrong samples: no pair, no accuracy.
        Assert.Null(ComputeScaling.PairAccuracy([[S("1", true, 1), S("1", true, 2)], [S("2", false, 0)]]));
    }
}
