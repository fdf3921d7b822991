using Aha.Models;
using static TorchSharp.torch;

namespace Aha.Tests;

/// <summary>A reference the rollout tests compare the engine's reported log-probs against: one full forward, no cache.</summary>
internal static class TeacherForcedLogProbs
{
    /// <summary>
    /// For ids [B, T] (prompt and completion, attention mask [B, T]), the log-prob of token t read from the logits at
    /// t − 1 under temperature <paramref name="temperature"/>: [B, T − 1], aligned with ids[:, 1:].
    /// </summary>
    public static Tensor OfSequence(CausalLM model, Tensor ids, Tensor attentionMask, double temperature = 1.0)
    {
        var logits = model.Forward(ids, attentionMask);                            // [B, T, V]
        long t = ids.shape[1];
        return TokenLogProbs.Gather(logits.narrow(1, 0, t - 1), ids.narrow(1, 1, t - 1), temperature); // [B, T-1]
    }
}
