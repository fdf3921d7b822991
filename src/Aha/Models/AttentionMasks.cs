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
    /// <returns>[B, 1, T, past + T] additive mask, or null when plain causal attention (or a one-token decode) suffices.</returns>
    public static Tensor? Additive(Tensor? keyMask, long t, int past, ScalarType dtype, Device device)
    {
        if (keyMask is null && (past == 0 || t == 1)) return null;
        long keys = past + t;
        var query = torch.arange(past, past + t, dtype: ScalarType.Int64, device: device).unsqueeze(1); // [T, 1]
        var key = torch.arange(keys, dtype: ScalarType.Int64, device: device).unsqueeze(0);             // [1, T_k]
        var allowed = key.le(query).unsqueeze(0).unsqueeze(0);                                         // [1, 1, T, T_k]
        if (keyMask is not null) allowed = allowed.logical_and(keyMask.to_type(ScalarType.Bool).unsqueeze(1).unsqueeze(1)); // [B, 1, T, T_k]
        return torch.zeros(allowed.shape, dtype: dtype, device: device).masked_fill(allowed.logical_not(), torch.finfo(dtype).min);
    }
}
