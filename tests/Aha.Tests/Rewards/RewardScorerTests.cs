using System.Collections.Concurrent;
using Aha.Rewards;

namespace Aha.Tests.Rewards;

public sealed class RewardScorerTests
{
    private static RewardSample S(string completion, string? truth = "4") => new("p", completion, truth);

    [Fact]
    public void Batch_ThrowingAndSleepingRewards_AreReportedAndScoredZero_OthersScoreNormally()
    {
        // "flaky" throws on completions containing "boom" and, on "slow", blocks until the test releases it after the
        // batch has returned (so the batch cannot have waited for it: had it waited, it would never return); otherwise 0.5.
        using var release = new ManualResetEventSlim();
        var flaky = new DelegateReward("flaky", (s, _) =>
        {
            if (s.Completion.Contains("boom")) throw new InvalidOperationException("kaboom");
            if (s.Completion.Contains("slow")) release.Wait(TimeSpan.FromMinutes(2));
            return RewardScore.Of(0.5, null, "ok");
        });
        var logged = new ConcurrentBag<RewardFailure>();
        var scorer = new RewardScorer(
            [new WeightedReward(new MathReward()), new WeightedReward(flaky, 2.0)],
            new RewardScorerOptions { Timeout = TimeSpan.FromMilliseconds(200), OnFailure = logged.Add });
        var batch = new[]
        {
            S("<answer>4</answer>"),        // math 1 + 2·0.5 = 2
            S("boom <answer>4</answer>"),   // math 1 + 2·0 (threw) = 1
            S("slow <answer>3</answer>"),   // math 0 + 2·0 (timed out) = 0
            S("<answer>3</answer>"),        // math 0 + 2·0.5 = 1
        };

        var result = scorer.ScoreBatch(batch);
        release.Set();

        Assert.Equal([2.0, 1.0, 0.0, 1.0], result.Totals());
        Assert.Equal(2, result.Failures.Count);
        var threw = Assert.Single(result.Failures, f => f.Kind == RewardFailureKind.Threw);
        Assert.Equal((1, "flaky"), (threw.SampleIndex, threw.RewardName));
        Assert.Contains("kaboom", threw.Message);
        Assert.Equal("boom <answer>4</answer>", threw.Sample.Completion);
        var slow = Assert.Single(result.Failures, f => f.Kind == RewardFailureKind.TimedOut);
        Assert.Equal(2, slow.SampleIndex);
        Assert.Contains("slow", slow.ToString());
        Assert.Equal(2, logged.Count);
        Assert.Equal(0.0, result.Samples[2]["flaky"]!.Value);
        Assert.NotNull(result.Samples[2]["flaky"]!.Failure);
    }

    [Fact]
    public void Batch_ManySleepers_DoNotStallTheBatch_ReplacementWorkersCarryOn()
    {
        // 6 calls block (until the test releases them, after the batch) with a 100 ms limit on 2 workers: each overrun
        // retires its worker and a new one starts, so the batch returns although no sleeper ever finished, and the 4
        // others still score. Had the batch waited for a sleeper it would never have returned.
        using var release = new ManualResetEventSlim();
        var sleepy = new DelegateReward("sleepy", (s, _) =>
        {
            if (s.Completion == "sleep") release.Wait(TimeSpan.FromMinutes(2));
            return RewardScore.Of(1, null, "ok");
        });
        var samples = Enumerable.Range(0, 10).Select(i => S(i % 5 < 3 ? "sleep" : "fine")).ToArray();
        var r = new RewardScorer([new WeightedReward(sleepy)],
            new RewardScorerOptions { Timeout = TimeSpan.FromMilliseconds(100), MaxDegreeOfParallelism = 2 }).ScoreBatch(samples);
        release.Set();
        Assert.Equal(samples.Select(s => s.Completion == "sleep" ? 0.0 : 1.0), r.Totals());
        Assert.Equal(6, r.Failures.Count(f => f.Kind == RewardFailureKind.TimedOut));
    }

    [Fact]
    public void Batch_FailureScore_IsConfigurable()
    {
        var bad = new DelegateReward("bad", _ => throw new Exception("no"));
        var scorer = new RewardScorer([new WeightedReward(bad)], new RewardScorerOptions { FailureScore = -1 });
        Assert.Equal(-1.0, scorer.Score(S("x")).Total);
    }

    [Fact]
    public void Batch_NonFiniteValue_IsAFailure()
    {
        var nan = new DelegateReward("nan", _ => double.NaN);
        var r = new RewardScorer(nan).ScoreBatch([S("x")]);
        Assert.Equal(RewardFailureKind.NonFinite, Assert.Single(r.Failures).Kind);
        Assert.Equal(0.0, r.Samples[0].Total);
    }

    [Fact]
    public void Batch_CancelsTheTokenOfACallThatTimesOut()
    {
        var cancelled = new ManualResetEventSlim();
        var polite = new DelegateReward("polite", (s, ct) =>
        {
            ct.WaitHandle.WaitOne(5000);
            if (ct.IsCancellationRequested) cancelled.Set();
            return RewardScore.Of(1, null, "late");
        });
        var r = new RewardScorer([new WeightedReward(polite)], new RewardScorerOptions { Timeout = TimeSpan.FromMilliseconds(50) })
            .ScoreBatch([S("x")]);
        Assert.Equal(RewardFailureKind.TimedOut, Assert.Single(r.Failures).Kind);
        Assert.True(cancelled.Wait(2000));
    }

    [Fact]
    public void Combination_IsWeightedSumOfApplicableRewards_LoggedByName()
    {
        var scorer = new RewardScorer([new WeightedReward(new MathReward()), new WeightedReward(new FormatReward(), 1.0)]);
        var result = scorer.ScoreBatch([
            S("<think>2+2</think><answer>4</answer>"),  // 1 + 0.1
            S("<answer>4</answer>"),                    // 1 + 0
            S("<think>a</think><answer>5</answer>"),    // 0 + 0.1
            S("<think>a</think><answer>5</answer>", truth: null), // math n/a, format 0.1
        ]);
        Assert.Equal(1.1, result.Samples[0].Total, 12);
        Assert.Equal(1.0, result.Samples[1].Total, 12);
        Assert.Equal(0.1, result.Samples[2].Total, 12);
        Assert.Equal(0.1, result.Samples[3].Total, 12);
        Assert.Null(result.Samples[3]["math"]!.Value);

        var m = result.Metrics();
        // math over the 3 applicable samples: mean (1+1+0)/3; format mean (0.1+0+0.1+0.1)/4 = 0.075.
        Assert.Equal(2.0 / 3, m["rewards/math/mean"], 12);
        Assert.Equal(0.75, m["rewards/math/applicable_frac"], 12);
        Assert.Equal(0.075, m["rewards/format/mean"], 12);
        Assert.Equal((1.1 + 1.0 + 0.1 + 0.1) / 4, m["reward"], 12);
    }

    [Fact]
    public void Combination_NothingApplicable_GivesZeroAndSaysSo()
    {
        var r = new RewardScorer(new MathReward()).Score(S("<answer>4</answer>", truth: null));
        Assert.False(r.AnyApplicable);
        Assert.Equal(0.0, r.Total);
    }

    [Fact]
    public void Batch_LargeBatch_ScoresEverySampleInOrder()
    {
        var echo = new DelegateReward("len", s => s.Completion.Length);
        var samples = Enumerable.Range(0, 2000).Select(i => S(new string('a', i % 17))).ToArray();
        var r = new RewardScorer([new WeightedReward(echo)], new RewardScorerOptions { MaxDegreeOfParallelism = 4 }).ScoreBatch(samples);
        Assert.Equal(samples.Select(s => (double)s.Completion.Length), r.Totals());
        Assert.Empty(r.Failures);
    }

    [Fact]
    public void Constructor_DuplicateNames_AreAnError()
    {
        var e = Assert.Throws<ArgumentException>(() => new RewardScorer(new MathReward(), new MathReward()));
        Assert.Contains("'math'", e.Message);
    }

    [Fact]
    public void Options_InvalidValues_AreAllReportedAtOnce()
    {
        var e = Assert.Throws<ArgumentException>(() => new RewardScorer(
            [new WeightedReward(new MathReward())],
            new RewardScorerOptions { Timeout = TimeSpan.Zero, MaxDegreeOfParallelism = 0 }));
        Assert.Contains("Timeout", e.Message);
        Assert.Contains("MaxDegreeOfParallelism", e.Message);
    }

    [Fact]
    public void BuiltIns_UnknownName_ListsKnownOnes()
    {
        var e = Assert.Throws<ArgumentException>(() => BuiltInRewards.Create("maths"));
        Assert.Contains("math, format, think, countdown, overlong", e.Message);
    }
}
