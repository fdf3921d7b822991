using Aha.Checkpoints;
using Aha.Data;
using Aha.Models;
using Aha.Rewards;
using Aha.Tokenization;
using static TorchSharp.torch;

namespace Aha.Evaluation;

/// <summary>
/// Best-of-N by a trained reward model (an outcome reward model, as <c>aha rm</c> trains it): each completion is
/// scored by the model's scalar head at the last token of prompt ++ completion ++ EOS, the same tokenisation the
/// reward-model trainer and PPO's <c>reward_model</c> use (<see cref="RewardModelReward"/>). Owns the loaded model.
/// </summary>
public sealed class RewardModelScorer : ISampleScorer, IDisposable
{
    /// <summary>The scorer's name in reports.</summary>
    public const string ScorerName = "reward_model";

    readonly ScalarHeadModel _model;
    readonly ITokenizer _tokenizer;

    /// <param name="model">A reward model (owned: disposed with the scorer).</param>
    /// <param name="tokenizer">Its tokenizer.</param>
    public RewardModelScorer(ScalarHeadModel model, ITokenizer tokenizer)
    {
        _model = model ?? throw new ArgumentNullException(nameof(model));
        _tokenizer = tokenizer ?? throw new ArgumentNullException(nameof(tokenizer));
    }

    public string Name => ScorerName;

    /// <summary>The problem's completions scored in one batch.</summary>
    public IReadOnlyList<double> Score(PromptItem problem, IReadOnlyList<SampledCompletion> completions)
    {
        ArgumentNullException.ThrowIfNull(problem);
        ArgumentNullException.ThrowIfNull(completions);
        var prompt = _tokenizer.Encode(problem.Prompt);
        int? eos = _tokenizer.EosTokenId;
        _model.eval();
        return _model.ScoreSequences(completions.Select(c =>
            (IReadOnlyList<int>)[.. prompt, .. _tokenizer.Encode(c.Text), .. (eos is int e ? [e] : Array.Empty<int>())]).ToList(), _tokenizer.PadTokenId);
    }

    /// <summary>
    /// Loads the reward model saved in <paramref name="dir"/> (HF folder: config.json, weights with the trained
    /// <c>score.weight</c> head, tokenizer files).
    /// </summary>
    /// <exception cref="DirectoryNotFoundException">No such folder.</exception>
    /// <exception cref="InvalidDataException">The folder holds no trained scalar head (e.g. a policy), naming it.</exception>
    public static RewardModelScorer Load(string dir, Device? device = null)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(dir);
        if (!Directory.Exists(dir)) throw new DirectoryNotFoundException($"reward model folder '{dir}' not found.");
        if (!File.Exists(Path.Combine(dir, "config.json")))
            throw new InvalidDataException($"{dir}: not a model folder (no config.json); pass the folder aha rm wrote.");
        if (!HfCheckpoint.TensorNames(dir).Contains("score.weight"))
            throw new InvalidDataException($"{dir}: not a reward model: its weights have no 'score.weight' head (a policy folder?); train one with aha rm.");
        var tokenizer = TokenizerLoader.Load(dir);
        var model = HfCheckpoint.LoadScalarHeadModel(dir, device);
        return new RewardModelScorer(model, tokenizer);
    }

    public void Dispose() => _model.Dispose();
}
