using TorchSharp;
using TorchSharp.Modules;
using TorchSharp.Utils;
using static TorchSharp.torch;

namespace Aha.Models;

/// <summary>
/// Decoder + a scalar head <c>score</c> (Linear H→1, no bias), as HF's <c>*ForSequenceClassification</c> /
/// <c>*ForTokenClassification</c> with one label: a reward model reads the value at each sequence's last real token,
/// a PPO critic (value model, as in veRL) reads it at every token.
/// </summary>
public sealed class ScalarHeadModel : nn.Module
{
    [ComponentName(Name = "model")] readonly DecoderModel _model;
    [ComponentName(Name = "score")] readonly Linear _score;

    public ScalarHeadModel(ModelConfig config, Device? device = null, ScalarType dtype = ScalarType.Float32) : base("ScalarHeadModel")
    {
        Config = config;
        _model = new DecoderModel(config, device, dtype);
        _score = nn.Linear(config.HiddenSize, 1, false, device, dtype);
        RegisterComponents();
    }

    public ModelConfig Config { get; }
    public DecoderModel Backbone => _model;

    /// <summary>Per-token values: [B, T] ids → [B, T]; packed rows pass <paramref name="positionIds"/> and
    /// <paramref name="segmentIds"/> instead of a mask (<see cref="DecoderModel.Forward"/>).</summary>
    public Tensor Forward(Tensor inputIds, Tensor? attentionMask = null, Tensor? positionIds = null, Tensor? segmentIds = null)
        => _score.forward(_model.Forward(inputIds, attentionMask, positionIds, segmentIds: segmentIds)).squeeze(-1);

    /// <summary>Sequence scores: value at each row's last real token (mask [B, T] 1/0, right or left padded) → [B].</summary>
    public Tensor Score(Tensor inputIds, Tensor attentionMask)
    {
        var values = Forward(inputIds, attentionMask);                                             // [B, T]
        long t = inputIds.shape[1];
        var positions = torch.arange(t, dtype: ScalarType.Int64, device: inputIds.device);
        var last = (attentionMask.to_type(ScalarType.Int64) * positions).argmax(1, keepdim: true); // [B, 1]
        return values.gather(1, last).squeeze(1);
    }
}
