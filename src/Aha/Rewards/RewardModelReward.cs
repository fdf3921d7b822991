using Aha.Models;
using Aha.Tokenization;
using TorchSharp;
using static TorchSharp.torch;

namespace Aha.Rewards;

/// <summary>
/// A learned reward model as a reward function (the r_φ of PPO-RLHF, InstructGPT arXiv:2203.02155): the sample is
/// tokenised as Encode(prompt) ++ Encode(completion) (++ EOS when <paramref name="appendEos"/>), and the score is the
/// scalar head's value at the last real token (<see cref="ScalarHeadModel.Score"/>), no grad, in eval mode.
/// Tokenise the same way the reward model was trained. The model is not thread-safe and
/// <see cref="RewardScorer"/> scores in parallel, so calls are serialised with a lock; raise the scorer's timeout for
/// large models (calls queue behind each other).
/// </summary>
/// <param name="model">The reward model (not owned; not trained here).</param>
/// <param name="tokenizer">The reward model's tokenizer.</param>
/// <param name="name">Name the reward is logged under. The default value is "reward_model".</param>
/// <param name="appendEos">Append the tokenizer's EOS after the completion (as the completion ended). The default value is false.</param>
/// <param name="maxLength">Keep only the last this-many tokens (0: no limit). The default value is 0.</param>
public sealed class RewardModelReward(ScalarHeadModel model, ITokenizer tokenizer, string name = "reward_model",
    bool appendEos = false, int maxLength = 0) : IRewardFunction
{
    readonly ScalarHeadModel _model = model ?? throw new ArgumentNullException(nameof(model));
    readonly ITokenizer _tokenizer = tokenizer ?? throw new ArgumentNullException(nameof(tokenizer));
    readonly object _gate = new();

    public string Name { get; } = string.IsNullOrWhiteSpace(name) ? throw new ArgumentException("A reward needs a name.", nameof(name)) : name;

    public int MaxLength { get; } = maxLength >= 0 ? maxLength : throw new ArgumentException($"maxLength must be ≥ 0; got {maxLength}.", nameof(maxLength));

    public RewardScore Score(RewardSample sample, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(sample);
        var ids = Tokens(sample);
        if (ids.Count == 0) return RewardScore.NotApplicable("empty prompt and completion");
        lock (_gate)
        {
            cancellationToken.ThrowIfCancellationRequested();
            using var scope = torch.NewDisposeScope();
            using var noGrad = torch.no_grad();
            _model.eval();
            var device = _model.Backbone.EmbeddingWeight.device;
            var input = torch.tensor(ids.Select(i => (long)i).ToArray(), device: device).unsqueeze(0); // [1, T]
            var mask = torch.ones_like(input);                                                          // [1, T]
            double value = _model.Score(input, mask).to_type(ScalarType.Float64).cpu().item<double>();
            return RewardScore.Of(value, null, $"reward model score over {ids.Count} tokens");
        }
    }

    /// <summary>The token ids the model scores.</summary>
    public IReadOnlyList<int> Tokens(RewardSample sample)
    {
        var ids = new List<int>(_tokenizer.Encode(sample.Prompt));
        ids.AddRange(_tokenizer.Encode(sample.Completion));
        if (appendEos && _tokenizer.EosTokenId is int eos) ids.Add(eos);
        return MaxLength > 0 && ids.Count > MaxLength ? ids.GetRange(ids.Count - MaxLength, MaxLength) : ids;
    }
}
