using Aha.Native;
using TorchSharp;
using TorchSharp.Modules;
using TorchSharp.Utils;
using static TorchSharp.torch;

namespace Aha.Models;

/// <summary>
/// Decoder + language-model head (HF's <c>*ForCausalLM</c>). With tied embeddings there is no <c>lm_head</c>
/// parameter at all: the head multiplies by <c>model.embed_tokens.weight</c> itself, so the two stay one tensor while training.
/// </summary>
public sealed class CausalLM : nn.Module
{
    [ComponentName(Name = "model")] readonly DecoderModel _model;
    [ComponentName(Name = "lm_head")] readonly Linear? _lmHead;

    public CausalLM(ModelConfig config, Device? device = null, ScalarType dtype = ScalarType.Float32) : base("CausalLM")
    {
        Config = config;
        _model = new DecoderModel(config, device, dtype);
        if (!config.TieWordEmbeddings) _lmHead = nn.Linear(config.HiddenSize, config.VocabSize, false, device, dtype);
        RegisterComponents();
    }

    public ModelConfig Config { get; }
    public DecoderModel Backbone => _model;

    /// <summary>[B, T] ids → [B, T, V] logits. See <see cref="DecoderModel.Forward"/> for the other arguments.</summary>
    public Tensor Forward(Tensor inputIds, Tensor? attentionMask = null, Tensor? positionIds = null, KvCache? cache = null, Tensor? segmentIds = null)
        => Head(_model.Forward(inputIds, attentionMask, positionIds, cache, segmentIds));

    /// <summary>[..., H] hidden → [..., V] logits.</summary>
    public Tensor Head(Tensor hidden) => FewRowsLinear.Linear(hidden, _lmHead?.weight ?? _model.EmbeddingWeight);

    /// <summary>A cache for <paramref name="batch"/> rows of up to <paramref name="capacity"/> positions, on this model's device and dtype.</summary>
    public KvCache NewCache(long batch, int capacity)
    {
        var w = _model.EmbeddingWeight;
        return new KvCache(Config.NumLayers, batch, Config.NumKvHeads, capacity, Config.HeadDim, w.dtype, w.device);
    }
}
