using static TorchSharp.torch;

namespace Aha.Models;

/// <summary>
/// softmax(q·kᵀ/√D + mask)·v with grouped-query K/V (arXiv:2305.13245): query head h reads K/V head h / (nh/nkv),
/// as Hugging Face's repeat_kv arranges. Two kernels compute it:
/// <list type="bullet">
/// <item><see cref="Eager"/>: matmul, additive mask, softmax, matmul (HF's "eager"), on K/V as they are — no repeat.
/// On CPU it is the faster one for training, by less as sequences grow, while forward alone it is at par with the
/// fused kernel from 256 tokens on (measurements in docs/performance.md), so <see cref="Compute"/> stops at 512 tokens
/// and at a bound on the scores' memory. Where the native kernels are on and there is no cached past,
/// <see cref="Native.FusedAttention"/> computes the same in one native call each way instead.</item>
/// <item><see cref="Fused"/>: torch's scaled_dot_product_attention (flash / memory-efficient kernels), which never
/// materialises the [T, T_k] scores — the one for long sequences and for GPUs. TorchSharp binds no enable_gqa, so K/V
/// are repeated to nh heads first.</item>
/// </list>
/// </summary>
public static class ScaledDotProductAttention
{
    /// <summary>Largest T·T_k (scores per head) that <see cref="Compute"/> gives to <see cref="Eager"/> on CPU.</summary>
    public const long EagerMaxScoresPerHead = 512 * 512;

    /// <summary>
    /// Largest B·nh·T·T_k — the scores <see cref="Eager"/> materialises, and autograd keeps, per layer: 64 MiB in fp32 —
    /// that <see cref="Compute"/> gives to it; beyond, the fused kernel's memory (no scores at all) wins.
    /// </summary>
    public const long EagerMaxScores = 1L << 24;

    /// <param name="q">[B, nh, T, D]</param>
    /// <param name="k">[B, nkv, T_k, D]; nh is a multiple of nkv.</param>
    /// <param name="v">[B, nkv, T_k, D]</param>
    /// <param name="mask">
    /// null for causal attention: the T queries are the last T positions, so query i sees keys 0..T_k − T + i (plain
    /// causal when T = T_k, every key for a one-token decode step); or an additive [B, 1, T, T_k] mask that also blocks
    /// those future keys, as <see cref="AttentionMasks.Additive"/> builds it (the eager kernel skips them unread).
    /// </param>
    /// <returns>[B, T, nh, D]: token-major, as the output projection reads it.</returns>
    public static Tensor Compute(Tensor q, Tensor k, Tensor v, Tensor? mask)
        => PrefersEager(q, k) ? Native.FusedAttention.TryCompute(q, k, v, mask) ?? Eager(q, k, v, mask) : Fused(q, k, v, mask);

    /// <summary>Whether <see cref="Compute"/> runs <see cref="Eager"/>: on CPU, within both score limits.</summary>
    public static bool PrefersEager(Tensor q, Tensor k)
    {
        long scoresPerHead = q.shape[2] * k.shape[2];
        return q.device_type == DeviceType.CPU && scoresPerHead <= EagerMaxScoresPerHead
            && q.shape[0] * q.shape[1] * scoresPerHead <= EagerMaxScores;
    }

    /// <summary>Fewest queries per block for which <see cref="Eager"/> splits the queries into causal blocks.</summary>
    public const long EagerBlockMinQueries = 32;

    /// <summary>Queries per causal block in <see cref="Eager"/> once there are enough for more than two.</summary>
    public const long EagerBlockQueries = 128;

    /// <summary>
    /// Each K/V head's query heads are stacked along the rows — ordered (position, head), [B, nkv, T·rep, D] — so one
    /// batched matmul serves the whole group and consecutive positions are a contiguous block of rows. From
    /// 2·<see cref="EagerBlockMinQueries"/> queries on, the queries run in causal blocks — two halves, or blocks of
    /// about <see cref="EagerBlockQueries"/> when there are more — each against only the keys its last query can see:
    /// n blocks skip (n − 1)/2n of the scores when T = T_k (a quarter at 128 tokens, 3/8 at 512); smaller blocks skip
    /// more scores but gain no time, their matmuls being smaller (docs/performance.md).
    /// Softmax runs in fp32 as HF's does.
    /// </summary>
    public static Tensor Eager(Tensor q, Tensor k, Tensor v, Tensor? mask)
    {
        long b = q.shape[0], heads = q.shape[1], t = q.shape[2], d = q.shape[3], kvHeads = k.shape[1], keys = k.shape[2];
        long rep = heads / kvHeads;
        var rows = q.reshape(b, kvHeads, rep, t, d).transpose(2, 3).reshape(b, kvHeads, t * rep, d); // [B, nkv, T·rep, D]
        var bias = mask ?? (t > 1 ? AttentionMasks.Causal(t, keys, q.dtype, q.device) : null);      // [B, 1, T, T_k] or [T, T_k]
        double scale = 1.0 / Math.Sqrt(d);

        // Queries [start, start + count), given as their rows, against the keys the last of them can see; returns [B, count, nkv, rep, D].
        Tensor Block(Tensor queryRows, long start, long count, Tensor key, Tensor value)
        {
            long visible = keys - t + start + count;
            var scores = queryRows.matmul(key.narrow(2, 0, visible).transpose(2, 3)); // [B, nkv, count·rep, visible]
            if (bias is null) scores = scores.mul_(scale);
            else // each position's mask row serves its rep heads by broadcasting: [B, 1, count, 1, visible] or [count, 1, visible]
                scores = bias.narrow(-2, start, count).narrow(-1, 0, visible).unsqueeze(-2)
                    .add(scores.view(b, kvHeads, count, rep, visible), alpha: scale).view(b, kvHeads, count * rep, visible);
            var probs = q.dtype == ScalarType.Float32 ? scores.softmax(-1) : scores.softmax(-1, ScalarType.Float32).to_type(q.dtype);
            return probs.matmul(value.narrow(2, 0, visible)).view(b, kvHeads, count, rep, d).transpose(1, 2);
        }

        // One block reads K/V as they are: while decoding they are views of the KV cache, which a copy per step would cost.
        if (t < 2 * EagerBlockMinQueries) return Block(rows, 0, t, k, v).contiguous().view(b, t, heads, d);
        int blocks = (int)Math.Max(2, t / EagerBlockQueries);
        var counts = Enumerable.Range(0, blocks).Select(i => t * (i + 1) / blocks - t * i / blocks).ToArray();
        // split rather than narrow: the backward writes one gradient instead of zero-filling one per block and adding them.
        var blockRows = rows.split(counts.Select(c => c * rep).ToArray(), 2);
        // K and V are made contiguous once, so every block's matmuls read them in place.
        Tensor kc = k.contiguous(), vc = v.contiguous();
        var outputs = new Tensor[blocks];
        long start = 0;
        for (int i = 0; i < blocks; i++)
        {
            outputs[i] = Block(blockRows[i], start, counts[i], kc, vc);
            start += counts[i];
        }
        return torch.cat(outputs, 1).view(b, t, heads, d);
    }

    public static Tensor Fused(Tensor q, Tensor k, Tensor v, Tensor? mask)
    {
        long rep = q.shape[1] / k.shape[1], t = q.shape[2], keys = k.shape[2];
        // torch's is_causal aligns top-left, so it only says "causal" when T = T_k; a decode step needs no mask at all.
        bool isCausal = mask is null && t == keys && t > 1;
        if (mask is null && t > 1 && t != keys) mask = AttentionMasks.Causal(t, keys, q.dtype, q.device);
        return nn.functional.scaled_dot_product_attention(q, RepeatKv(k, rep), RepeatKv(v, rep), mask, 0.0, isCausal).transpose(1, 2);
    }

    /// <summary>[B, nkv, T, D] → [B, nkv·rep, T, D], each K/V head shared by rep query heads (HF repeat_kv).</summary>
    static Tensor RepeatKv(Tensor kv, long rep)
    {
        if (rep == 1) return kv;
        long b = kv.shape[0], kvHeads = kv.shape[1], t = kv.shape[2], d = kv.shape[3];
        return kv.unsqueeze(2).expand(b, kvHeads, rep, t, d).reshape(b, kvHeads * rep, t, d);
    }
}
