using Aha.Algorithms;
using TorchSharp;
using static TorchSharp.torch;

namespace Aha.Tests.Algorithms;

public sealed class LossAggregationTests
{
    // L = [[1,2,3],[4,5,6],[7,8,9]], mask keeps 1,2 | 4 | nothing (row 3 is fully masked).
    static readonly double[,] L = { { 1, 2, 3 }, { 4, 5, 6 }, { 7, 8, 9 } };
    static readonly double[,] M = { { 1, 1, 0 }, { 1, 0, 0 }, { 0, 0, 0 } };

    [Theory]
    [InlineData(AggregationMode.TokenMean, 7.0 / 3)]              // (1 + 2 + 4) / 3 tokens
    [InlineData(AggregationMode.SeqMeanTokenMean, 2.75)]          // (1.5 + 4) / 2 non-empty sequences
    [InlineData(AggregationMode.SeqMeanTokenSum, 3.5)]            // (3 + 4) / 2
    [InlineData(AggregationMode.SeqMeanTokenSumNorm, 7.0 / 9)]    // 7 / (B = 3 · L_norm = T = 3)
    public void Aggregate_GoldenValues(AggregationMode mode, double expected) =>
        T.Close(expected, T.Scalar(LossAggregation.Aggregate(T.Mat(L), T.Mat(M), mode)));

    [Fact]
    public void SeqMeanTokenSumNorm_UsesTheGivenLengthNorm()
    {
        var norm = AggregationNorm.Of(T.Mat(M), lengthNorm: 10);
        T.Close(7.0 / 30, T.Scalar(LossAggregation.Aggregate(T.Mat(L), T.Mat(M), AggregationMode.SeqMeanTokenSumNorm, norm)));
    }

    [Fact]
    public void Aggregate_EmptyMask_GivesZeroNotNaN()
    {
        foreach (var mode in Enum.GetValues<AggregationMode>())
            Assert.Equal(0, T.Scalar(LossAggregation.Aggregate(T.Mat(L), T.Mat(new double[3, 3]), mode)));
    }

    [Fact]
    public void AggregationNorm_CountsTokensSequencesRowsAcrossMicroBatches()
    {
        var norm = AggregationNorm.Of([T.Mat(M), T.Mat(new double[,] { { 1, 1, 1, 1 } })]);
        Assert.Equal(new AggregationNorm(Tokens: 7, Sequences: 3, Rows: 4, LengthNorm: 4), norm);
    }

    [Theory]
    [InlineData(AggregationMode.TokenMean)]
    [InlineData(AggregationMode.SeqMeanTokenMean)]
    [InlineData(AggregationMode.SeqMeanTokenSum)]
    [InlineData(AggregationMode.SeqMeanTokenSumNorm)]
    public void MicroBatchAccumulation_EqualsFullBatchGradient(AggregationMode mode)
    {
        var rng = new Random(42 + (int)mode);
        int b = 8, t = 6, micro = 3; // micro-batches of 3, 3, 2 rows
        var mask = T.RandomMask(rng, b, t, minLen: 1);
        for (int j = 0; j < t; j++) mask[5, j] = 0; // one fully masked row
        var theta0 = T.Random2(rng, b, t);
        var w = T.Mat(T.Random2(rng, b, t));
        Tensor PerToken(Tensor theta, Tensor weight) => theta.square() * weight + theta; // any non-linear per-token loss

        var full = T.Mat(theta0, requiresGrad: true);
        var fullLoss = LossAggregation.Aggregate(PerToken(full, w), T.Mat(mask), mode, AggregationNorm.Of(T.Mat(mask), t));
        fullLoss.backward();

        // micro-batches, each trimmed to its own longest completion (as separate padding would), sharing one norm
        var acc = T.Mat(theta0, requiresGrad: true);
        var slices = new List<(int Start, int Rows, int Width)>();
        for (int s = 0; s < b; s += micro)
        {
            int rows = Math.Min(micro, b - s), width = 1;
            for (int i = s; i < s + rows; i++)
                for (int j = 0; j < t; j++) if (mask[i, j] == 1) width = Math.Max(width, j + 1);
            slices.Add((s, rows, width));
        }
        var fullMask = T.Mat(mask);
        var norm = AggregationNorm.Of(slices.Select(s => fullMask.narrow(0, s.Start, s.Rows).narrow(1, 0, s.Width)), lengthNorm: t);
        double summed = 0;
        foreach (var (s, rows, width) in slices)
        {
            var theta = acc.narrow(0, s, rows).narrow(1, 0, width);
            var loss = LossAggregation.Aggregate(PerToken(theta, w.narrow(0, s, rows).narrow(1, 0, width)),
                fullMask.narrow(0, s, rows).narrow(1, 0, width), mode, norm);
            loss.backward();
            summed += T.Scalar(loss);
        }

        T.Close(T.Scalar(fullLoss), summed, 1e-12);
        var g1 = T.Read(full.grad!); var g2 = T.Read(acc.grad!);
        for (int i = 0; i < g1.Length; i++) Assert.True(Math.Abs(g1[i] - g2[i]) <= 1e-6, $"grad {i}: {g1[i]} vs {g2[i]}");
        Assert.Contains(g1, g => Math.Abs(g) > 1e-3); // the comparison is not vacuous
    }

    [Fact]
    public void MicroBatchAccumulation_WithoutGlobalNorm_WouldDiffer()
    {
        // Shows why the norm matters: per-micro-batch token-mean over unequal token counts is not the full token-mean.
        var l = T.Mat(new double[,] { { 1, 1 }, { 5, 0 } });
        var m = T.Mat(new double[,] { { 1, 1 }, { 1, 0 } });
        double full = T.Scalar(LossAggregation.Aggregate(l, m, AggregationMode.TokenMean));          // 7/3
        double naive = T.Scalar(LossAggregation.Aggregate(l.narrow(0, 0, 1), m.narrow(0, 0, 1), AggregationMode.TokenMean))
                     + T.Scalar(LossAggregation.Aggregate(l.narrow(0, 1, 1), m.narrow(0, 1, 1), AggregationMode.TokenMean)); // 1 + 5
        T.Close(7.0 / 3, full);
        T.Close(6.0, naive);
    }

    [Fact]
    public void Aggregate_MatchesLoopReference_OnRandomInputs()
    {
        var rng = new Random(9);
        int b = 5, t = 7;
        var l = T.Random2(rng, b, t, 3);
        var m = T.RandomMask(rng, b, t, minLen: 0);
        double tokSum = 0, tokN = 0, seqMeanSum = 0, seqSumSum = 0, seqN = 0;
        for (int i = 0; i < b; i++)
        {
            double s = 0, n = 0;
            for (int j = 0; j < t; j++) { s += l[i, j] * m[i, j]; n += m[i, j]; }
            tokSum += s; tokN += n;
            if (n > 0) { seqMeanSum += s / n; seqSumSum += s; seqN++; }
        }
        var lt = T.Mat(l); var mt = T.Mat(m);
        T.Close(tokN > 0 ? tokSum / tokN : 0, T.Scalar(LossAggregation.Aggregate(lt, mt, AggregationMode.TokenMean)), 1e-12);
        T.Close(seqN > 0 ? seqMeanSum / seqN : 0, T.Scalar(LossAggregation.Aggregate(lt, mt, AggregationMode.SeqMeanTokenMean)), 1e-12);
        T.Close(seqN > 0 ? seqSumSum / seqN : 0, T.Scalar(LossAggregation.Aggregate(lt, mt, AggregationMode.SeqMeanTokenSum)), 1e-12);
        T.Close(tokSum / (b * t), T.Scalar(LossAggregation.Aggregate(lt, mt, AggregationMode.SeqMeanTokenSumNorm)), 1e-12);
    }

    [Fact]
    public void Aggregate_AcceptsBoolMask_AndKeepsFloat32()
    {
        var l = torch.tensor(new float[] { 1, 2, 3, 4 }).reshape(2, 2);
        var m = torch.tensor(new bool[] { true, false, true, true }).reshape(2, 2);
        var loss = LossAggregation.Aggregate(l, m, AggregationMode.TokenMean);
        Assert.Equal(ScalarType.Float32, loss.dtype);
        Assert.Equal(8f / 3, loss.item<float>(), 5);
    }

    [Fact]
    public void Aggregate_MismatchedMask_NamesMask()
    {
        var e = Assert.Throws<ArgumentException>(() =>
            LossAggregation.Aggregate(T.Mat(L), T.Mat(new double[3, 2]), AggregationMode.TokenMean));
        Assert.Equal("mask", e.ParamName);
    }

    [Fact]
    public void AggregationNames_ParseAndRoundTrip_UnknownListsValidOnes()
    {
        Assert.Equal(AggregationMode.SeqMeanTokenSumNorm, AlgorithmNames.ParseAggregationMode("seq-mean-token-sum-norm"));
        foreach (var mode in Enum.GetValues<AggregationMode>())
            Assert.Equal(mode, AlgorithmNames.ParseAggregationMode(mode.ToName()));
        var e = Assert.Throws<ArgumentException>(() => AlgorithmNames.ParseAggregationMode("token_mean"));
        Assert.Contains("token-mean, seq-mean-token-mean, seq-mean-token-sum, seq-mean-token-sum-norm", e.Message);
    }
}
