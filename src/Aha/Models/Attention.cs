using Aha.Models.Lora;
using TorchSharp;
using TorchSharp.Modules;
using TorchSharp.Utils;
using static TorchSharp.torch;

namespace Aha.Models;

/// <summary>
/// Multi-head attention with grouped-query K/V (see <see cref="ScaledDotProductAttention"/>), optional qkv bias (Qwen2), optional
/// per-head RMSNorm on q and k before RoPE (Qwen3). Parameter names are Hugging Face's. The rows of q_proj and k_proj (and
/// q_norm's and k_norm's gains) are held with each head's dimensions in RoPE's interleaved order, put there when a checkpoint
/// is read and undone when one is written (<see cref="CheckpointLayout"/>): q·k, all attention reads, is unchanged, and the
/// rotation becomes one complex multiplication (see <see cref="RotaryEmbedding"/>).
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
    readonly LoraAdapter?[] _lora = new LoraAdapter?[Projections.Length]; // q, k, v, o; set by LoraAdapters.Attach

    /// <summary>The linear layers' Hugging Face names, in the order of <see cref="LinearAt(int)"/>.</summary>
    internal static readonly string[] Projections = ["q_proj", "k_proj", "v_proj", "o_proj"];

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

    /// <summary>attn(x) = o_proj(softmax(q·kᵀ/√D + mask)·v), to be added to the residual stream.</summary>
    /// <param name="x">[B, T, H], the block's RMSNorm output.</param>
    /// <param name="rope">the rotations of this forward's positions.</param>
    /// <param name="mask">additive [B, 1, T, T_k], or null for causal attention (see <see cref="ScaledDotProductAttention.Compute"/>).</param>
    /// <param name="cache">KV cache to append this step's keys and values to and read the past ones from.</param>
    public Projection Forward(Normed x, RotaryTables rope, Tensor? mask, KvCache? cache)
    {
        long b = x.Values.shape[0], t = x.Values.shape[1];
        var q = x.Linear(_qProj, Adapter(0)).view(b, t, _heads, _headDim);   // [B, T, nh, D]
        var k = x.Linear(_kProj, Adapter(1)).view(b, t, _kvHeads, _headDim); // [B, T, nkv, D]
        var v = x.Linear(_vProj, Adapter(2)).view(b, t, _kvHeads, _headDim); // [B, T, nkv, D]
        if (_qNorm is not null)
        {
            q = _qNorm.forward(q);
            k = _kNorm!.forward(k);
        }
        q = rope.Apply(q.transpose(1, 2));                           // [B, nh, T, D]
        k = rope.Apply(k.transpose(1, 2));                           // [B, nkv, T, D]
        v = v.transpose(1, 2);                                       // [B, nkv, T, D]
        if (cache is not null) (k, v) = cache.Append(_layer, k, v);  // [B, nkv, T_k, D]
        var o = ScaledDotProductAttention.Compute(q, k, v, mask);    // [B, T, nh, D]
        return new Projection(o.reshape(b, t, _heads * _headDim), _oProj, Adapter(3));
    }

    /// <summary>Qwen3's per-head RMSNorms on q and k (both or neither).</summary>
    internal (RmsNorm Q, RmsNorm K)? QkNorms => _qNorm is null ? null : (_qNorm, _kNorm!);

    /// <summary>This block's index, its slot in a <see cref="KvCache"/>.</summary>
    internal int Layer => _layer;

    /// <summary>Whether any of q, k, v, o has an active LoRA adapter.</summary>
    internal bool HasActiveAdapter => _lora.Any(a => a is { Active: true });

    /// <summary>The linear layer <see cref="Projections"/>[<paramref name="i"/>].</summary>
    internal Linear LinearAt(int i) => i switch { 0 => _qProj, 1 => _kProj, 2 => _vProj, 3 => _oProj, _ => throw new ArgumentOutOfRangeException(nameof(i)) };

    /// <summary>Attaches (or, with null, removes) the LoRA adapter of linear layer <paramref name="i"/>.</summary>
    internal void SetAdapter(int i, LoraAdapter? adapter) => _lora[i] = adapter;

    LoraAdapter? Adapter(int i) => _lora[i] is { Active: true } a ? a : null;
}
