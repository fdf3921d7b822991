using static TorchSharp.torch;

namespace Aha.Generation;

/// <summary>Picks the next token from logits: greedy, or temperature + top-k + top-p sampling.</summary>
public static class TokenSampler
{
    /// <summary>logits: [B, V] → (tokens [B] int64, log-probs [B] of those tokens under softmax(logits / T)).</summary>
    public static (Tensor Tokens, Tensor LogProbs) Sample(Tensor logits, SamplingParams p, Generator? generator)
    {
        logits = logits.to_type(ScalarType.Float32);
        if (p.Temperature == 0)
        {
            var greedy = logits.argmax(-1);                                            // [B]
            return (greedy, logits.log_softmax(-1).gather(1, greedy.unsqueeze(1)).squeeze(1));
        }
        var scaled = logits / p.Temperature;                                           // [B, V]
        var logProbs = scaled.log_softmax(-1);
        var filtered = TopP(TopK(scaled, p.TopK), p.TopP);
        var tokens = torch.multinomial(filtered.softmax(-1), 1, replacement: false, generator: generator); // [B, 1]
        return (tokens.squeeze(1), logProbs.gather(1, tokens).squeeze(1));
    }

    /// <summary>Sets every logit below the k-th largest of its row to −∞.</summary>
    public static Tensor TopK(Tensor logits, int k)
    {
        if (k <= 0 || k >= logits.shape[^1]) return logits;
        var kth = logits.topk(k, -1).values[.., ^1..];                                 // [B, 1]
        return logits.masked_fill(logits.lt(kth), float.NegativeInfinity);
    }

    /// <summary>Keeps the smallest prefix of tokens (by probability) whose mass reaches p; always keeps the top token.</summary>
    public static Tensor TopP(Tensor logits, double p)
    {
        if (p >= 1) return logits;
        var (sorted, order) = logits.sort(-1, descending: true);                       // [B, V]
        var probs = sorted.softmax(-1);
        var massBefore = probs.cumsum(-1) - probs;                                     // mass of strictly more likely tokens
        var dropSorted = massBefore.ge(p);                                             // first token always kept (mass 0)
        var drop = torch.zeros_like(dropSorted).scatter(-1, order, dropSorted);
        return logits.masked_fill(drop, float.NegativeInfinity);
    }
}
