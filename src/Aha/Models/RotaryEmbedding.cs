using static TorchSharp.torch;

namespace Aha.Models;

/// <summary>
/// Rotary position embedding (RoFormer, arXiv:2104.09864) in HF's "rotate_half" layout:
/// θ_i = base^(−2i/d), cos/sin of [p·θ, p·θ] over the head dimension; q' = q·cos + rotate_half(q)·sin.
/// Holds no parameters (HF's inv_freq is a non-persistent buffer), so it is a plain class, not a module.
/// </summary>
public sealed class RotaryEmbedding
{
    readonly float[] _invFreq;
    Tensor? _invFreqTensor;

    public RotaryEmbedding(int headDim, double theta, RopeScaling? scaling)
    {
        var inv = Enumerable.Range(0, headDim / 2).Select(i => 1.0 / Math.Pow(theta, 2.0 * i / headDim)).ToArray();
        _invFreq = (scaling?.Apply(inv) ?? inv).Select(f => (float)f).ToArray();
    }

    /// <summary>
    /// positions: [B, T] (int64) → (cos, sinSigned): [B, 1, T, D] in <paramref name="dtype"/>, where sinSigned carries
    /// rotate_half's sign: [−sin, +sin] over the two halves.
    /// </summary>
    public (Tensor Cos, Tensor SinSigned) CosSin(Tensor positions, ScalarType dtype)
    {
        if (_invFreqTensor is null || _invFreqTensor.device_type != positions.device_type || _invFreqTensor.device_index != positions.device_index)
        {
            _invFreqTensor?.Dispose();
            _invFreqTensor = torch.tensor(_invFreq, device: positions.device).DetachFromDisposeScope();
        }
        var freqs = positions.to_type(ScalarType.Float32).unsqueeze(-1) * _invFreqTensor; // [B, T, D/2]
        var sin = freqs.sin();
        var cos = freqs.cos();
        return (torch.cat([cos, cos], -1).unsqueeze(1).to_type(dtype),                   // [B, 1, T, D]
                torch.cat([-sin, sin], -1).unsqueeze(1).to_type(dtype));
    }

    /// <summary>
    /// x: [B, H, T, D] → same shape: x·cos + rotate_half(x)·sin, where rotate_half(x) = [−x₂, x₁]. Rolling x by D/2
    /// gives [x₂, x₁]; the sign lives in sinSigned, so this is roll + mul + fused multiply-add.
    /// </summary>
    public static Tensor Apply(Tensor x, Tensor cos, Tensor sinSigned)
        => torch.addcmul(x * cos, x.roll(x.shape[^1] / 2, -1), sinSigned, 1);
}
