using Aha.Training;
using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace Aha.Tests.Training;

public sealed class FusedAdamWTests
{
    const double Lr = 0.1, Beta1 = 0.9, Beta2 = 0.99, Eps = 1e-8, Decay = 0.5;

    static AdamW.ParamGroup Group(Parameter[] parameters, double weightDecay, bool amsgrad = false, bool maximize = false)
        => new(parameters, new AdamW.Options
        {
            LearningRate = Lr, weight_decay = weightDecay, beta1 = Beta1, beta2 = Beta2, eps = Eps, amsgrad = amsgrad, maximize = maximize,
        });

    /// <summary>Sets each parameter's gradient to the given values (loss = Σ p·g).</summary>
    static void SetGradients(Parameter[] parameters, Tensor[] grads)
    {
        foreach (var p in parameters) p.grad?.zero_();
        using var scope = NewDisposeScope();
        var loss = parameters.Zip(grads, (p, g) => (p * g).sum()).Aggregate((a, b) => a + b);
        loss.backward();
    }

    [Fact]
    public void TwoSteps_MatchTheAdamWFormulaComputedByHand()
    {
        // One scalar θ₀ = 1, decayed (λ = 0.5), gradients 2 then −1; the expected values follow AdamW in doubles.
        var theta = new Parameter(tensor(new[] { 1.0f }));
        using var optimizer = new FusedAdamW([Group([theta], Decay)], Lr, Beta1, Beta2, Eps, Decay);
        double expected = 1.0, m = 0, v = 0;
        double[] gradients = [2.0, -1.0];
        for (int t = 1; t <= gradients.Length; t++)
        {
            double g = gradients[t - 1];
            SetGradients([theta], [tensor(new[] { (float)g })]);
            optimizer.step();
            expected *= 1 - Lr * Decay;
            m = Beta1 * m + (1 - Beta1) * g;
            v = Beta2 * v + (1 - Beta2) * g * g;
            double denom = Math.Sqrt(v) / Math.Sqrt(1 - Math.Pow(Beta2, t)) + Eps;
            expected -= Lr / (1 - Math.Pow(Beta1, t)) * m / denom;
            Assert.Equal(expected, theta.item<float>(), 1e-5);
            // t = 1 by hand: θ = 0.95 − 0.1·m̂/√v̂ with m̂ = 0.2/0.1 = 2 and v̂ = 0.04/0.01 = 4, i.e. 0.85 — a kernel that
            // counted steps from 0 or 2 would miss it by far.
            if (t == 1) Assert.Equal(0.85, theta.item<float>(), 5);
        }
    }

    [Theory]
    [InlineData(false, false)]
    [InlineData(true, false)]
    [InlineData(false, true)]
    public void Steps_MatchTorchSharpsAdamW_WithDecayGroupsAndAParameterWithoutGradient(bool amsgrad, bool maximize)
    {
        var generator = new Generator(7);
        Parameter[] Make() => [new(randn(4, 3, generator: new Generator(1))), new(randn(3, generator: new Generator(2))), new(randn(2, generator: new Generator(3)))];
        var fusedParams = Make();
        var plainParams = Make();
        AdamW.ParamGroup[] Groups(Parameter[] p) => [Group([p[0]], Decay, amsgrad, maximize), Group([p[1], p[2]], 0, amsgrad, maximize)];
        using var fused = new FusedAdamW(Groups(fusedParams), Lr, Beta1, Beta2, Eps, Decay);
        using var plain = new AdamW(Groups(plainParams), Lr, Beta1, Beta2, Eps, Decay, amsgrad, maximize);
        for (int step = 0; step < 5; step++)
        {
            // The third parameter gets no gradient: both optimizers must leave it (and its step count) alone.
            var grads = new[] { randn(4, 3, generator: generator), randn(3, generator: generator) };
            SetGradients(fusedParams[..2], grads);
            SetGradients(plainParams[..2], grads);
            fused.step();
            plain.step();
        }
        for (int i = 0; i < 3; i++)
            Assert.True(fusedParams[i].allclose(plainParams[i], rtol: 1e-5, atol: 1e-6), $"parameter {i}: {fusedParams[i].sub(plainParams[i]).abs().max().item<float>()}");
        var unchanged = Make()[2];
        Assert.True(fusedParams[2].equal(unchanged).all().item<bool>());
        Assert.False(fusedParams[0].allclose(Make()[0]));
    }

    [Fact]
    public void State_IsTorchSharpsAdamWState_SoItMovesIntoThatOptimizerAndOnInStep()
    {
        var p = new Parameter(randn(5, generator: new Generator(4)));
        using var fused = new FusedAdamW([Group([p], Decay)], Lr, Beta1, Beta2, Eps, Decay);
        SetGradients([p], [ones(5)]);
        fused.step();
        fused.step();

        var q = new Parameter(p.detach().clone());
        using var plain = new AdamW([Group([q], Decay)], Lr, Beta1, Beta2, Eps, Decay);
        plain.load_state_dict(fused.state_dict());
        SetGradients([q], [ones(5)]);
        fused.step();
        plain.step(); // t = 3 on both sides: the step count travelled with the moments
        Assert.True(p.allclose(q, rtol: 1e-5, atol: 1e-6));
    }

    [Fact]
    public void Step_SurvivesGarbageCollectionsDuringTheKernelCall()
    {
        // A double handed to TorchScript as a temporary Scalar could be finalized before the call read it: 25 of
        // 20 000 calls failed with a collector running beside them. The optimizer passes Scalars it keeps alive.
        var p = new Parameter(randn(3, generator: new Generator(5)));
        using var optimizer = new FusedAdamW([Group([p], Decay)], Lr, Beta1, Beta2, Eps, Decay);
        SetGradients([p], [ones(3)]);
        bool stop = false;
        var collector = new Thread(() => { while (!Volatile.Read(ref stop)) { GC.Collect(); GC.WaitForPendingFinalizers(); } });
        collector.Start();
        try
        {
            for (int i = 0; i < 3000; i++) optimizer.step();
        }
        finally
        {
            Volatile.Write(ref stop, true);
            collector.Join();
        }
        Assert.True(p.isfinite().all().item<bool>());
    }
}
