using Aha.Models.Lora;
using TorchSharp;
using TorchSharp.Modules;
using TorchSharp.Utils;
using static TorchSharp.torch;

namespace Aha.Models;

/// <summary>
/// The decoder backbone (HF's <c>model.*</c>): token embedding, N pre-norm blocks, final RMSNorm.
/// Returns the final hidden states; heads (LM, scalar) sit on top.
/// </summary>
public sealed class DecoderModel : nn.Module
{
    [ComponentName(Name = "embed_tokens")] readonly TokenEmbedding _embedTokens;
    [ComponentName(Name = "layers")] readonly ModuleList<DecoderLayer> _layers;
    [ComponentName(Name = "norm")] readonly RmsNorm _norm;
    readonly RotaryEmbedding _rope;

    public DecoderModel(ModelConfig c, Device? device, ScalarType dtype) : base("DecoderModel")
    {
        Config = c;
        _embedTokens = new TokenEmbedding(c.VocabSize, c.HiddenSize, device, dtype);
        _layers = new ModuleList<DecoderLayer>(Enumerable.Range(0, c.NumLayers).Select(i => new DecoderLayer(c, i, device, dtype)).ToArray());
        _norm = new RmsNorm(c.HiddenSize, c.RmsNormEps, device, dtype);
        _rope = new RotaryEmbedding(c.HeadDim, c.RopeTheta, c.RopeScaling);
        Layout = new CheckpointLayout(c);
        RegisterComponents();
    }

    public ModelConfig Config { get; }

    /// <summary>How the parameters' layout differs from the checkpoint's (see <see cref="CheckpointLayout"/>).</summary>
    public CheckpointLayout Layout { get; }

    public Parameter EmbeddingWeight => _embedTokens.Weight;

    /// <summary>The LoRA adapters attached to the blocks (<see cref="LoraAdapters.Attach"/>), or null.</summary>
    public LoraAdapters? Lora { get; internal set; }

    /// <summary>Block <paramref name="i"/> (<c>model.layers.i</c>).</summary>
    internal DecoderLayer Block(int i) => _layers[i];

    /// <param name="inputIds">[B, T] int64.</param>
    /// <param name="attentionMask">[B, T_past + T], 1 for real tokens and 0 for padding; null means no padding.</param>
    /// <param name="positionIds">[B, T]; default: count of real tokens before each one (HF generate's convention).</param>
    /// <param name="cache">KV cache to read past keys from and append to; advanced by T.</param>
    /// <param name="segmentIds">
    /// [B, T] int64 for packed rows (see <c>Training.PackedRows</c>): each token attends only to earlier tokens of its own
    /// sequence (numbered 1, 2, … within a row; 0 is padding). Needs <paramref name="positionIds"/> restarting per
    /// sequence; not with <paramref name="attentionMask"/> or <paramref name="cache"/>.
    /// </param>
    /// <returns>[B, T, H] final hidden states.</returns>
    public Tensor Forward(Tensor inputIds, Tensor? attentionMask = null, Tensor? positionIds = null, KvCache? cache = null, Tensor? segmentIds = null)
    {
        long t = inputIds.shape[1];
        int past = cache?.Length ?? 0;
        if (segmentIds is not null && (positionIds is null || attentionMask is not null || cache is not null))
            throw new ArgumentException("Packed rows (segmentIds) need positionIds, and take no attention mask or cache.", nameof(segmentIds));
        positionIds ??= DefaultPositions(inputIds, attentionMask, past);
        var x = _embedTokens.forward(inputIds);                    // [B, T, H]
        var rope = _rope.Tables(positionIds, x.dtype);
        var mask = segmentIds is null
            ? AttentionMasks.Additive(attentionMask, t, past, x.dtype, x.device)
            : AttentionMasks.BlockCausal(segmentIds, x.dtype);      // [B, 1, T, T]
        foreach (var layer in _layers) x = layer.Forward(x, rope, mask, cache);
        cache?.Advance((int)t);
        return _norm.forward(x);
    }

    static Tensor DefaultPositions(Tensor inputIds, Tensor? attentionMask, int past)
    {
        long t = inputIds.shape[1];
        if (attentionMask is null)
            return torch.arange(past, past + t, dtype: ScalarType.Int64, device: inputIds.device).unsqueeze(0).expand(inputIds.shape[0], t);
        var positions = (attentionMask.to_type(ScalarType.Int64).cumsum(1) - 1).clamp_min(0); // [B, T_past + T]
        return positions[.., (int)past..];
    }
}
