using Aha.Algorithms;
using TorchSharp;
using static TorchSharp.torch;

namespace Aha.Tests.Algorithms;

public sealed class AdvantageEstimatorTests
{
    // Two groups of G = 3 on T = 3 tokens, with right padding.
    static readonly double[,] Mask6 =
    {
        { 1, 1, 1 }, { 1, 1, 0 }, { 1, 0, 0 },
        { 1, 1, 0 }, { 1, 1, 1 }, { 0, 0, 0 },
    };

    static double[,] Broadcast(double[] perRow, double[,] mask)
    {
        var r = new double[mask.GetLength(0), mask.GetLength(1)];
        for (int i = 0; i < r.GetLength(0); i++)
            for (int j = 0; j < r.GetLength(1); j++) r[i, j] = perRow[i] * mask[i, j];
        return r;
    }

    [Fact]
    public void Grpo_NormalisesByUnbiasedGroupStd_AndZeroVarianceGroupGivesZero()
    {
        // group 1: r = 1, 2, 3 → mean 2, unbiased std sqrt((1 + 0 + 1)/2) = 1 → Â = (−1, 0, 1)/(1 + 1e-6)
        // group 2: r = 5, 5, 5 → zero variance → Â = 0 (0 / (0 + ε))
        var adv = AdvantageEstimators.Grpo(T.Vec(1, 2, 3, 5, 5, 5), T.Mat(Mask6), groupSize: 3);
        double s = 1 / (1 + 1e-6);
        T.Close(Broadcast([-s, 0, s, 0, 0, 0], Mask6), adv);
    }

    [Fact]
    public void Grpo_UsesEpsilonInTheDenominator()
    {
        // r = 0, 2 → mean 1, unbiased std sqrt(2) → Â = ±1/(sqrt(2) + 0.5)
        var adv = AdvantageEstimators.Grpo(T.Vec(0, 2), T.Mat(new double[,] { { 1 }, { 1 } }), groupSize: 2, epsilon: 0.5);
        double a = 1 / (Math.Sqrt(2) + 0.5);
        T.Close(new[] { -a, a }, T.Read(adv));
    }

    [Fact]
    public void Grpo_Singleton_GetsVerlsMeanZeroStdOne()
    {
        // veRL compute_grpo_outcome_advantage: a group of one has mean 0 and std 1, so Â = r / (1 + 1e-6)
        var adv = AdvantageEstimators.Grpo(T.Vec(3, -7, 0.5), T.Mat(new double[,] { { 1, 1 }, { 1, 0 }, { 1, 1 } }), groupSize: 1);
        double k = 1 / (1 + 1e-6);
        T.Close(new double[,] { { 3 * k, 3 * k }, { -7 * k, 0 }, { 0.5 * k, 0.5 * k } }, adv);
    }

    [Fact]
    public void GroupIds_UnequalSizesAndInterleaved_GiveEachRowItsOwnGroupsBaseline()
    {
        // ids 7, 3, 7, 9, 3, 7, 42: group 7 = rows 0, 2, 5 (r = 1, 0, 2), group 3 = rows 1, 4 (r = 0, 1), 9 and 42 singletons.
        // group 7: mean 1, deviations 0, −1, 1, unbiased var 2/2 = 1, std 1 → grpo 0, −1, 1 over (1 + 1e-6);
        //          dr 0, −1, 1; rloo 3/2·(0, −1, 1) = 0, −1.5, 1.5.
        // group 3: mean 0.5, deviations −0.5, 0.5, var 0.5/1, std √0.5 → grpo ∓0.5/(√0.5 + 1e-6); dr ∓0.5; rloo 2·(∓0.5) = ∓1.
        // singletons (veRL: mean 0, std 1): grpo r/(1 + 1e-6), dr r, rloo r.
        var groups = GroupIds.From([7, 3, 7, 9, 3, 7, 42]);
        Assert.Equal(4, groups.Count);
        Assert.Equal(new[] { 3, 2, 1, 1 }, groups.Sizes);
        var r = T.Vec(1, 0, 0, 5, 1, 2, 4);
        var mask = T.Mat(new double[,] { { 1 }, { 1 }, { 1 }, { 1 }, { 1 }, { 1 }, { 1 } });
        double e = 1 + 1e-6, s3 = Math.Sqrt(0.5) + 1e-6;
        T.Close(Column(0, -0.5 / s3, -1 / e, 5 / e, 0.5 / s3, 1 / e, 4 / e), AdvantageEstimators.Grpo(r, mask, groups));
        T.Close(Column(0, -0.5, -1, 5, 0.5, 1, 4), AdvantageEstimators.DrGrpo(r, mask, groups));
        T.Close(Column(0, -1, -1.5, 5, 1, 1.5, 4), AdvantageEstimators.Rloo(r, mask, groups));
    }

    [Fact]
    public void GroupIds_PermutingTheRows_PermutesTheAdvantages()
    {
        var rng = new Random(5);
        int b = 12;
        var rewards = Enumerable.Range(0, b).Select(_ => Math.Round(rng.NextDouble(), 2)).ToArray();
        long[] ids = [0, 0, 0, 1, 1, 1, 1, 2, 2, 3, 3, 3];                 // sizes 3, 4, 2, 3
        var perm = Enumerable.Range(0, b).OrderBy(_ => rng.Next()).ToArray();
        var mask = T.Mat(Column(Enumerable.Repeat(1.0, b).ToArray()));
        var a = T.Read(AdvantageEstimators.Grpo(T.Vec(rewards), mask, GroupIds.From(ids)));
        var p = T.Read(AdvantageEstimators.Grpo(T.Vec(perm.Select(i => rewards[i]).ToArray()), mask, GroupIds.From(perm.Select(i => ids[i]).ToArray())));
        for (int k = 0; k < b; k++) Assert.Equal(a[perm[k]], p[k], 12);
    }

    static double[,] Column(params double[] v)
    {
        var m = new double[v.Length, 1];
        for (int i = 0; i < v.Length; i++) m[i, 0] = v[i];
        return m;
    }

    [Fact]
    public void DrGrpo_SubtractsGroupMeanOnly()
    {
        // group 1: 1, 2, 3 − 2 = −1, 0, 1; group 2: 0, 0, 4, mean 4/3 → −4/3, −4/3, 8/3
        var adv = AdvantageEstimators.DrGrpo(T.Vec(1, 2, 3, 0, 0, 4), T.Mat(Mask6), groupSize: 3);
        T.Close(Broadcast([-1, 0, 1, -4.0 / 3, -4.0 / 3, 8.0 / 3], Mask6), adv);
    }

    [Fact]
    public void Rloo_SubtractsLeaveOneOutMean()
    {
        // 1 − (2+3)/2 = −1.5; 2 − (1+3)/2 = 0; 3 − (1+2)/2 = 1.5; group 2: 0 − (0+4)/2 = −2, −2, 4 − 0 = 4
        var adv = AdvantageEstimators.Rloo(T.Vec(1, 2, 3, 0, 0, 4), T.Mat(Mask6), groupSize: 3);
        T.Close(Broadcast([-1.5, 0, 1.5, -2, -2, 4], Mask6), adv);
    }

    [Fact]
    public void Rloo_Singleton_KeepsItsReward()
    {
        // veRL compute_rloo_outcome_advantage leaves a group of one at its score
        var adv = AdvantageEstimators.Rloo(T.Vec(3, -1), T.Mat(new double[,] { { 1 }, { 1 } }), groupSize: 1);
        T.Close(new double[,] { { 3 }, { -1 } }, adv);
    }

    [Fact]
    public void ReinforcePpBaseline_WhitensGroupCentredRewardsOverMaskedTokens()
    {
        // G = 2: r = (1, 3 | 0, 0) → centred (−1, 1 | 0, 0). Masked tokens: row0 ×2 (−1), row1 ×1 (1), row2 ×2 (0), row3 none.
        // n = 5, μ = (−2 + 1)/5 = −0.2; deviations −0.8, −0.8, 1.2, 0.2, 0.2; Σ² = 2.8; unbiased var = 0.7
        var mask = new double[,] { { 1, 1 }, { 1, 0 }, { 1, 1 }, { 0, 0 } };
        var adv = AdvantageEstimators.ReinforcePpBaseline(T.Vec(1, 3, 0, 0), T.Mat(mask), groupSize: 2);
        double k = 1 / Math.Sqrt(0.7 + 1e-8);
        T.Close(new double[,] { { -0.8 * k, -0.8 * k }, { 1.2 * k, 0 }, { 0.2 * k, 0.2 * k }, { 0, 0 } }, adv);
    }

    [Fact]
    public void TokenRewards_PutsScoreOnLastCompletionToken_AndKlPenaltyEverywhere()
    {
        // β = 0.1, KL = 0.5 everywhere → −0.05 per completion token; score added at the last masked position; padding 0.
        var mask = new double[,] { { 1, 1, 1, 0 }, { 1, 1, 0, 0 }, { 0, 0, 0, 0 } };
        var kl = torch.full(3, 4, 0.5, dtype: ScalarType.Float64);
        var r = AdvantageEstimators.TokenRewards(T.Vec(1, -1, 9), T.Mat(mask), kl, beta: 0.1);
        T.Close(new double[,] { { -0.05, -0.05, 0.95, 0 }, { -0.05, -1.05, 0, 0 }, { 0, 0, 0, 0 } }, r);
    }

    [Fact]
    public void ReinforcePp_ReturnsAreDiscountedSums_AndAdvantagesAreBatchWhitened()
    {
        var mask = new double[,] { { 1, 1, 1, 0 }, { 1, 1, 0, 0 } };
        var rewards = new double[,] { { -0.05, -0.05, 0.95, 0 }, { -0.05, -1.05, 0, 0 } };
        // γ = 0.5: row0 G2 = 0.95, G1 = −0.05 + 0.5·0.95 = 0.425, G0 = −0.05 + 0.5·0.425 = 0.1625
        //          row1 G1 = −1.05, G0 = −0.05 + 0.5·(−1.05) = −0.575
        var expectedReturns = new double[,] { { 0.1625, 0.425, 0.95, 0 }, { -0.575, -1.05, 0, 0 } };
        var result = AdvantageEstimators.ReinforcePp(T.Mat(rewards), T.Mat(mask), gamma: 0.5);
        T.Close(expectedReturns, result.Returns);
        T.Close(T.Whiten(expectedReturns, mask), result.Advantages);
    }

    [Fact]
    public void ReinforcePp_GammaOne_IsRewardToGo()
    {
        var mask = new double[,] { { 1, 1, 1, 0 } };
        var result = AdvantageEstimators.ReinforcePp(T.Mat(new double[,] { { 1, 2, 3, 100 } }), T.Mat(mask));
        // 1+2+3, 2+3, 3; the padded 100 is ignored
        T.Close(new double[,] { { 6, 5, 3, 0 } }, result.Returns);
    }

    [Fact]
    public void ReinforcePp_InteriorMaskedSteps_CarryTheRunningReturnUnchanged()
    {
        // A multi-turn row: policy tokens at t = 0, 1 and 4, a tool's output at t = 2, 3 (m = 0), outcome reward 1 at t = 4,
        // and a junk reward 7 on a masked step (ignored). γ = 0.5, discounting only over policy steps:
        // G4 = 1; t = 3, 2 masked: G = 0 there, running return carried as 1; G1 = 0 + 0.5·1 = 0.5; G0 = 0 + 0.5·0.5 = 0.25.
        // (veRL main of 2026-01 resets at the masked step instead, which would give G1 = G0 = 0.)
        var mask = new double[,] { { 1, 1, 0, 0, 1 } };
        var result = AdvantageEstimators.ReinforcePp(T.Mat(new double[,] { { 0, 0, 7, 0, 1 } }), T.Mat(mask), gamma: 0.5);
        T.Close(new double[,] { { 0.25, 0.5, 0, 0, 1 } }, result.Returns);
    }

    [Fact]
    public void Gae_HandComputed_SkipsPaddingAndUsesZeroValueBeyondTheEnd()
    {
        // γ = 1, λ = 0.5; mask (1, 1, 0); r = (0, 1, 0); V = (0.5, 0.2, 9 on padding, ignored)
        // t=1: δ = 1 + 0 − 0.2 = 0.8, Â = 0.8;  t=0: δ = 0 + 0.2 − 0.5 = −0.3, Â = −0.3 + 0.5·0.8 = 0.1
        // returns = Â + V = (0.6, 1.0, 0)
        var result = AdvantageEstimators.Gae(T.Mat(new double[,] { { 0, 1, 0 } }), T.Mat(new double[,] { { 0.5, 0.2, 9 } }),
            T.Mat(new double[,] { { 1, 1, 0 } }), gamma: 1, lambda: 0.5, whiten: false);
        T.Close(new double[,] { { 0.1, 0.8, 0 } }, result.Advantages);
        T.Close(new double[,] { { 0.6, 1.0, 0 } }, result.Returns);
    }

    [Fact]
    public void Gae_Discounting_HandComputed()
    {
        // γ = 0.9, λ = 1 (Monte-Carlo advantage): r = (0, 0, 1), V = 0 → Â = (0.81, 0.9, 1)
        var result = AdvantageEstimators.Gae(T.Mat(new double[,] { { 0, 0, 1 } }), T.Mat(new double[1, 3]),
            T.Mat(new double[,] { { 1, 1, 1 } }), gamma: 0.9, lambda: 1.0, whiten: false);
        T.Close(new double[,] { { 0.81, 0.9, 1 } }, result.Advantages);
    }

    [Fact]
    public void Gae_WhitenedAdvantages_MatchReferenceWhitening_ReturnsStayRaw()
    {
        var rng = new Random(7);
        var mask = T.RandomMask(rng, 4, 6);
        var r = T.Random2(rng, 4, 6);
        var v = T.Random2(rng, 4, 6);
        var raw = AdvantageEstimators.Gae(T.Mat(r), T.Mat(v), T.Mat(mask), 1.0, 0.95, whiten: false);
        var whitened = AdvantageEstimators.Gae(T.Mat(r), T.Mat(v), T.Mat(mask), 1.0, 0.95, whiten: true);
        T.Close(T.Whiten(T.Read2(raw.Advantages), mask), whitened.Advantages);
        T.Close(T.Read2(raw.Returns), whitened.Returns);
    }

    // ---- loop-based references against the vectorised code, on random groups ----

    [Theory]
    [InlineData(1)]
    [InlineData(2)]
    [InlineData(4)]
    [InlineData(8)]
    public void GroupEstimators_MatchLoopReference_OnRandomGroups(int g)
    {
        var rng = new Random(100 + g);
        int n = 3, b = n * g, t = 5;
        var rewards = new double[b];
        for (int i = 0; i < b; i++) rewards[i] = rng.Next(0, 3) == 0 ? 1.0 : Math.Round(rng.NextDouble(), 2);
        var mask = T.RandomMask(rng, b, t);
        var grpo = new double[b]; var dr = new double[b]; var rloo = new double[b];
        for (int start = 0; start < b; start += g)
        {
            double sum = 0;
            for (int k = 0; k < g; k++) sum += rewards[start + k];
            double mean = sum / g, ss = 0;
            for (int k = 0; k < g; k++) ss += Math.Pow(rewards[start + k] - mean, 2);
            double std = g > 1 ? Math.Sqrt(ss / (g - 1)) : 1;   // veRL: a singleton has mean 0, std 1
            if (g == 1) mean = 0;
            for (int k = 0; k < g; k++)
            {
                int i = start + k;
                dr[i] = rewards[i] - mean;
                grpo[i] = (rewards[i] - mean) / (std + 1e-6);
                rloo[i] = g > 1 ? rewards[i] - (sum - rewards[i]) / (g - 1) : rewards[i];
            }
        }
        var r = T.Vec(rewards); var m = T.Mat(mask);
        T.Close(Broadcast(grpo, mask), AdvantageEstimators.Grpo(r, m, g), 1e-9);
        T.Close(Broadcast(dr, mask), AdvantageEstimators.DrGrpo(r, m, g), 1e-9);
        T.Close(Broadcast(rloo, mask), AdvantageEstimators.Rloo(r, m, g), 1e-9);
        T.Close(T.Whiten(Broadcast(dr, mask), mask), AdvantageEstimators.ReinforcePpBaseline(r, m, g), 1e-9);
    }

    [Theory]
    [InlineData(1.0, 0.95)]
    [InlineData(0.9, 0.8)]
    public void Gae_And_Returns_MatchPerRowLoopReference(double gamma, double lambda)
    {
        var rng = new Random(11);
        int b = 6, t = 7;
        var mask = T.RandomMask(rng, b, t);
        var r = T.Random2(rng, b, t);
        var v = T.Random2(rng, b, t);
        var adv = new double[b, t]; var ret = new double[b, t]; var rfReturns = new double[b, t];
        for (int i = 0; i < b; i++)
        {
            int len = 0; while (len < t && mask[i, len] == 1) len++;
            double next = 0, g = 0;
            for (int j = len - 1; j >= 0; j--)
            {
                double vNext = j + 1 < len ? v[i, j + 1] : 0;
                double delta = r[i, j] + gamma * vNext - v[i, j];
                next = delta + gamma * lambda * next;
                adv[i, j] = next; ret[i, j] = next + v[i, j];
                g = r[i, j] + gamma * g;
                rfReturns[i, j] = g;
            }
        }
        var gae = AdvantageEstimators.Gae(T.Mat(r), T.Mat(v), T.Mat(mask), gamma, lambda, whiten: false);
        T.Close(adv, gae.Advantages);
        T.Close(ret, gae.Returns);
        var rf = AdvantageEstimators.ReinforcePp(T.Mat(r), T.Mat(mask), gamma);
        T.Close(rfReturns, rf.Returns);
        T.Close(T.Whiten(rfReturns, mask), rf.Advantages);
    }

    [Fact]
    public void Advantages_AreConstants_WithoutGradient()
    {
        var rewards = T.Vec(1, 2).requires_grad_(true);
        var adv = AdvantageEstimators.Grpo(rewards, T.Mat(new double[,] { { 1 }, { 1 } }), 2);
        Assert.False(adv.requires_grad);
    }

    // ---- bad input ----

    [Fact]
    public void GroupSizeNotDividingBatch_IsArgumentExceptionNamingGroupSize()
    {
        var e = Assert.Throws<ArgumentException>(() => AdvantageEstimators.Grpo(T.Vec(1, 2, 3, 4, 5), T.Mat(new double[5, 2]), 2));
        Assert.Equal("groupSize", e.ParamName);
        Assert.Contains("divide", e.Message);
    }

    [Fact]
    public void NaNReward_IsArgumentExceptionNamingRewards()
    {
        var e = Assert.Throws<ArgumentException>(() => AdvantageEstimators.Rloo(T.Vec(1, double.NaN), T.Mat(new double[2, 2]), 2));
        Assert.Equal("rewards", e.ParamName);
        var e2 = Assert.Throws<ArgumentException>(() =>
            AdvantageEstimators.TokenRewards(T.Vec(double.NaN), T.Mat(new double[1, 2])));
        Assert.Equal("scores", e2.ParamName);
        var e3 = Assert.Throws<ArgumentException>(() =>
            AdvantageEstimators.Gae(T.Mat(new double[,] { { double.NaN } }), T.Mat(new double[1, 1]), T.Mat(new double[,] { { 1 } })));
        Assert.Equal("tokenRewards", e3.ParamName);
    }

    [Fact]
    public void MismatchedShapes_AreArgumentExceptionsNamingTheArgument()
    {
        Assert.Equal("rewards", Assert.Throws<ArgumentException>(() =>
            AdvantageEstimators.DrGrpo(T.Vec(1, 2, 3), T.Mat(new double[4, 2]), 1)).ParamName);
        Assert.Equal("rewards", Assert.Throws<ArgumentException>(() =>
            AdvantageEstimators.DrGrpo(T.Mat(new double[2, 2]), T.Mat(new double[2, 2]), 1)).ParamName);
        Assert.Equal("values", Assert.Throws<ArgumentException>(() =>
            AdvantageEstimators.Gae(T.Mat(new double[2, 3]), T.Mat(new double[2, 2]), T.Mat(new double[2, 3]))).ParamName);
        Assert.Equal("mask", Assert.Throws<ArgumentException>(() =>
            AdvantageEstimators.ReinforcePp(T.Mat(new double[2, 3]), T.Mat(new double[2, 2]))).ParamName);
        Assert.Equal("gamma", Assert.Throws<ArgumentException>(() =>
            AdvantageEstimators.ReinforcePp(T.Mat(new double[2, 3]), T.Mat(new double[2, 3]), gamma: 1.5)).ParamName);
    }

    [Fact]
    public void EstimatorRegistry_ListsEveryEstimatorWithItsNeeds_UnknownListsValidOnes()
    {
        Assert.Equal(new[] { "dr_grpo", "gae", "grpo", "reinforce_pp", "reinforce_pp_baseline", "rloo" }, AdvantageEstimatorRegistry.All.Names);
        Assert.True(AdvantageEstimatorRegistry.All.Get(" DR_GRPO ").Has(EstimatorNeeds.GroupBaseline));
        Assert.True(AdvantageEstimatorRegistry.All.Get("gae").Has(EstimatorNeeds.Critic | EstimatorNeeds.TokenRewards));
        Assert.False(AdvantageEstimatorRegistry.All.Get("reinforce_pp").Has(EstimatorNeeds.GroupBaseline));
        var ex = Assert.Throws<ArgumentException>(() => AdvantageEstimatorRegistry.All.Get("ppo2"));
        Assert.Equal("name", ex.ParamName);
        Assert.Contains("'ppo2'", ex.Message);
        Assert.Contains("dr_grpo, gae, grpo, reinforce_pp, reinforce_pp_baseline, rloo", ex.Message);
    }

    [Fact]
    public void Registry_RefusesReRegisteringANameForADifferentEntry()
    {
        var grpo = AdvantageEstimatorRegistry.All.Get("grpo");
        AdvantageEstimatorRegistry.All.Register("grpo", grpo); // the same entry again is fine
        var e = Assert.Throws<ArgumentException>(() => AdvantageEstimatorRegistry.All.Register("grpo", grpo with { Formula = "other" }));
        Assert.Contains("already registered", e.Message);
    }
}
