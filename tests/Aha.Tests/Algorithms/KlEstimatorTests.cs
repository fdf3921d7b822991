using Aha.Algorithms;
using TorchSharp;
using static TorchSharp.torch;

namespace Aha.Tests.Algorithms;

public sealed class KlEstimatorTests
{
    // token 0: logp = −1, ref = −2 → d = ref − logp = −1; token 1: logp = −3, ref = −1 → d = 2
    static readonly Tensor Logp = T.Mat(new double[,] { { -1, -3 } });
    static readonly Tensor Ref = T.Mat(new double[,] { { -2, -1 } });

    [Fact]
    public void K1_IsLogpMinusRef() => T.Close(new[] { 1.0, -2.0 }, T.Read(KlEstimators.K1(Logp, Ref)));

    [Fact]
    public void K2_IsHalfSquaredLogRatio() => T.Close(new[] { 0.5, 2.0 }, T.Read(KlEstimators.K2(Logp, Ref)));

    [Fact]
    public void K3_IsExpDMinusDMinusOne()
    {
        // e^−1 − (−1) − 1 = e^−1; e^2 − 2 − 1 = e^2 − 3
        T.Close(new[] { Math.Exp(-1), Math.Exp(2) - 3 }, T.Read(KlEstimators.K3(Logp, Ref)));
    }

    [Fact]
    public void K3_ClampsLogRatioAndResult_Configurably()
    {
        var logp = T.Mat(new double[,] { { -40.0, -3.0 } });
        var refLogp = T.Mat(new double[,] { { -10.0, -1.0 } }); // d = 30, 2
        // defaults: d → 20, e^20 − 21 → clamped to 10; second token e^2 − 3 ≈ 4.39 untouched
        T.Close(new[] { 10.0, Math.Exp(2) - 3 }, T.Read(KlEstimators.K3(logp, refLogp)));
        // result clamp off: e^20 − 20 − 1
        T.Close(Math.Exp(20) - 21, T.Read(KlEstimators.K3(logp, refLogp, resultClamp: double.PositiveInfinity))[0], 1e-12);
        // log-ratio clamp 1: d → 1 for both → e − 2
        T.Close(new[] { Math.E - 2, Math.E - 2 }, T.Read(KlEstimators.K3(logp, refLogp, logRatioClamp: 1)));
    }

    [Fact]
    public void K3_GradientWithRespectToLogp_Is_OneMinusExpD()
    {
        // ∂k3/∂logp = ∂(e^d − d − 1)/∂d · ∂d/∂logp = (e^d − 1)·(−1) = 1 − e^d
        var logp = T.Mat(new double[,] { { -1, -3 } }, requiresGrad: true);
        KlEstimators.K3(logp, Ref).sum().backward();
        T.Close(new[] { 1 - Math.Exp(-1), 1 - Math.Exp(2) }, T.Read(logp.grad!));
    }

    [Theory]
    [InlineData(KlEstimator.K1, 1.0)]
    [InlineData(KlEstimator.K2, 0.5)]
    [InlineData(KlEstimator.K3, 0.36787944117144233)]
    public void Estimate_DispatchesByName(KlEstimator kind, double firstToken) =>
        T.Close(firstToken, T.Read(KlEstimators.Estimate(AlgorithmNames.ParseKlEstimator(kind.ToName()), Logp, Ref))[0]);

    [Fact]
    public void MismatchedShapes_NameRefLogp()
    {
        var e = Assert.Throws<ArgumentException>(() => KlEstimators.K3(Logp, T.Mat(new double[2, 2])));
        Assert.Equal("refLogp", e.ParamName);
    }

    [Fact]
    public void KlNames_UnknownListsValidOnes()
    {
        var e = Assert.Throws<ArgumentException>(() => AlgorithmNames.ParseKlEstimator("low_var_kl"));
        Assert.Contains("k1, k2, k3", e.Message);
        Assert.Equal(KlPlacement.Reward, AlgorithmNames.ParseKlPlacement("Reward"));
        Assert.Contains("none, loss, reward", Assert.Throws<ArgumentException>(() => AlgorithmNames.ParseKlPlacement("both")).Message);
    }
}

public sealed class StraightThroughKlTests
{
    [Fact]
    public void PlusEstimators_KeepTheirValue_AndTakeK2sGradient_AbsIsTheMagnitude()
    {
        // logp = (−1, −2), ref = (−1.5, −1): logp − ref = (0.5, −1).
        // values: k1 = (0.5, −1); abs = (0.5, 1); k3 = e^{ref−logp} − (ref − logp) − 1 = (e^{−0.5} − 0.5, e^{1} − 2).
        // gradients wrt logp: k2 = ½(logp − ref)² → (0.5, −1) for k1+ and k3+; k1 → 1; abs → sign = (1, −1).
        foreach (var (name, value, grad) in new (string, double[], double[])[]
        {
            ("k1+", [0.5, -1], [0.5, -1]),
            ("k3+", [Math.Exp(-0.5) - 0.5, Math.E - 2], [0.5, -1]),
            ("abs", [0.5, 1], [1, -1]),
            ("k1", [0.5, -1], [1, 1]),
        })
        {
            var logp = T.Mat(new double[,] { { -1, -2 } }, requiresGrad: true);
            var k = KlEstimatorRegistry.All.Get(name).Estimate(logp, T.Mat(new double[,] { { -1.5, -1 } }));
            T.Close(new double[,] { { value[0], value[1] } }, k);
            k.sum().backward();
            T.Close(new double[,] { { grad[0], grad[1] } }, logp.grad!);
        }
        Assert.Equal(new[] { "abs", "k1", "k1+", "k2", "k3", "k3+" }, KlEstimatorRegistry.All.Names);
    }

    [Fact]
    public void TokenSum_SumsMaskedTokens()
    {
        // (1 + 2 | 3), the padded 100 ignored
        var loss = LossAggregation.Aggregate(T.Mat(new double[,] { { 1, 2 }, { 3, 100 } }), T.Mat(new double[,] { { 1, 1 }, { 1, 0 } }), AggregationMode.TokenSum);
        T.Close(6, T.Scalar(loss));
        Assert.Equal(AggregationMode.TokenSum, AggregationRegistry.All.Get("token-sum").Mode);
    }
}
