using static TorchSharp.torch;

namespace Aha.Models;

/// <summary>Per-token log-probabilities of given tokens, the quantity every policy-gradient and preference loss uses.</summary>
public static class TokenLogProbs
{
    /// <summary>
    /// log softmax(logits / T)[target]: logits [B, T, V], targets [B, T] int64 → [B, T].
    /// Matches the rollout engine's log-probs (temperature-scaled, before top-k/top-p). Temperature 0 (greedy) has no
    /// distribution of its own: it scores under softmax(logits), T = 1, exactly as <see cref="Generation.TokenSampler"/>
    /// reports greedy tokens' log-probs.
    /// </summary>
    public static Tensor Gather(Tensor logits, Tensor targets, double temperature = 1.0)
        => Algorithms.TokenDistribution.LogProbs(temperature is 1.0 or 0.0 ? logits : logits / temperature, targets);

    /// <summary>
    /// Teacher-forced log-probs of each row's completion under <paramref name="model"/>: for a batch of
    /// [prompt (left-padded) | completion (right-padded)] ids [B, T] with attention mask [B, T], the log-prob of token t
    /// is read from the logits at t − 1. Returns [B, T − 1] aligned with ids[:, 1:].
    /// </summary>
    public static Tensor OfSequence(CausalLM model, Tensor ids, Tensor attentionMask, double temperature = 1.0)
    {
        var logits = model.Forward(ids, attentionMask);                            // [B, T, V]
        long t = ids.shape[1];
        return Gather(logits.narrow(1, 0, t - 1), ids.narrow(1, 1, t - 1), temperature); // [B, T-1]
    }
}
