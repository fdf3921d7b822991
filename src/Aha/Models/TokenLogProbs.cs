using static TorchSharp.torch;

namespace Aha.Models;

/// <summary>Per-token log-probabilities of given tokens, the quantity every policy-gradient and preference loss uses.</summary>
public static class TokenLogProbs
{
    /// <summary>
    /// log softmax(logits / T)[target]: logits [B, T, V], targets [B, T] int64 → [B, T]. Matches the rollout engine's
    /// log-probs (temperature-scaled, before top-k/top-p). T must be &gt; 0: greedy decoding (T = 0) has no distribution
    /// of its own, and <see cref="Generation.TokenSampler"/> reports greedy tokens' log-probs under T = 1, so score
    /// greedy text by passing 1.
    /// </summary>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="temperature"/> is not a finite number &gt; 0.</exception>
    public static Tensor Gather(Tensor logits, Tensor targets, double temperature = 1.0)
    {
        if (!(temperature > 0 && double.IsFinite(temperature)))
            throw new ArgumentOutOfRangeException(nameof(temperature), temperature,
                "must be a finite number > 0; greedy tokens are scored under T = 1, as the sampler reports them.");
        return Algorithms.TokenDistribution.LogProbs(temperature == 1.0 ? logits : logits / temperature, targets);
    }
}
