using static TorchSharp.torch;

namespace Aha.Models;

/// <summary>
/// Rotary position embedding (RoFormer, arXiv:2104.09864) as HF's Llama/Qwen code defines it ("rotate_half"): at position
/// p, θ_j = base^(−2j/D) rotates the pair (x_j, x_{j+D/2}) of every head by the angle p·θ_j.
/// <para>
/// Attention only ever reads q·k, which is unchanged when one permutation reorders the head dimensions of both q and k.
/// So <see cref="Attention"/> holds its q and k projections' rows in <see cref="InterleavedRows"/> order (converted at the
/// checkpoint boundary, <see cref="CheckpointLayout"/>), which puts each pair side by side — (x_0, x_{D/2}, x_1,
/// x_{D/2+1}, …) — and the rotation becomes one complex multiplication per pair, (x_j + i·x_{j+D/2})·e^{i·p·θ_j}: one
/// kernel forward and one backward, where rotate_half takes three and four.
/// </para>
/// Holds no parameters (HF's inv_freq is a non-persistent buffer), so it is a plain class, not a module.
/// </summary>
public sealed class RotaryEmbedding
{
    readonly ConstantOnDevice _invFreq; // θ_j, fp32

    public RotaryEmbedding(int headDim, double theta, RopeScaling? scaling)
    {
        var inv = Enumerable.Range(0, headDim / 2).Select(i => 1.0 / Math.Pow(theta, 2.0 * i / headDim)).ToArray();
        var invFreq = (scaling?.Apply(inv) ?? inv).Select(f => (float)f).ToArray();
        _invFreq = new ConstantOnDevice(device => torch.tensor(invFreq, device: device));
    }

    /// <summary>positions: [B, T] (int64) → the rotations for tensors of <paramref name="dtype"/> laid out [B, heads, T, D].</summary>
    public RotaryTables Tables(Tensor positions, ScalarType dtype)
    {
        var angles = (positions.to_type(ScalarType.Float32).unsqueeze(-1) * _invFreq.On(positions.device)).unsqueeze(1); // [B, 1, T, D/2]
        return new RotaryTables(angles.cos(), angles.sin(), dtype);
    }

    /// <summary>
    /// Row order of a [heads·D, in] projection that lays each head out as (x_0, x_{D/2}, x_1, x_{D/2+1}, …): entry
    /// h·D + 2j is row h·D + j and entry h·D + 2j + 1 is row h·D + j + D/2.
    /// </summary>
    public static long[] InterleavedRows(int heads, int headDim)
    {
        int half = headDim / 2;
        var rows = new long[heads * headDim];
        for (int h = 0; h < heads; h++)
            for (int j = 0; j < half; j++)
            {
                rows[h * headDim + 2 * j] = h * headDim + j;
                rows[h * headDim + 2 * j + 1] = h * headDim + j + half;
            }
        return rows;
    }
}

/// <summary>
/// The rotations of one forward pass, for head dimensions in <see cref="RotaryEmbedding.InterleavedRows"/> order:
/// e^{i·p·θ_j} as complex numbers where <c>dtype</c> has a complex counterpart (fp32, fp64), otherwise (bf16, fp16) the
/// same rotation in real arithmetic, x·cos + swap(x)·sin with swap(x) = (−x_1, x_0, −x_3, x_2, …).
/// </summary>
public sealed class RotaryTables
{
    readonly Tensor? _rotation;         // [B, 1, T, D/2] complex
    readonly Tensor? _cos, _sinSigned;  // [B, 1, T, D]: (cos_0, cos_0, cos_1, cos_1, …), (−sin_0, sin_0, −sin_1, sin_1, …)
    readonly Tensor? _pairs;            // [B, 1, T, D/2, 2] float32 (cos, sin), for the native decode block, where _rotation is not float32

    /// <param name="cos">cos(p·θ_j): [B, 1, T, D/2], fp32.</param>
    /// <param name="sin">sin(p·θ_j): [B, 1, T, D/2], fp32.</param>
    /// <param name="dtype">the dtype of the q and k the tables will rotate.</param>
    public RotaryTables(Tensor cos, Tensor sin, ScalarType dtype)
    {
        if (dtype is ScalarType.Float32 or ScalarType.Float64)
            _rotation = torch.complex(cos.to_type(dtype), sin.to_type(dtype));
        else
        {
            _cos = cos.repeat_interleave(2, -1).to_type(dtype);
            _sinSigned = torch.stack([-sin, sin], -1).flatten(-2).to_type(dtype);
            if (dtype == ScalarType.BFloat16) _pairs = torch.stack([cos.to_type(ScalarType.Float32), sin.to_type(ScalarType.Float32)], -1);
        }
    }

    /// <summary>The rotations' (cos, sin) pairs in float32, [B, 1, T, D/2, 2], for float32 and bfloat16 tensors; null for others.</summary>
    internal Tensor? Pairs => _pairs ?? (_rotation is { dtype: ScalarType.ComplexFloat32 } r ? torch.view_as_real(r) : null);

    /// <summary>x: [B, heads, T, D] in interleaved order, its last dimension contiguous → the same, rotated.</summary>
    public Tensor Apply(Tensor x)
    {
        var pairs = x.shape[..^1].Append(x.shape[^1] / 2).Append(2).ToArray(); // [B, heads, T, D/2, 2]
        if (_rotation is not null)
            return torch.view_as_real(torch.view_as_complex(x.view(pairs)) * _rotation).view(x.shape);
        var swapped = x.view(pairs).flip(-1).reshape(x.shape) * _sinSigned!; // (x_1, x_0, …)·(−sin, sin, …)
        return torch.addcmul(swapped, x, _cos!, 1);
    }
}
