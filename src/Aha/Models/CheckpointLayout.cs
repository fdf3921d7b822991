using static TorchSharp.torch;

namespace Aha.Models;

/// <summary>
/// Where a model holds a parameter in another layout than its Hugging Face checkpoint tensor, and the conversion both
/// ways: the one place a layout choice made for speed meets the checkpoint format. Today: q_proj's and k_proj's rows (and
/// biases) and q_norm's and k_norm's gains have each head's dimensions in RoPE's interleaved order,
/// <see cref="RotaryEmbedding.InterleavedRows"/>. Conversions are row permutations, so save → load is bit-exact.
/// </summary>
public sealed class CheckpointLayout
{
    readonly (string Suffix, long[] Rows, long[] Inverse)[] _permuted;

    public CheckpointLayout(ModelConfig c)
    {
        var q = RotaryEmbedding.InterleavedRows(c.NumHeads, c.HeadDim);
        var k = RotaryEmbedding.InterleavedRows(c.NumKvHeads, c.HeadDim);
        var headDims = RotaryEmbedding.InterleavedRows(1, c.HeadDim);
        _permuted =
        [
            ("self_attn.q_proj.weight", q, Invert(q)), ("self_attn.q_proj.bias", q, Invert(q)),
            ("self_attn.k_proj.weight", k, Invert(k)), ("self_attn.k_proj.bias", k, Invert(k)),
            ("self_attn.q_norm.weight", headDims, Invert(headDims)), ("self_attn.k_norm.weight", headDims, Invert(headDims)),
        ];
    }

    /// <summary>The layout of <paramref name="module"/>'s parameters, or null where they are the checkpoint's.</summary>
    public static CheckpointLayout? Of(nn.Module module) => module switch
    {
        CausalLM m => m.Backbone.Layout,
        ScalarHeadModel m => m.Backbone.Layout,
        DecoderModel m => m.Layout,
        _ => null,
    };

    /// <summary>A checkpoint tensor named <paramref name="name"/> → the same values in the model's layout.</summary>
    public Tensor FromCheckpoint(string name, Tensor tensor) => Permute(name, tensor, inverse: false);

    /// <summary>A model parameter named <paramref name="name"/> → the same values in the checkpoint's layout.</summary>
    public Tensor ToCheckpoint(string name, Tensor tensor) => Permute(name, tensor, inverse: true);

    Tensor Permute(string name, Tensor tensor, bool inverse)
    {
        foreach (var (suffix, rows, back) in _permuted)
            if (name.EndsWith(suffix, StringComparison.Ordinal))
                return tensor.index_select(0, torch.tensor(inverse ? back : rows, device: tensor.device));
        return tensor;
    }

    static long[] Invert(long[] rows)
    {
        var inverse = new long[rows.Length];
        for (int i = 0; i < rows.Length; i++) inverse[rows[i]] = i;
        return inverse;
    }
}
