using Aha.Algorithms;
using TorchSharp;
using static TorchSharp.torch;

namespace Aha.Tests.Algorithms;

public sealed class ValueLossTests
{
    //  t  V    V_old  R    V−V_old→clip(±0.2)  V_clip  (V−R)²  (V_clip−R)²  max
    //  0  1.0  0.5    1.5   0.5 → 0.2           0.7     0.25    0.64         0.64 (clipped larger)
    //  1  2.0  2.0    1.0   0                   2.0     1.00    1.00         1.00
    //  2  0.5  1.0    0.0  −0.5 → −0.2          0.8     0.25    0.64         0.64 (clipped larger)
    //  3  padding (garbage)
    static readonly double[,] V = { { 1.0, 2.0, 0.5, 50 } };
    static readonly double[,] Old = { { 0.5, 2.0, 1.0, -50 } };
    static readonly double[,] R = { { 1.5, 1.0, 0.0, 7 } };
    static readonly double[,] M = { { 1, 1, 1, 0 } };

    [Fact]
    public void Clipped_GoldenLossAndStats()
    {
        var (loss, stats) = ValueLoss.Clipped(T.Mat(V), T.Mat(Old), T.Mat(R), T.Mat(M));
        T.Close(0.5 * (0.64 + 1 + 0.64) / 3, T.Scalar(loss)); // ½ · token-mean
        T.Close(2.0 / 3, stats.ClipFraction);
        T.Close(3.5 / 3, stats.ValueMean);
    }

    [Fact]
    public void Clipped_WithoutClipping_IsHalfMeanSquaredError()
    {
        var (loss, stats) = ValueLoss.Clipped(T.Mat(V), T.Mat(Old), T.Mat(R), T.Mat(M), clipRange: null);
        T.Close(0.5 * (0.25 + 1 + 0.25) / 3, T.Scalar(loss));
        Assert.Equal(0, stats.ClipFraction);
    }

    [Fact]
    public void Clipped_GradientIsZeroWhereTheClippedTermWins()
    {
        var v = T.Mat(V, requiresGrad: true);
        var (loss, _) = ValueLoss.Clipped(v, T.Mat(Old), T.Mat(R), T.Mat(M), aggregation: AggregationMode.SeqMeanTokenSum);
        loss.backward();
        // t0, t2: clipped term (flat in V) wins → 0; t1: ½·2·(V − R) = 1.0; padding 0
        T.Close(new[] { 0, 1.0, 0, 0 }, T.Read(v.grad!));
    }

    [Fact]
    public void ExplainedVariance_HandComputed()
    {
        var r = T.Mat(new double[,] { { 1, 2, 3, 4 } });
        var m = T.Mat(new double[,] { { 1, 1, 1, 0 } });
        // V = R → 1; V = R/2 → 1 − Var(R/2)/Var(R) = 0.75; V constant → 1 − Var(R)/Var(R) = 0
        T.Close(1, ValueLoss.ExplainedVariance(r, r, m));
        T.Close(0.75, ValueLoss.ExplainedVariance(r * 0.5, r, m));
        T.Close(0, ValueLoss.ExplainedVariance(T.Mat(new double[,] { { 9, 9, 9, -5 } }), r, m));
        Assert.True(double.IsNaN(ValueLoss.ExplainedVariance(r, T.Mat(new double[,] { { 2, 2, 2, 9 } }), m)));
    }

    [Fact]
    public void BadInput_NamesTheArgument()
    {
        var x = T.Mat(V);
        Assert.Equal("returns", Assert.Throws<ArgumentException>(() => ValueLoss.Clipped(x, x, T.Mat(new double[1, 3]), x)).ParamName);
        Assert.Equal("clipRange", Assert.Throws<ArgumentException>(() => ValueLoss.Clipped(x, x, x, x, clipRange: -1)).ParamName);
    }
}
