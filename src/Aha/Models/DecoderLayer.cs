using TorchSharp;
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

    /// <summary>x: [B, T, H] → [B, T, H]. See <see cref="Attention.Forward"/> for the other arguments.</summary>
    public Tensor Forward(Tensor x, RotaryTables rope, Tensor? mask, KvCache? cache)
    {
        var h = x + _selfAttn.Forward(_inputLayernorm.Normed(x), rope, mask, cache);
        return h + _mlp.Forward(_postAttentionLayernorm.Normed(h));
    }
}
