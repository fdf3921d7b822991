using TorchSharp;
using static TorchSharp.torch;

namespace Aha.Algorithms;

/// <summary>Per-token quantities of the policy's next-token distribution, from logits.</summary>
public static class TokenDistribution
{
    /// <summary>
    /// Entropy H = −Σ_v p_v·log p_v = logsumexp(z) − Σ_v softmax(z)_v·z_v (veRL <c>entropy_from_logits</c>),
    /// differentiable (for an entropy bonus) and used for logging. logits: [B, T, V] → [B, T].
    /// </summary>
    public static Tensor Entropy(Tensor logits)
    {
        if (logits.dim() < 1) throw new ArgumentException("logits must have a vocabulary dimension, e.g. [B, T, V].", nameof(logits));
        var p = torch.nn.functional.softmax(logits, -1);                  // [B, T, V]
        return logits.logsumexp(-1) - (p * logits).sum(-1);               // [B, T]
    }

    /// <summary>log π(y_t | ·) of the given tokens: log_softmax(z)[y_t]. logits: [B, T, V], tokens: [B, T] (int64) → [B, T].</summary>
    public static Tensor LogProbs(Tensor logits, Tensor tokens)
    {
        if (logits.dim() != tokens.dim() + 1 || !logits.shape.Take((int)tokens.dim()).SequenceEqual(tokens.shape))
            throw new ArgumentException(
                $"tokens has shape [{string.Join(", ", tokens.shape)}] but logits has [{string.Join(", ", logits.shape)}]; expected logits = [..tokens, V].", nameof(tokens));
        var logProbs = torch.nn.functional.log_softmax(logits, -1);       // [B, T, V]
        return logProbs.gather(-1, tokens.to_type(ScalarType.Int64).unsqueeze(-1)).squeeze(-1); // [B, T]
    }
}
