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

    /// <summary>
    /// Sequence scores of whole token lists, in one no-grad forward: each row right-padded with <paramref name="padId"/>
    /// and read at its last real token (<see cref="Score"/>). How a trained reward model ranks texts.
    /// </summary>
    public double[] ScoreSequences(IReadOnlyList<IReadOnlyList<int>> sequences, int padId)
    {
        ArgumentNullException.ThrowIfNull(sequences);
        if (sequences.Count == 0) return [];
        if (sequences.Any(s => s.Count == 0)) throw new ArgumentException("Every sequence needs at least one token.", nameof(sequences));
        int t = sequences.Max(s => s.Count);
        var ids = new long[sequences.Count * t];
        var mask = new long[ids.Length];
        Array.Fill(ids, padId);
        for (int b = 0; b < sequences.Count; b++)
            for (int i = 0; i < sequences[b].Count; i++)
            {
                ids[b * t + i] = sequences[b][i];
                mask[b * t + i] = 1;
            }
        using var scope = torch.NewDisposeScope();
        using var noGrad = torch.no_grad();
        var device = _model.EmbeddingWeight.device;
        var shape = new long[] { sequences.Count, t };
        return Score(torch.tensor(ids, shape, device: device), torch.tensor(mask, shape, device: device))
            .to_type(ScalarType.Float64).cpu().data<double>().ToArray();                     // [B]
    }
}
