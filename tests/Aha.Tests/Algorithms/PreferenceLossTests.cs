using Aha.Algorithms;
using TorchSharp;
using static TorchSharp.torch;

namespace Aha.Tests.Algorithms;

public sealed class PreferenceLossTests
{
    static double Softplus(double x) => Math.Log(1 + Math.Exp(x)); // −log σ(−x)

    [Fact]
    public void BradleyTerry_GoldenLossAccuracyMargin()
    {
        // r_w − r_l = 2, −1 → loss = mean(−log σ(2), −log σ(−1)) = mean(softplus(−2), softplus(1))
        var (loss, stats) = PreferenceLosses.BradleyTerry(T.Vec(2, 0), T.Vec(0, 1));
        T.Close((Softplus(-2) + Softplus(1)) / 2, T.Scalar(loss));
        T.Close(0.5, stats.Accuracy);
        T.Close(0.5, stats.Margin);
        T.Close(1, stats.ChosenMean);
        T.Close(0.5, stats.RejectedMean);
    }

    [Fact]
    public void BradleyTerry_MarginAndCentering()
    {
        // margin 1: logits 1, −2; centering 0.01·mean((2 + 0)², (0 + 1)²) = 0.01·2.5
        var (loss, _) = PreferenceLosses.BradleyTerry(T.Vec(2, 0), T.Vec(0, 1), margin: T.Vec(1, 1), centeringCoefficient: 0.01);
        T.Close((Softplus(-1) + Softplus(2)) / 2 + 0.025, T.Scalar(loss));
    }

    [Fact]
    public void BradleyTerry_GradientPushesChosenUp()
    {
        // ∂/∂r_w of −log σ(r_w − r_l) = −σ(−(r_w − r_l)) = −σ(−2), mean over 1 pair
        var chosen = T.Vec(2).requires_grad_(true);
        PreferenceLosses.BradleyTerry(chosen, T.Vec(0)).Loss.backward();
        T.Close(-1 / (1 + Math.Exp(2)), T.Read(chosen.grad!)[0]);
    }

    // policy (chosen, rejected) = (−1, −3), reference (−2, −2), β = 0.1:
    // chosen log-ratio 1, rejected −1, h = 2, βh = 0.2
    static (Tensor, Tensor, Tensor, Tensor) Pair() => (T.Vec(-1), T.Vec(-3), T.Vec(-2), T.Vec(-2));

    [Fact]
    public void Dpo_Sigmoid_GoldenLossAndImplicitRewards()
    {
        var (pc, pr, rc, rr) = Pair();
        var (loss, stats) = PreferenceLosses.Dpo(pc, pr, rc, rr, beta: 0.1);
        T.Close(Softplus(-0.2), T.Scalar(loss));
        T.Close(0.1, stats.ChosenReward);
        T.Close(-0.1, stats.RejectedReward);
        T.Close(1, stats.Accuracy);
        T.Close(0.2, stats.Margin);
    }

    [Fact]
    public void Dpo_LabelSmoothing_IsConservativeDpo()
    {
        var (pc, pr, rc, rr) = Pair();
        var (loss, _) = PreferenceLosses.Dpo(pc, pr, rc, rr, beta: 0.1, labelSmoothing: 0.1);
        // −0.9·log σ(0.2) − 0.1·log σ(−0.2)
        T.Close(0.9 * Softplus(-0.2) + 0.1 * Softplus(0.2), T.Scalar(loss));
    }

    [Fact]
    public void Dpo_Ipo_IsSquaredDistanceToHalfInverseBeta()
    {
        var (pc, pr, rc, rr) = Pair();
        var (loss, _) = PreferenceLosses.Dpo(pc, pr, rc, rr, beta: 0.1, type: "ipo");
        T.Close(9, T.Scalar(loss)); // (2 − 1/(2·0.1))² = (2 − 5)²
    }

    [Fact]
    public void Dpo_GradientOnChosen_IsMinusBetaSigmoidOfMinusBetaH_AndReferenceGetsNone()
    {
        var pc = T.Vec(-1).requires_grad_(true);
        var rc = T.Vec(-2).requires_grad_(true);
        PreferenceLosses.Dpo(pc, T.Vec(-3), rc, T.Vec(-2), beta: 0.1).Loss.backward();
        T.Close(-0.1 / (1 + Math.Exp(0.2)), T.Read(pc.grad!)[0]);
        Assert.Null(rc.grad);
    }

    [Fact]
    public void BadInput_NamesTheArgument()
    {
        Assert.Equal("rejected", Assert.Throws<ArgumentException>(() => PreferenceLosses.BradleyTerry(T.Vec(1, 2), T.Vec(1))).ParamName);
        Assert.Equal("referenceRejected", Assert.Throws<ArgumentException>(() =>
            PreferenceLosses.Dpo(T.Vec(1), T.Vec(1), T.Vec(1), T.Vec(1, 2))).ParamName);
        Assert.Equal("beta", Assert.Throws<ArgumentException>(() =>
            PreferenceLosses.Dpo(T.Vec(1), T.Vec(1), T.Vec(1), T.Vec(1), beta: 0)).ParamName);
        Assert.Equal("labelSmoothing", Assert.Throws<ArgumentException>(() =>
            PreferenceLosses.Dpo(T.Vec(1), T.Vec(1), T.Vec(1), T.Vec(1), type: "ipo", labelSmoothing: 0.1)).ParamName);
        Assert.Contains("Unknown preference loss 'kto'. Valid values: hinge, ipo, orpo, robust, sigmoid, simpo.",
            Assert.Throws<ArgumentException>(() => PreferenceLosses.Dpo(T.Vec(1), T.Vec(1), T.Vec(1), T.Vec(1), type: "kto")).Message);
    }
}

public sealed class MorePreferenceLossTests
{
    static double LogSig(double x) => -Math.Log(1 + Math.Exp(-x));

    // policy (chosen, rejected) = (−2, −3), (−1, −1); reference (−2.5, −2.5), (−1, −1.5); β = 0.5.
    // chosen log-ratios (0.5, 0), rejected (−0.5, 0.5) → h = (1, −0.5), βh = (0.5, −0.25).
    static readonly double[] Pc = { -2, -1 }, Pr = { -3, -1 }, Rc = { -2.5, -1 }, Rr = { -2.5, -1.5 };

    static double Loss(string type, double eps = 0, double gamma = 0.5, bool reference = true) =>
        T.Scalar(PreferenceLosses.Dpo(T.Vec(Pc), T.Vec(Pr), reference ? T.Vec(Rc) : null, reference ? T.Vec(Rr) : null,
            beta: 0.5, type: type, labelSmoothing: eps, simpoGamma: gamma).Loss);

    [Fact]
    public void Hinge_IsReluOfOneMinusBetaH()
    {
        // max(0, 1 − 0.5) = 0.5, max(0, 1 + 0.25) = 1.25 → mean 0.875
        T.Close(0.875, Loss("hinge"));
    }

    [Fact]
    public void Robust_IsTheUnbiasedFlipCorrectedSigmoid()
    {
        // per pair (−0.9·log σ(βh) + 0.1·log σ(−βh)) / 0.8
        double Pair(double bh) => (-0.9 * LogSig(bh) + 0.1 * LogSig(-bh)) / 0.8;
        T.Close((Pair(0.5) + Pair(-0.25)) / 2, Loss("robust", eps: 0.1));
    }

    [Fact]
    public void Simpo_IsReferenceFree_WithTargetMargin()
    {
        // inputs as per-token means: w̄ − l̄ = (1, 0), minus γ/β = 1 → (0, −1); −log σ(0.5·x) → (ln 2, −log σ(−0.5))
        T.Close((Math.Log(2) - LogSig(-0.5)) / 2, Loss("simpo", reference: false));
    }

    [Fact]
    public void Orpo_IsNllPlusBetaTimesLogSigmoidOfTheLogOddsRatio()
    {
        // log odds(p̄) = p̄ − log(1 − e^{p̄}); pair 1: log odds(−2) − log odds(−3); pair 2: equal → 0.
        // per pair: −w̄ − 0.5·log σ(Δ)
        static double LogOdds(double p) => p - Math.Log(1 - Math.Exp(p));
        double d1 = LogOdds(-2) - LogOdds(-3);
        var (loss, stats, extra) = PreferenceLosses.Preference(PreferenceLossRegistry.All.Get("orpo"),
            new PreferenceInput(T.Vec(Pc), T.Vec(Pr), null, null, Beta: 0.5));
        T.Close(((2 - 0.5 * LogSig(d1)) + (1 - 0.5 * LogSig(0))) / 2, T.Scalar(loss));
        T.Close((LogSig(d1) + LogSig(0)) / 2, extra["log_odds_ratio"]);
        T.Close(d1 / 2, extra["log_odds_chosen"]);
        T.Close(1.5, extra["nll_loss"]);
        T.Close(0.5 * -1.5, stats.ChosenReward);   // rewards/chosen = β·w̄
    }

    [Fact]
    public void PreferenceRegistry_ListsTheLosses_ReferenceFreeOnesNeedNoReference()
    {
        Assert.Equal(new[] { "hinge", "ipo", "orpo", "robust", "sigmoid", "simpo" }, PreferenceLossRegistry.All.Names);
        Assert.False(PreferenceLossRegistry.All.Get("simpo").NeedsReference);
        Assert.False(PreferenceLossRegistry.All.Get("orpo").NeedsReference);
        Assert.True(PreferenceLossRegistry.All.Get("hinge").NeedsReference);
        Assert.Throws<ArgumentException>(() => PreferenceLosses.Dpo(T.Vec(Pc), T.Vec(Pr), null, null, type: "hinge"));
    }

    [Fact]
    public void Registrations_DeclareReferenceAndLabelSmoothing_AndTheConfigAsksThem()
    {
        var all = PreferenceLossRegistry.All;
        Assert.Equal(["hinge", "ipo", "orpo", "robust", "sigmoid", "simpo"], all.Names);
        Assert.Equal(["orpo", "simpo"], all.Names.Where(n => !all.Get(n).NeedsReference));
        Assert.Equal(["robust", "sigmoid", "simpo"], all.Names.Where(n => all.Get(n).LabelSmoothing));
        var problem = Assert.Single(new Aha.Training.Offline.DpoConfig { LossType = "hinge", LabelSmoothing = 0.1 }.Problems());
        Assert.Equal("label_smoothing", problem.Key);
        Assert.Contains("robust, sigmoid, simpo losses only", problem.Message);
        Assert.Empty(new Aha.Training.Offline.DpoConfig { LossType = "simpo", LabelSmoothing = 0.1 }.Problems());
    }
}
