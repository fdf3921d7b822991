using TorchSharp;
using TorchSharp.Modules;
using TorchSharp.Utils;
using static TorchSharp.torch;

namespace Aha.Models;

/// <summary>
/// Multi-head attention with grouped-query K/V (see <see cref="ScaledDotProductAttention"/>), optional qkv bias (Qwen2), optional
/// per-head RMSNorm on q and k before RoPE (Qwen3). Parameter names are Hugging Face's.
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

    public Attention(ModelConfig c, int layer, Device? device, ScalarType dtype) : base("Attention")
    {
        _heads = c.NumHeads; _kvHeads = c.NumKvHeads; _headDim = c.HeadDim; _layer = layer;
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

    /// <param name="x">[B, T, H]</param>
    /// <param name="cos">[B, 1, T, D]</param>
    /// <param name="sinSigned">[B, 1, T, D], see <see cref="RotaryEmbedding.Apply"/>.</param>
    /// <param name="mask">additive [B, 1, T, T_k], or null for causal attention (see <see cref="ScaledDotProductAttention.Compute"/>).</param>
    public Tensor Forward(Tensor x, Tensor cos, Tensor sinSigned, Tensor? mask, KvCache? cache)
    {
        long b = x.shape[0], t = x.shape[1];
        // One matmul for q, k and v (the weights stay separate HF parameters; the concatenation is cheap next to it).
        var weight = torch.cat([_qProj.weight!, _kProj.weight!, _vProj.weight!], 0);
        var bias = _qProj.bias is null ? null : torch.cat([_qProj.bias, _kProj.bias!, _vProj.bias!], 0);
        var qkv = nn.functional.linear(x, weight, bias).view(b, t, _heads + 2 * _kvHeads, _headDim); // [B, T, nh + 2·nkv, D]
        // split, not three narrows: its backward writes one gradient instead of zero-filling three and summing them.
        var qkvHeads = qkv.split([_heads, _kvHeads, _kvHeads], 2);
        Tensor q = qkvHeads[0], k = qkvHeads[1], v = qkvHeads[2];   // [B, T, nh | nkv | nkv, D]
        if (_qNorm is not null) { q = _qNorm.forward(q); k = _kNorm!.forward(k); }
        q = RotaryEmbedding.Apply(q.transpose(1, 2), cos, sinSigned); // [B, nh, T, D]
        k = RotaryEmbedding.Apply(k.transpose(1, 2), cos, sinSigned); // [B, nkv, T, D]
        v = v.transpose(1, 2);
        if (cache is not null) (k, v) = cache.Append(_layer, k, v);  // [B, nkv, T_k, D]
        var o = ScaledDotProductAttention.Compute(q, k, v, mask);    // [B, T, nh, D]
        return _oProj.forward(o.reshape(b, t, _heads * _headDim));
    }
}
