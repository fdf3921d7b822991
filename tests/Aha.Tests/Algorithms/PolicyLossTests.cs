using Aha.Algorithms;
using TorchSharp;
using static TorchSharp.torch;

namespace Aha.Tests.Algorithms;

public sealed class PolicyLossTests
{
    // One row, ε_low = 0.2, ε_high = 0.28 (clip range [0.8, 1.28]); the 7th token is padding.
    //  t  Â   ρ    −Âρ    −Â·clip(ρ)   max          region
    //  0  +1  1.1  −1.1   −1.1         −1.1         inside
    //  1  +1  1.5  −1.5   −1.28        −1.28        high clip active
    //  2  +1  0.5  −0.5   −0.8         −0.5         below, not clipped for Â > 0
    //  3  −1  0.5   0.5    0.8          0.8         low clip active
    //  4  −1  1.5   1.5    1.28         1.5         above, not clipped for Â < 0
    //  5  −2  4.0   8.0    2.56         8.0         (dual clip c = 3: min(8, −Â·c = 6) = 6)
    //  6  +5  1.0   padding
    static readonly double[] Adv = { 1, 1, 1, -1, -1, -2, 5 };
    static readonly double[] Rho = { 1.1, 1.5, 0.5, 0.5, 1.5, 4.0, 1.0 };
    static readonly double[] OldLogp = { -1.0, -2.0, -0.5, -3.0, -1.5, -2.5, -1.0 };

    static (Tensor Logp, Tensor Old, Tensor Adv, Tensor Mask) Inputs()
    {
        var logp = new double[1, 7]; var old = new double[1, 7]; var adv = new double[1, 7]; var mask = new double[1, 7];
        for (int t = 0; t < 7; t++)
        {
            old[0, t] = OldLogp[t];
            logp[0, t] = OldLogp[t] + Math.Log(Rho[t]);
            adv[0, t] = Adv[t];
            mask[0, t] = t < 6 ? 1 : 0;
        }
        return (T.Mat(logp, requiresGrad: true), T.Mat(old), T.Mat(adv), T.Mat(mask));
    }

    [Fact]
    public void Clipped_ClipHigher_GoldenLossAndStats()
    {
        var (logp, old, adv, mask) = Inputs();
        var (loss, stats) = PolicyLoss.Clipped(logp, old, adv, mask, AggregationMode.TokenMean, clipLow: 0.2, clipHigh: 0.28);
        // (−1.1 − 1.28 − 0.5 + 0.8 + 1.5 + 8) / 6
        T.Close(7.42 / 6, T.Scalar(loss));
        T.Close(1.0 / 6, stats.ClipFractionLow);   // t3
        T.Close(1.0 / 6, stats.ClipFractionHigh);  // t1
        T.Close(0, stats.DualClipFraction);
        T.Close(9.1 / 6, stats.RatioMean);         // (1.1 + 1.5 + 0.5 + 0.5 + 1.5 + 4) / 6
        // k3 of KL(old ‖ new) per token: ρ − 1 − ln ρ
        double kl = 0;
        for (int t = 0; t < 6; t++) kl += Rho[t] - 1 - Math.Log(Rho[t]);
        T.Close(kl / 6, stats.ApproxKl);
    }

    [Fact]
    public void Clipped_DualClip_BoundsNegativeAdvantageLoss()
    {
        var (logp, old, adv, mask) = Inputs();
        var (loss, stats) = PolicyLoss.Clipped(logp, old, adv, mask, AggregationMode.TokenMean, 0.2, 0.28, dualClip: 3.0);
        // t5 becomes min(8, 2·3) = 6: (−1.1 − 1.28 − 0.5 + 0.8 + 1.5 + 6) / 6
        T.Close(5.42 / 6, T.Scalar(loss));
        T.Close(1.0 / 6, stats.DualClipFraction);
        T.Close(3.0 / 6, stats.ClipFraction);
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public void Clipped_Gradient_IsMinusAdvTimesRatioInside_AndZeroWhereClipActive(bool dual)
    {
        var (logp, old, adv, mask) = Inputs();
        // seq-mean-token-sum on one row is the plain sum over masked tokens, so ∂L/∂logp_t is the per-token gradient
        var (loss, _) = PolicyLoss.Clipped(logp, old, adv, mask, AggregationMode.SeqMeanTokenSum, 0.2, 0.28, dual ? 3.0 : null);
        loss.backward();
        // d(−Âρ)/dlogp = −Âρ where the unclipped term wins; 0 where a clip (or the dual clip) is active; 0 on padding
        var expected = new[] { -1.1, 0, -0.5, 0, 1.5, dual ? 0 : 8.0, 0 };
        T.Close(expected, T.Read(logp.grad!));
    }

    [Fact]
    public void Clipped_AdvantagesAndOldLogp_GetNoGradient()
    {
        var (logp, old, _, mask) = Inputs();
        var adv = T.Mat(new double[,] { { 1, 1, 1, -1, -1, -2, 5 } }, requiresGrad: true);
        var (loss, _) = PolicyLoss.Clipped(logp, old, adv, mask, AggregationMode.TokenMean);
        loss.backward();
        Assert.Null(adv.grad);
    }

    [Fact]
    public void Clipped_LogRatioIsClampedAtTwenty()
    {
        var logp = T.Mat(new double[,] { { 30.0 } });
        var (loss, stats) = PolicyLoss.Clipped(logp, T.Mat(new double[,] { { 0.0 } }), T.Mat(new double[,] { { -1.0 } }),
            T.Mat(new double[,] { { 1.0 } }), AggregationMode.TokenMean);
        T.Close(Math.Exp(20), stats.RatioMean, 1e-12);
        T.Close(Math.Exp(20), T.Scalar(loss), 1e-12); // Â = −1: max(ρ, 1.2) = e^20
    }

    [Fact]
    public void PolicyGradient_IsMinusAdvTimesLogp_WithGradientMinusAdv()
    {
        // token-mean over 3 masked tokens: −(2·(−1) + (−1)·(−2) + 0.5·(−3)) / 3 = −(−2 + 2 − 1.5)/3 = 0.5
        var logp = T.Mat(new double[,] { { -1, -2, -3, -4 } }, requiresGrad: true);
        var adv = T.Mat(new double[,] { { 2, -1, 0.5, 7 } });
        var mask = T.Mat(new double[,] { { 1, 1, 1, 0 } });
        var (loss, stats) = PolicyLoss.PolicyGradient(logp, adv, mask, AggregationMode.TokenMean);
        T.Close(0.5, T.Scalar(loss));
        loss.backward();
        T.Close(new[] { -2.0 / 3, 1.0 / 3, -0.5 / 3, 0 }, T.Read(logp.grad!));
        Assert.Equal(0, stats.ClipFraction);
        Assert.Equal(1, stats.RatioMean);
    }

    [Fact]
    public void PolicyGradient_HasSameGradientAsClippedLossOnPolicy()
    {
        var rng = new Random(3);
        var lp = T.Random2(rng, 3, 4);
        var advs = T.Random2(rng, 3, 4);
        var mask = T.Mat(T.RandomMask(rng, 3, 4));
        var a = T.Mat(lp, requiresGrad: true);
        var b = T.Mat(lp, requiresGrad: true);
        PolicyLoss.PolicyGradient(a, T.Mat(advs), mask, AggregationMode.SeqMeanTokenMean).Loss.backward();
        PolicyLoss.Clipped(b, T.Mat(lp), T.Mat(advs), mask, AggregationMode.SeqMeanTokenMean).Loss.backward();
        T.Close(T.Read(b.grad!), T.Read(a.grad!), 1e-12);
    }

    [Fact]
    public void Clipped_MatchesLoopReference_OnRandomTokens()
    {
        var rng = new Random(5);
        int b = 4, t = 6;
        var old = T.Random2(rng, b, t);
        var delta = T.Random2(rng, b, t, 0.6);
        var adv = T.Random2(rng, b, t, 2);
        var mask = T.RandomMask(rng, b, t);
        var logp = new double[b, t];
        double sum = 0, n = 0;
        for (int i = 0; i < b; i++)
            for (int j = 0; j < t; j++)
            {
                logp[i, j] = old[i, j] + delta[i, j];
                double rho = Math.Exp(delta[i, j]);
                double l = Math.Max(-adv[i, j] * rho, -adv[i, j] * Math.Clamp(rho, 0.8, 1.28));
                if (adv[i, j] < 0) l = Math.Min(l, -adv[i, j] * 1.5);
                sum += l * mask[i, j]; n += mask[i, j];
            }
        var (loss, _) = PolicyLoss.Clipped(T.Mat(logp), T.Mat(old), T.Mat(adv), T.Mat(mask), AggregationMode.TokenMean, 0.2, 0.28, 1.5);
        T.Close(sum / n, T.Scalar(loss), 1e-12);
    }

    [Fact]
    public void Clipped_BadInput_NamesTheArgument()
    {
        var x = T.Mat(new double[2, 3]);
        Assert.Equal("advantages", Assert.Throws<ArgumentException>(() =>
            PolicyLoss.Clipped(x, x, T.Mat(new double[2, 2]), x, AggregationMode.TokenMean)).ParamName);
        Assert.Equal("oldLogp", Assert.Throws<ArgumentException>(() =>
            PolicyLoss.Clipped(x, T.Mat(new double[3, 3]), x, x, AggregationMode.TokenMean)).ParamName);
        Assert.Equal("mask", Assert.Throws<ArgumentException>(() =>
            PolicyLoss.Clipped(x, x, x, T.Mat(new double[2, 4]), AggregationMode.TokenMean)).ParamName);
        Assert.Equal("dualClip", Assert.Throws<ArgumentException>(() =>
            PolicyLoss.Clipped(x, x, x, x, AggregationMode.TokenMean, dualClip: 0.9)).ParamName);
        Assert.Equal("clipLow", Assert.Throws<ArgumentException>(() =>
            PolicyLoss.Clipped(x, x, x, x, AggregationMode.TokenMean, clipLow: 1.5)).ParamName);
    }

    [Fact]
    public void Entropy_FromLogits_HandComputed()
    {
        // row 0: uniform over 4 → ln 4; row 1: logits (ln 1, ln 3, −∞-ish) → p ≈ (0.25, 0.75, 0)
        var logits = torch.tensor(new double[] { 0, 0, 0, 0, 0, Math.Log(3), -1e4, -1e4 }, new long[] { 2, 1, 4 }, dtype: ScalarType.Float64);
        var h = TokenDistribution.Entropy(logits);
        Assert.Equal(new long[] { 2, 1 }, h.shape);
        T.Close(new[] { Math.Log(4), -(0.25 * Math.Log(0.25) + 0.75 * Math.Log(0.75)) }, T.Read(h), 1e-9);
    }

    [Fact]
    public void LogProbs_GathersLogSoftmaxOfTheTokens()
    {
        var logits = torch.tensor(new double[] { 0, Math.Log(3), 0, 0 }, new long[] { 1, 2, 2 }, dtype: ScalarType.Float64);
        var lp = TokenDistribution.LogProbs(logits, torch.tensor(new long[] { 1, 0 }).reshape(1, 2));
        T.Close(new[] { Math.Log(0.75), Math.Log(0.5) }, T.Read(lp));
    }
}
