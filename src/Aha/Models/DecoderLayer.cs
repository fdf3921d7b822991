using Aha.Models.Lora;
using Aha.Native;
using TorchSharp;
using TorchSharp.Modules;
using TorchSharp.Utils;
using static TorchSharp.torch;

namespace Aha.Models;

/// <summary>Pre-norm transformer block: h = x + attn(norm1(x)); out = h + mlp(norm2(h)).</summary>
public sealed class DecoderLayer : nn.Module
{
    [ComponentName(Name = "self_attn")] readonly Attention _selfAttn;
    [ComponentName(Name = "mlp")] readonly Mlp _mlp;
    [ComponentName(Name = "input_layernorm")] readonly RmsNorm _inputLayernorm;
    [ComponentName(Name = "post_attention_layernorm")] readonly RmsNorm _postAttentionLayernorm;

    public DecoderLayer(ModelConfig c, int layer, Device? device, ScalarType dtype) : base("DecoderLayer")
    {
        _selfAttn = new Attention(c, layer, device, dtype);
        _mlp = new Mlp(c, device, dtype);
        _inputLayernorm = new RmsNorm(c.HiddenSize, c.RmsNormEps, device, dtype);
        _postAttentionLayernorm = new RmsNorm(c.HiddenSize, c.RmsNormEps, device, dtype);
        RegisterComponents();
    }

    internal Attention SelfAttention => _selfAttn;
    internal Mlp FeedForward => _mlp;
    internal RmsNorm InputNorm => _inputLayernorm;
    internal RmsNorm PostAttentionNorm => _postAttentionLayernorm;

    /// <summary>
    /// x: [B, T, H] → [B, T, H]. See <see cref="Attention.Forward"/> for the other arguments. A decode step of a large
    /// enough float32 or bfloat16 model on the CPU runs as one native call (<see cref="DecodeLayer"/>).
    /// </summary>
    public Tensor Forward(Tensor x, RotaryTables rope, Tensor? mask, KvCache? cache)
    {
        if (DecodeLayer.TryForward(this, x, rope, mask, cache) is { } decoded) return decoded;
        var h = x + _selfAttn.Forward(_inputLayernorm.Normed(x), rope, mask, cache);
        return h + _mlp.Forward(_postAttentionLayernorm.Normed(h));
    }

    /// <summary>The linear layer named <paramref name="name"/> (q_proj … down_proj).</summary>
    internal Linear LinearNamed(string name) => Find(name) is var (attn, i) ? (attn ? _selfAttn.LinearAt(i) : _mlp.LinearAt(i))
        : throw new ArgumentException($"No linear layer '{name}' in a decoder block.", nameof(name));

    /// <summary>The block-relative module path of linear layer <paramref name="name"/>: <c>self_attn.q_proj</c>, <c>mlp.down_proj</c>.</summary>
    internal static string PathOf(string name) => Array.IndexOf(Attention.Projections, name) >= 0 ? $"self_attn.{name}" : $"mlp.{name}";

    /// <summary>Attaches a LoRA adapter to linear layer <paramref name="name"/>.</summary>
    internal void SetAdapter(string name, LoraAdapter adapter)
    {
        var (attn, i) = Find(name) ?? throw new ArgumentException($"No linear layer '{name}' in a decoder block.", nameof(name));
        if (attn) _selfAttn.SetAdapter(i, adapter);
        else _mlp.SetAdapter(i, adapter);
    }

    /// <summary>Removes every LoRA adapter from the block.</summary>
    internal void ClearAdapters()
    {
        for (int i = 0; i < Attention.Projections.Length; i++) _selfAttn.SetAdapter(i, null);
        for (int i = 0; i < Mlp.Projections.Length; i++) _mlp.SetAdapter(i, null);
    }

    static (bool Attention, int Index)? Find(string name)
    {
        int i = Array.IndexOf(Attention.Projections, name);
        if (i >= 0) return (true, i);
        i = Array.IndexOf(Mlp.Projections, name);
        return i >= 0 ? (false, i) : null;
    }
}
