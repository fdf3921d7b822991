using Aha.Algorithms;
using TorchSharp;
using static TorchSharp.torch;

namespace Aha.Tests.Algorithms;

/// <summary>
/// Golden values for the registered losses beyond vanilla PPO, each derived by hand in the comment beside it from the
/// paper's equation (and the upstream function the loss follows). Column 2 of every fixture is padding holding junk.
/// </summary>
public sealed class NewPolicyLossTests
{
    static readonly double[,] Mask2 = { { 1, 1, 0 }, { 1, 1, 0 } };

    /// <summary>Runs the registered loss on logp = old + d, returns the loss, its stats and ∂loss/∂logp.</summary>
    static (double Loss, PolicyLossStats Stats, double[,] Grad) Run(string name, double[,] old, double[,] d, double[,] adv,
        double[,] mask, AggregationMode agg, PolicyLossSettings settings, Generator? generator = null)
    {
        int b = old.GetLength(0), t = old.GetLength(1);
        var lp = new double[b, t];
        for (int i = 0; i < b; i++) for (int j = 0; j < t; j++) lp[i, j] = old[i, j] + d[i, j];
        var logp = T.Mat(lp, requiresGrad: true);
        var (loss, stats) = PolicyLossRegistry.All.Get(name).Compute(
            new PolicyLossInput(logp, T.Mat(old), T.Mat(adv), T.Mat(mask), agg, settings, Generator: generator));
        loss.backward();
        return (T.Scalar(loss), stats, T.Read2(logp.grad!));
    }

    static readonly double[,] Old = { { -1, -2, 9 }, { -0.5, -1.5, 9 } };

    [Fact]
    public void Gspo_OneClippedRatioPerSequence_GradientSpreadOverItsTokens()
    {
        // ε = 0.2 / 0.2. Row 0: d = (0.1, 0.3), s = e^{0.2} = 1.2214 > 1.2 with Â = +1 → clipped: L_t = −1.2, gradient 0.
        // Row 1: d = (−0.1, −0.3), s = e^{−0.2} = 0.8187 inside [0.8, 1.2], Â = (−1, −3) → L_t = (s, 3s), row mean 2s.
        // seq-mean-token-mean: loss = (−1.2 + 2s)/2. ∂(2s)/∂logp_t = 2·s·(1/2) = s for each token, × ½ over rows → s/2.
        double s = Math.Exp(-0.2);
        var (loss, stats, grad) = Run("gspo", Old, new double[,] { { 0.1, 0.3, 7 }, { -0.1, -0.3, 7 } },
            new double[,] { { 1, 1, 5 }, { -1, -3, 5 } }, Mask2, AggregationMode.SeqMeanTokenMean, new PolicyLossSettings());
        T.Close((-1.2 + 2 * s) / 2, loss);
        T.Close(new double[,] { { 0, 0, 0 }, { s / 2, s / 2, 0 } }, T.Mat(grad));
        T.Close(0.5, stats.ClipFractionHigh);                        // both tokens of row 0
        T.Close((2 * Math.Exp(0.2) + 2 * s) / 4, stats.RatioMean);  // the sequence ratio on each of the 4 tokens
    }

    [Fact]
    public void GspoToken_SameValue_ButEachTokenWeighsItsOwnAdvantage()
    {
        // Same fixture. s_{i,t} has value s_i and gradient s_i·∇logp_t, so row 1's loss ½(1·s_{1,0} + 3·s_{1,1}) has
        // ∂/∂logp_0 = ½·s, ∂/∂logp_1 = ½·3s; × ½ over rows → s/4 and 3s/4 (GSPO gives s/2 to both: the same total).
        double s = Math.Exp(-0.2);
        var (loss, _, grad) = Run("gspo_token", Old, new double[,] { { 0.1, 0.3, 7 }, { -0.1, -0.3, 7 } },
            new double[,] { { 1, 1, 5 }, { -1, -3, 5 } }, Mask2, AggregationMode.SeqMeanTokenMean, new PolicyLossSettings());
        T.Close((-1.2 + 2 * s) / 2, loss);
        T.Close(new double[,] { { 0, 0, 0 }, { s / 4, 3 * s / 4, 0 } }, T.Mat(grad));
    }

    [Fact]
    public void Cispo_ClipsAndDetachesTheWeight_ClippedTokensKeepTheirGradient()
    {
        // ε_low 0.2, ε_high 0.28 → w = clip(ρ, 0.8, 1.28). logp = (ln 0.5, ln 0.2 | ln 0.1, ·), ρ = (2, 1 | 0.5, ·), Â = (1, 1 | −2, ·),
        // row 1 has one token. w = (1.28, 1 | 0.8). L_t = −w·Â·logp = (−1.28 ln 0.5, −ln 0.2 | 1.6 ln 0.1); token-mean over 3.
        // ∂L_t/∂logp_t = −w·Â: (−1.28, −1 | 1.6), / 3. (Vanilla PPO would give token 0 no gradient: its ratio is clipped.)
        var old = new double[,] { { Math.Log(0.25), Math.Log(0.2), 0 }, { Math.Log(0.2), -1, 0 } };
        var d = new double[,] { { Math.Log(2), 0, 0 }, { Math.Log(0.5), 0, 0 } };
        var mask = new double[,] { { 1, 1, 0 }, { 1, 0, 0 } };
        var (loss, stats, grad) = Run("cispo", old, d, new double[,] { { 1, 1, 0 }, { -2, 0, 0 } }, mask,
            AggregationMode.TokenMean, new PolicyLossSettings(ClipLow: 0.2, ClipHigh: 0.28));
        T.Close((-1.28 * Math.Log(0.5) - Math.Log(0.2) + 1.6 * Math.Log(0.1)) / 3, loss);
        T.Close(new double[,] { { -1.28 / 3, -1.0 / 3, 0 }, { 1.6 / 3, 0, 0 } }, T.Mat(grad));
        T.Close(1.0 / 3, stats.ClipFractionHigh);   // ρ = 2 > 1.28
        T.Close(1.0 / 3, stats.ClipFractionLow);    // ρ = 0.5 < 0.8 (counted whatever Â's sign)
    }

    [Fact]
    public void Sapo_SoftGate_GoldenValueAndGradient()
    {
        // f(ρ) = σ(τ(ρ − 1))·4/τ, τ = 1 for Â > 0, 1.05 otherwise; L_t = −f·Â. ρ = (1.5, 1 | 0.5, ·), Â = (1, 1 | −1, ·).
        // Row 0: −4σ(0.5), −4σ(0) = −2; row 1: +σ(−0.525)·4/1.05. seq-mean-token-mean: ((−4σ(0.5) − 2)/2 + σ(−0.525)·4/1.05)/2.
        // ∂f/∂logp = 4ρ·σ(x)(1 − σ(x)) (x = τ(ρ − 1); the τ cancels) → grads −Â·that, × ½ (row 0 token mean) × ½ (rows).
        static double Sig(double x) => 1 / (1 + Math.Exp(-x));
        var old = new double[,] { { -1, -2, 0 }, { -0.5, -1, 0 } };
        var d = new double[,] { { Math.Log(1.5), 0, 0 }, { Math.Log(0.5), 0, 0 } };
        var mask = new double[,] { { 1, 1, 0 }, { 1, 0, 0 } };
        var (loss, _, grad) = Run("sapo", old, d, new double[,] { { 1, 1, 0 }, { -1, 0, 0 } }, mask,
            AggregationMode.SeqMeanTokenMean, new PolicyLossSettings());
        T.Close(((-4 * Sig(0.5) - 2) / 2 + Sig(-0.525) * 4 / 1.05) / 2, loss);
        double g00 = -4 * 1.5 * Sig(0.5) * (1 - Sig(0.5)) / 4, g01 = -4 * 1 * 0.25 / 4, g10 = 4 * 0.5 * Sig(-0.525) * (1 - Sig(-0.525)) / 2;
        T.Close(new double[,] { { g00, g01, 0 }, { g10, 0, 0 } }, T.Mat(grad));
        Assert.Equal(-0.25, g01, 12); // on-policy (ρ = 1) SAPO's slope is the plain policy gradient's
    }

    [Fact]
    public void Gmpo_GeometricMeanOfSignClippedTokenRatios()
    {
        // ε = 0.4 in log space. Row 0, Â = +1, d = (0.5, 0.1): the upper clip binds at 0.4 → mean (0.4 + 0.1)/2 = 0.25,
        // ρ̄ = e^{0.25}, L = −e^{0.25}. Row 1, Â = −1, d = (−0.6, 0.2): for Â < 0 the lower clip binds, −0.6 → −0.4;
        // mean (−0.4 + 0.2)/2 = −0.1, L = +e^{−0.1}. loss = (−e^{0.25} + e^{−0.1})/2 (mean over sequences).
        // Gradients: clipped tokens 0; row 0 token 1: −e^{0.25}·½·½; row 1 token 1: e^{−0.1}·½·½.
        var (loss, stats, grad) = Run("gmpo", Old, new double[,] { { 0.5, 0.1, 3 }, { -0.6, 0.2, 3 } },
            new double[,] { { 1, 1, 4 }, { -1, -1, 4 } }, Mask2, AggregationMode.TokenMean, new PolicyLossSettings(0.4, 0.4));
        T.Close((-Math.Exp(0.25) + Math.Exp(-0.1)) / 2, loss, 1e-7);
        T.Close(new double[,] { { 0, -Math.Exp(0.25) / 4, 0 }, { 0, Math.Exp(-0.1) / 4, 0 } }, T.Mat(grad), 1e-7);
        T.Close(0.25, stats.ClipFractionHigh);
        T.Close(0.25, stats.ClipFractionLow);
    }

    // Clip-Cov / KL-Cov fixture: Â = (2, 2 | −2, −2), logp = (−0.5, −1 | −3, −1.5) → mean Â 0, mean logp −1.5,
    // cov = (2·1, 2·0.5, −2·−1.5, −2·0) = (2, 1, 3, 0).
    static readonly double[,] CovAdv = { { 2, 2, 9 }, { -2, -2, 9 } };
    static readonly double[,] CovLogp = { { -0.5, -1, 4 }, { -3, -1.5, 4 } };

    [Fact]
    public void ClipCov_DetachesTheTokensWhoseCovarianceIsInTheBand()
    {
        // ρ = 1 (d = 0): no PPO clip. Candidates: ω = (1, 5) strictly → cov 2 and 3 (tokens (0,0), (1,0)); r = 0.5 → ⌊0.5·4⌋ = 2,
        // both detached. Per token −Â·ρ·keep = (0, −2 | 0, 2) → token-mean 0; gradient −Â·keep/4 = (0, −0.5 | 0, 0.5).
        var zero = new double[2, 3];
        var (loss, stats, grad) = Run("clip_cov", CovLogp, zero, CovAdv, Mask2, AggregationMode.TokenMean,
            new PolicyLossSettings(ClipCovRatio: 0.5));
        T.Close(0, loss);
        T.Close(new double[,] { { 0, -0.5, 0 }, { 0, 0.5, 0 } }, T.Mat(grad));
        T.Close(0.5, stats.CovFraction);

        // r = 0.25 → one of the two candidates, drawn by the generator: exactly one of tokens (0,0), (1,0) loses its gradient
        using var g = new Generator(3, CPU);
        var (_, one, grad1) = Run("clip_cov", CovLogp, zero, CovAdv, Mask2, AggregationMode.TokenMean, new PolicyLossSettings(ClipCovRatio: 0.25), g);
        T.Close(0.25, one.CovFraction);
        Assert.Equal(1, new[] { grad1[0, 0], grad1[1, 0] }.Count(x => x == 0));
        T.Close(-0.5, grad1[0, 1]);
    }

    [Fact]
    public void KlCov_PenalisesTheLargestCovarianceTokens()
    {
        // k = 0.25 → ⌊0.25·4⌋ = 1 token, the largest cov (3, token (1,0)), where d = 0.2 (ρ = e^{0.2}); elsewhere d = 0.
        // L = (−2, −2 | 2e^{0.2} + 0.1·0.2, 2) → token-mean (−2 + 2e^{0.2} + 0.02)/4.
        // ∂/∂logp at (1,0): 2e^{0.2} + 0.1·sign(0.2); others −Â: (−2, −2 | ·, 2); all / 4.
        var old = new double[,] { { -0.5, -1, 4 }, { -3.2, -1.5, 4 } };
        var d = new double[,] { { 0, 0, 0 }, { 0.2, 0, 0 } };
        var (loss, stats, grad) = Run("kl_cov", old, d, CovAdv, Mask2, AggregationMode.TokenMean,
            new PolicyLossSettings(KlCovRatio: 0.25, KlCovCoef: 0.1));
        T.Close((-2 + 2 * Math.Exp(0.2) + 0.02) / 4, loss);
        T.Close(new double[,] { { -0.5, -0.5, 0 }, { (2 * Math.Exp(0.2) + 0.1) / 4, 0.5, 0 } }, T.Mat(grad));
        T.Close(0.25, stats.CovFraction);
    }

    [Fact]
    public void RolloutWeights_MultiplyThePerTokenLossBeforeAggregation()
    {
        // vanilla at ρ = 1: L_t = −Â = (−2, −2 | 2, 2); weights (0.5, 1 | 2, 0) → (−1, −2 | 4, 0), token-mean 1/4
        var logp = T.Mat(CovLogp, requiresGrad: true);
        var (loss, _) = PolicyLoss.Vanilla(new PolicyLossInput(logp, T.Mat(CovLogp), T.Mat(CovAdv), T.Mat(Mask2),
            AggregationMode.TokenMean, new PolicyLossSettings(), RolloutWeights: T.Mat(new double[,] { { 0.5, 1, 7 }, { 2, 0, 7 } })));
        T.Close(0.25, T.Scalar(loss));
    }

    [Fact]
    public void PolicyLossRegistry_ListsEveryLoss()
    {
        Assert.Equal(new[] { "cispo", "clip_cov", "gmpo", "gspo", "gspo_token", "kl_cov", "pg", "sapo", "vanilla" }, PolicyLossRegistry.All.Names);
        foreach (var name in PolicyLossRegistry.All.Names)
            Assert.False(string.IsNullOrWhiteSpace(PolicyLossRegistry.All.Get(name).Source));
    }
}
