namespace Aha.Training.OnPolicy;

/// <summary>
/// The KL coefficient β and its controller. Fixed: β never changes. Adaptive (Ziegler et al., arXiv:1909.08593 §2.2;
/// TRL <c>AdaptiveKLController</c>): after a batch of n samples with mean sequence KL,
/// e = clip((KL − target)/target, −0.2, 0.2), β ← β·(1 + e·n/horizon) — β grows while KL is above target and shrinks
/// below it, by at most 20%·n/horizon per update.
/// </summary>
public sealed class KlController
{
    public KlController(double beta, bool adaptive = false, double target = 6.0, double horizon = 10000)
    {
        if (!(beta >= 0) || !double.IsFinite(beta)) throw new ArgumentException($"beta must be ≥ 0; got {beta}.", nameof(beta));
        if (adaptive && !(target > 0)) throw new ArgumentException($"target must be > 0; got {target}.", nameof(target));
        if (adaptive && !(horizon > 0)) throw new ArgumentException($"horizon must be > 0; got {horizon}.", nameof(horizon));
        Beta = beta;
        Adaptive = adaptive;
        Target = target;
        Horizon = horizon;
    }

    /// <summary>The current β.</summary>
    public double Beta { get; set; }

    public bool Adaptive { get; }
    public double Target { get; }
    public double Horizon { get; }

    /// <summary>Updates β from the batch's mean sequence KL (nats) over <paramref name="samples"/> samples; no-op when fixed.</summary>
    public void Update(double meanSequenceKl, int samples)
    {
        if (!Adaptive || !double.IsFinite(meanSequenceKl)) return;
        double error = Math.Clamp((meanSequenceKl - Target) / Target, -0.2, 0.2);
        Beta *= 1 + error * samples / Horizon;
    }
}
