using Aha.Algorithms;
using TorchSharp;
using static TorchSharp.torch;

namespace Aha.Tests.Algorithms;

public sealed class UnpairedPreferenceLossTests
{
    // One batch for every test: β = 0.5, λ_D = 1, λ_U = 2.
    //   policy log-probs  [−1.0, −2.0, −3.0, −0.5]
    //   reference         [−1.5, −1.5, −2.0, −0.5]   → r = policy − reference = [0.5, −0.5, −1.0, 0.0]
    //   desirable         [true, false, false, true]
    // Mismatched pairs (x_j, y'_j): policy [−2.0, −1.0, −4.0], reference [−3.0, −1.4, −4.2] → differences [1.0, 0.4, 0.2],
    //   z0 = max(0, mean) = 1.6 / 3 = 0.533333…
    static readonly double[] Policy = [-1.0, -2.0, -3.0, -0.5], Reference = [-1.5, -1.5, -2.0, -0.5];
    static readonly bool[] Labels = [true, false, false, true];

    static (Tensor Loss, Tensor Policy, UnpairedTerms Terms) Run(string name, Tensor z0)
    {
        var policy = T.Vec(Policy).requires_grad_(true);
        var terms = UnpairedPreferenceLosses.Compute(UnpairedPreferenceLosses.All.Get(name),
            new UnpairedInput(policy, T.Vec(Reference), torch.tensor(Labels), z0, Beta: 0.5, DesirableWeight: 1, UndesirableWeight: 2));
        var loss = terms.PerExample.mean();
        loss.backward();
        return (loss, policy, terms);
    }

    [Fact]
    public void ReferencePoint_IsTheMeanMismatchedLogRatio_Detached_AndClampedAtZero()
    {
        var policyKl = T.Vec(-2.0, -1.0, -4.0).requires_grad_(true);
        var z0 = UnpairedPreferenceLosses.ReferencePoint(policyKl, T.Vec(-3.0, -1.4, -4.2));
        T.Close(1.6 / 3, T.Scalar(z0));
        Assert.False(z0.requires_grad);                                                   // no gradient through z0 (TRL: .detach())
        // A negative mean (the policy gives mismatched completions less mass than the reference) clamps to 0.
        T.Close(0, T.Scalar(UnpairedPreferenceLosses.ReferencePoint(T.Vec(-2.0, -1.0), T.Vec(-1.0, -0.5))));
    }

    [Fact]
    public void Kto_GoldenLossAndGradient()
    {
        // Desirable: λ_D·(1 − σ(u)), u = β(r − z0); undesirable: λ_U·(1 − σ(v)), v = β(z0 − r).
        //   ex0 D: u = 0.5·(0.5 − 0.533333) = −0.016667, 1 − σ(u) = 0.504167
        //   ex1 U: v = 0.5·(0.533333 + 0.5) = 0.516667, σ(v) = 0.626368, 2·(1 − σ(v)) = 0.747264
        //   ex2 U: v = 0.5·(0.533333 + 1.0) = 0.766667, σ(v) = 0.682799, 2·(1 − σ(v)) = 0.634401
        //   ex3 D: u = 0.5·(0 − 0.533333) = −0.266667, 1 − σ(u) = 0.566274
        //   loss = mean = (0.504167 + 0.747264 + 0.634401 + 0.566274) / 4 = 0.613027
        var (loss, policy, terms) = Run("kto", torch.tensor(1.6 / 3, dtype: ScalarType.Float64));
        T.Close([0.5041665702187285, 0.7472640165437041, 0.634401227813175, 0.5662743941954392], T.Read(terms.PerExample), 1e-9);
        T.Close(0.6130265521927617, T.Scalar(loss), 1e-9);
        // d/dr: desirable −λ_D·β·σ(u)(1 − σ(u)), undesirable +λ_U·β·σ(v)(1 − σ(v)); ÷ 4 for the mean.
        //   ex0 −0.5·0.495833·0.504167/4 = −0.031248; ex1 +2·0.5·0.626368·0.373632/4 = 0.058508
        //   ex2 +2·0.5·0.682799·0.317201/4 = 0.054146; ex3 −0.5·0.433726·0.566274/4 = −0.030701
        var grad = T.Read(policy.grad!);
        T.Close([-0.031247829961576552, 0.05850778266664868, 0.05414609611096788, -0.030700963084253442], grad, 1e-9);
        // Direction: raising a desirable completion's log-prob lowers the loss, raising an undesirable one's raises it.
        Assert.True(grad[0] < 0 && grad[3] < 0 && grad[1] > 0 && grad[2] > 0);
        // Implicit rewards β·r (TRL rewards/chosen, rewards/rejected), detached.
        T.Close([0.25, -0.25, -0.5, 0.0], T.Read(terms.Reward));
        Assert.False(terms.Reward.requires_grad);
    }

    [Fact]
    public void Kto_AtTheReference_LossIsHalfTheWeight()
    {
        // r = 0 and z0 = 0: every example's loss is λ·(1 − σ(0)) = λ/2 → mean (1 + 2 + 2 + 1)/2/4 = 0.75.
        var policy = T.Vec(Reference).requires_grad_(true);
        var terms = UnpairedPreferenceLosses.Compute(UnpairedPreferenceLosses.All.Get("kto"),
            new UnpairedInput(policy, T.Vec(Reference), torch.tensor(Labels), torch.tensor(0.0, dtype: ScalarType.Float64), 0.5, 1, 2));
        T.Close(0.75, T.Scalar(terms.PerExample.mean()));
    }

    [Fact]
    public void ApoZeroUnpaired_GoldenLossAndGradient_IgnoresTheReferencePoint()
    {
        // Desirable λ_D·(1 − σ(βr)), undesirable λ_U·σ(βr), no z0 (passing 5 must change nothing):
        //   ex0 D 1 − σ(0.25) = 0.437823; ex1 U 2·σ(−0.25) = 0.875647; ex2 U 2·σ(−0.5) = 0.755081; ex3 D 1 − σ(0) = 0.5
        //   mean 0.642138
        var (loss, policy, _) = Run("apo_zero_unpaired", torch.tensor(5.0, dtype: ScalarType.Float64));
        T.Close(0.6421379587347242, T.Scalar(loss), 1e-9);
        // d/dr: desirable −λ_D·β·σ(βr)(1 − σ(βr)), undesirable +λ_U·β·σ(βr)(1 − σ(βr)), ÷ 4.
        T.Close([-0.030766760342199793, 0.06153352068439959, 0.058750928050398624, -0.03125], T.Read(policy.grad!), 1e-9);
        Assert.False(UnpairedPreferenceLosses.All.Get("apo_zero_unpaired").NeedsReferencePoint);
        Assert.True(UnpairedPreferenceLosses.All.Get("kto").NeedsReferencePoint);
    }

    [Fact]
    public void UnknownName_ListsTheValidOnes_AndBadInputsNameTheArgument()
    {
        var e = Assert.Throws<ArgumentException>(() => UnpairedPreferenceLosses.All.Get("ktoo"));
        Assert.Contains("apo_zero_unpaired, kto", e.Message);
        var kto = UnpairedPreferenceLosses.All.Get("kto");
        var zero = torch.tensor(0.0, dtype: ScalarType.Float64);
        Assert.Equal("desirable", Assert.Throws<ArgumentException>(() => UnpairedPreferenceLosses.Compute(kto,
            new UnpairedInput(T.Vec(Policy), T.Vec(Reference), T.Vec(1, 0, 0, 1), zero))).ParamName);
        Assert.Equal("reference", Assert.Throws<ArgumentException>(() => UnpairedPreferenceLosses.Compute(kto,
            new UnpairedInput(T.Vec(Policy), T.Vec(-1, -2), torch.tensor(Labels), zero))).ParamName);
        Assert.Equal("beta", Assert.Throws<ArgumentException>(() => UnpairedPreferenceLosses.Compute(kto,
            new UnpairedInput(T.Vec(Policy), T.Vec(Reference), torch.tensor(Labels), zero, Beta: 0))).ParamName);
    }
}
