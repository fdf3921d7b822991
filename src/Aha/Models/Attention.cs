using TorchSharp;
using TorchSharp.Modules;
using TorchSharp.Utils;
using static TorchSharp.torch;

namespace Aha.Models;

/// <summary>
/// Multi-head attention with grouped-query K/V (see <see cref="ScaledDotProductAttention"/>), optional qkv bias (Qwen2), optional
/// per-head RMSNorm on q and k before RoPE (Qwen3). Parameter names are Hugging Face's. Inside, q and k (and the KV cache's
/// keys) keep their head dimensions in RoPE's interleaved order (see <see cref="RotaryEmbedding"/>).
/// </summary>
public sealed class Attention : nn.Module
{
    [ComponentName(Name = "q_proj")] readonly Linear _qProj;
    [ComponentName(Name = "k_proj")] readonly Linear _kProj;
    [ComponentName(Name = "v_proj")] readonly Linear _vProj;
    [ComponentName(Name = "o_proj")] readonly Linear _oProj;
    [ComponentName(Name = "q_norm")] readonly RmsNorm? _qNorm;
    [ComponentName(Name = "k_norm")] readonly RmsNorm? _kNorm;
    readonly int _heads, _kvHeads, _headDim, _layer;
    readonly ConstantOnDevice _interleavedRows, _interleavedHeadDims; // int64 row indices

    public Attention(ModelConfig c, int layer, Device? device, ScalarType dtype) : base("Attention")
    {
        _heads = c.NumHeads; _kvHeads = c.NumKvHeads; _headDim = c.HeadDim; _layer = layer;
        long qkRows = (c.NumHeads + c.NumKvHeads) * c.HeadDim, vRows = c.NumKvHeads * c.HeadDim;
        var rows = RotaryEmbedding.InterleavedRows(c.NumHeads + c.NumKvHeads, c.HeadDim)
            .Concat(Enumerable.Range(0, (int)vRows).Select(i => qkRows + i)).ToArray(); // v's rows stay in place
        var headDims = RotaryEmbedding.InterleavedRows(1, c.HeadDim);
        _interleavedRows = new ConstantOnDevice(device => torch.tensor(rows, device: device));
        _interleavedHeadDims = new ConstantOnDevice(device => torch.tensor(headDims, device: device));
        _qProj = nn.Linear(c.HiddenSize, c.NumHeads * c.HeadDim, c.QkvBias, device, dtype);
        _kProj = nn.Linear(c.HiddenSize, c.NumKvHeads * c.HeadDim, c.QkvBias, device, dtype);
        _vProj = nn.Linear(c.HiddenSize, c.NumKvHeads * c.HeadDim, c.QkvBias, device, dtype);
        _oProj = nn.Linear(c.NumHeads * c.HeadDim, c.HiddenSize, c.OutputBias, device, dtype);
        if (c.QkNorm)
        {
            _qNorm = new RmsNorm(c.HeadDim, c.RmsNormEps, device, dtype);
            _kNorm = new RmsNorm(c.HeadDim, c.RmsNormEps, device, dtype);
        }
        RegisterComponents();
    }

    /// <summary>residual + attn(gain ⊙ normed): the block's half after its RMSNorm, see <see cref="GainedLinear"/>.</summary>
    /// <param name="normed">[B, T, H], the RMSNorm's output before its gain.</param>
    /// <param name="gain">[H], the RMSNorm's weight.</param>
    /// <param name="residual">[B, T, H]</param>
    /// <param name="rope">the rotations of this forward's positions.</param>
    /// <param name="mask">additive [B, 1, T, T_k], or null for causal attention (see <see cref="ScaledDotProductAttention.Compute"/>).</param>
    /// <param name="cache">KV cache to append this step's keys and values to and read the past ones from.</param>
    public Tensor Forward(Tensor normed, Tensor gain, Tensor residual, RotaryTables rope, Tensor? mask, KvCache? cache)
    {
        long b = normed.shape[0], t = normed.shape[1];
        // One matmul for q, k and v (the weights stay separate HF parameters; gathering them is cheap next to it), with
        // q's and k's rows in RoPE's interleaved order: their dot products, all attention reads, are unchanged.
        var rows = _interleavedRows.On(normed.device);
        var weight = torch.cat([_qProj.weight!, _kProj.weight!, _vProj.weight!], 0).index_select(0, rows);
        var bias = _qProj.bias is null ? null : torch.cat([_qProj.bias, _kProj.bias!, _vProj.bias!], 0).index_select(0, rows);
        var qkv = GainedLinear.Linear(normed, gain, weight, bias).view(b, t, _heads + 2 * _kvHeads, _headDim); // [B, T, nh + 2·nkv, D]
        // split, not three narrows: its backward writes one gradient instead of zero-filling three and summing them.
        var qkvHeads = qkv.split([_heads, _kvHeads, _kvHeads], 2);
        Tensor q = qkvHeads[0], k = qkvHeads[1], v = qkvHeads[2];   // [B, T, nh | nkv | nkv, D]
        if (_qNorm is not null)
        {
            var dims = _interleavedHeadDims.On(normed.device);
            q = _qNorm.Normalize(q) * _qNorm.Weight.index_select(0, dims);
            k = _kNorm!.Normalize(k) * _kNorm.Weight.index_select(0, dims);
        }
        q = rope.Apply(q.transpose(1, 2));                           // [B, nh, T, D]
        k = rope.Apply(k.transpose(1, 2));                           // [B, nkv, T, D]
        v = v.transpose(1, 2);
        if (cache is not null) (k, v) = cache.Append(_layer, k, v);  // [B, nkv, T_k, D]
        var o = ScaledDotProductAttention.Compute(q, k, v, mask);    // [B, T, nh, D]
        return GainedLinear.AddTo(residual, o.reshape(b, t, _heads * _headDim), _oProj.weight!, _oProj.bias);
    }
}
