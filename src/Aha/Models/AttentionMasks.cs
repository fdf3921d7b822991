using static TorchSharp.torch;

namespace Aha.Models;

/// <summary>Builds the additive attention mask shared by all layers of one forward.</summary>
public static class AttentionMasks
{
    /// <summary>
    /// Query i (absolute position past + i) may see key j when j ≤ past + i and key j is not padding.
    /// Masked entries get the dtype's most negative finite value rather than −∞, so a padding query whose every key is
    /// masked yields finite (ignored) outputs instead of NaN — as Hugging Face does.
    /// </summary>
    /// <param name="keyMask">[B, past + T] 1/0, or null (no padding).</param>
    /// <returns>[B, 1, T, past + T] additive mask, or null without padding: causal attention, which
    /// <see cref="ScaledDotProductAttention.Compute"/> applies itself.</returns>
    public static Tensor? Additive(Tensor? keyMask, long t, int past, ScalarType dtype, Device device)
    {
        if (keyMask is null) return null;
        var allowed = CausalAllowed(t, past + t, device).unsqueeze(0).unsqueeze(0);                     // [1, 1, T, T_k]
        allowed = allowed.logical_and(keyMask.to_type(ScalarType.Bool).unsqueeze(1).unsqueeze(1));      // [B, 1, T, T_k]
        return Fill(allowed, dtype);
    }

    /// <summary>
    /// Packed sequences: query i sees key j when both belong to the same sequence and j ≤ i (block-diagonal causal).
    /// segmentIds: [B, T] int64, a sequence's number within its row, 0 for padding (which sees nothing) → [B, 1, T, T].
    /// </summary>
    public static Tensor BlockCausal(Tensor segmentIds, ScalarType dtype)
    {
        long t = segmentIds.shape[1];
        var same = segmentIds.unsqueeze(2).eq(segmentIds.unsqueeze(1));                                 // [B, T, T]
        var allowed = same.logical_and(segmentIds.ne(0).unsqueeze(1))
            .logical_and(CausalAllowed(t, t, segmentIds.device).unsqueeze(0));                          // [B, T, T]
        return Fill(allowed.unsqueeze(1), dtype);                                                       // [B, 1, T, T]
    }

    /// <summary>[T, T_k] additive causal mask for the last T of T_k positions: query i sees keys 0..T_k − T + i.</summary>
    public static Tensor Causal(long t, long keys, ScalarType dtype, Device device) => Fill(CausalAllowed(t, keys, device), dtype);

    static Tensor CausalAllowed(long t, long keys, Device device)
    {
        var query = torch.arange(keys - t, keys, dtype: ScalarType.Int64, device: device).unsqueeze(1); // [T, 1]
        var key = torch.arange(keys, dtype: ScalarType.Int64, device: device).unsqueeze(0);             // [1, T_k]
        return key.le(query);                                                                           // [T, T_k]
    }

    static Tensor Fill(Tensor allowed, ScalarType dtype)
        => torch.zeros(allowed.shape, dtype: dtype, device: allowed.device).masked_fill(allowed.logical_not(), torch.finfo(dtype).min);
}
