using Aha.Algorithms;

namespace Aha.Tests.Algorithms;

public sealed class RolloutCorrectionTests
{
    // Row 0: old − rollout = (ln 2, ln 0.25) on two tokens, a padded third (its junk log-probs must not count);
    // row 1: old = rollout on three tokens. Token ratios w = (2, 0.25 | 1, 1, 1); sequence ratios 2·0.25 = 0.5 and 1.
    static readonly double[,] Old = { { Math.Log(2), Math.Log(0.25), 5 }, { -1, -2, -3 } };
    static readonly double[,] Rollout = { { 0, 0, -9 }, { -1, -2, -3 } };
    static readonly double[,] Mask = { { 1, 1, 0 }, { 1, 1, 1 } };

    static RolloutCorrectionResult Run(RolloutCorrectionSettings s) => RolloutCorrection.Compute(T.Mat(Old), T.Mat(Rollout), T.Mat(Mask), s);

    [Fact]
    public void TokenTruncatedIs_WeighsEachTokenByMinOfItsRatioAndC()
    {
        // C = 1.5: min(2, 1.5) = 1.5, min(0.25, 1.5) = 0.25; padding 0; row 1 all 1
        var r = Run(new(Is: RolloutCorrectionLevel.Token, IsThreshold: 1.5));
        T.Close(new double[,] { { 1.5, 0.25, 0 }, { 1, 1, 1 } }, r.Weights!);
        T.Close(Mask, r.Mask);
    }

    [Fact]
    public void SequenceTruncatedIs_UsesTheProductOfTheRowsRatios()
    {
        // row 0: 2·0.25 = 0.5 < C = 0.8 on both tokens; row 1: min(1, 0.8) = 0.8
        var r = Run(new(Is: RolloutCorrectionLevel.Sequence, IsThreshold: 0.8));
        T.Close(new double[,] { { 0.5, 0.5, 0 }, { 0.8, 0.8, 0.8 } }, r.Weights!);
    }

    [Fact]
    public void TokenMaskedIs_DropsTokensOutsideTheBounds()
    {
        // [0.5, 1.8]: 2 > 1.8 and 0.25 < 0.5 are dropped; row 1 kept. 2 of 5 loss tokens removed.
        var r = Run(new(Rs: RolloutCorrectionLevel.Token, RsLow: 0.5, RsHigh: 1.8));
        Assert.Null(r.Weights);
        T.Close(new double[,] { { 0, 0, 0 }, { 1, 1, 1 } }, r.Mask);
        T.Close(0.4, T.Scalar(r.MaskedFraction));
    }

    [Fact]
    public void SequenceMaskedIs_DropsWholeRowsWhoseProductLeavesTheBounds()
    {
        // row 0's product 0.5 is inside [0.4, 1.8] (kept although both its tokens are outside); with [0.6, 1.8] it is dropped
        T.Close(Mask, Run(new(Rs: RolloutCorrectionLevel.Sequence, RsLow: 0.4, RsHigh: 1.8)).Mask);
        T.Close(new double[,] { { 0, 0, 0 }, { 1, 1, 1 } }, Run(new(Rs: RolloutCorrectionLevel.Sequence, RsLow: 0.6, RsHigh: 1.8)).Mask);
    }

    [Fact]
    public void Metrics_HandComputed()
    {
        // over the 5 loss tokens, d = old − rollout = (ln 2, −ln 4, 0, 0, 0):
        // kl (k1 of rollout vs old) = mean(−d) = (−ln 2 + ln 4)/5 = ln 2 / 5
        // k3 = mean(e^d − d − 1) = ((2 − ln 2 − 1) + (0.25 + ln 4 − 1))/5
        // ratio mean = (2 + 0.25 + 3)/5 = 1.05, max 2; sequence ratio max = max(0.5, 1) = 1; |d| max = ln 4; nothing masked
        var r = Run(new());
        T.Close(Math.Log(2) / 5, T.Scalar(r.MismatchKl));
        T.Close((1 - Math.Log(2) + 0.25 + Math.Log(4) - 1) / 5, T.Scalar(r.K3Kl));
        T.Close(1.05, T.Scalar(r.RatioMean));
        T.Close(2, T.Scalar(r.RatioMax));
        T.Close(1, T.Scalar(r.SequenceRatioMax));
        T.Close(Math.Log(4), T.Scalar(r.LogpDiffMax));
        T.Close(0, T.Scalar(r.MaskedFraction));
        Assert.False(new RolloutCorrectionSettings().Enabled);
    }
}
