using Aha.Data;
using Aha.Environments;
using Aha.Evaluation;
using Aha.Generation;
using Aha.Rewards;
using Aha.Tokenization;

namespace Aha.R1Zero;

/// <summary>
/// The R1-Zero recipe's measurements on held-out problems: the full evaluation before and after RL (greedy and sampled
/// pass@1, pass@k, maj@k, strict format, lengths, reflection) and the greedy held-out curve logged during RL. With
/// tools, evaluation runs whole episodes: a completion is the trajectory, tool responses included.
/// </summary>
public sealed class R1ZeroEvaluation
{
    readonly IRolloutEngine _engine;
    readonly ITokenizer _tokenizer;
    readonly IRewardFunction _correctness;
    readonly FormatReward _format = new();
    readonly EvaluationOptions _options;
    readonly bool _tools;

    /// <param name="engine">The policy's rollout engine (single turn).</param>
    /// <param name="environment">The task's tools, or null.</param>
    /// <param name="options">K, temperature, length, batch size and sampling seed of the full evaluation.</param>
    public R1ZeroEvaluation(IRolloutEngine engine, ITokenizer tokenizer, IRewardFunction correctness, MultiTurnEnvironment? environment, EvaluationOptions options)
    {
        _engine = environment is null ? engine : new EnvironmentRolloutEngine(
            new MultiTurnRollout(engine, tokenizer, environment.Environments, environment.Format, environment.Options), tokenizer);
        _tokenizer = tokenizer;
        _correctness = correctness;
        _options = options;
        _tools = environment is not null;
    }

    /// <summary>The full evaluation on <paramref name="problems"/>.</summary>
    public EvaluationReport Run(IReadOnlyList<PromptItem> problems) => Run(problems, _options.K, _options.Seed);

    /// <summary>
    /// The same evaluation with <paramref name="k"/> samples per problem drawn from <paramref name="seed"/>, ranked for
    /// best-of-N by <paramref name="scorer"/> (null: the verifier): the compute-scaling table's input, and the base
    /// model's scored samples a reward model learns from.
    /// </summary>
    public EvaluationReport Run(IReadOnlyList<PromptItem> problems, int k, long seed, ISampleScorer? scorer = null) =>
        new Evaluator(_engine, _tokenizer, _correctness, text => _format.Check(text).Ok, scorer: scorer).Run(problems, _options with { K = k, Seed = seed });

    /// <summary>Greedy accuracy, strict format rate and mean length on <paramref name="subset"/> (and the tool-call rate with tools): the held-out curve.</summary>
    public IReadOnlyDictionary<string, double> Heldout(IReadOnlyList<PromptItem> subset)
    {
        var completions = _engine.Generate(subset.Select(p => _tokenizer.Encode(p.Prompt)).ToList(), new SamplingParams
        {
            Temperature = 0, MaxNewTokens = _options.MaxNewTokens, StopTokenIds = _tokenizer.EosTokenId is int eos ? [eos] : [],
        });
        int correct = 0, formatted = 0, calls = 0;
        long length = 0;
        for (int i = 0; i < subset.Count; i++)
        {
            var text = _tokenizer.Decode(completions[i].TokenIds, skipSpecialTokens: true);
            var item = subset[i];
            if (_correctness.Score(new RewardSample(item.Prompt, text, item.Answer, item.Metadata)).Value >= 1) correct++;
            if (_format.Check(text).Ok) formatted++;
            if (text.Contains(Tools.ToolCallParser.Open, StringComparison.Ordinal)) calls++;
            length += completions[i].TokenIds.Length;
        }
        var result = new Dictionary<string, double>
        {
            ["heldout/accuracy"] = (double)correct / subset.Count,
            ["heldout/format_rate"] = (double)formatted / subset.Count,
            ["heldout/completion_len"] = (double)length / subset.Count,
        };
        if (_tools) result["heldout/tool_call_rate"] = (double)calls / subset.Count;
        return result;
    }

    /// <summary>Share of the evaluation's sampled completions that verify or backtrack (<see cref="ReflectionDetector"/>).</summary>
    public static double ReflectionRate(EvaluationReport r) =>
        r.Problems.SelectMany(p => p.SampledCompletions).Select(c => ReflectionDetector.Reflects(c.Text) ? 1.0 : 0.0).DefaultIfEmpty().Average();

    /// <summary>Share of the evaluation's sampled completions that self-correct.</summary>
    public static double BacktrackRate(EvaluationReport r) =>
        r.Problems.SelectMany(p => p.SampledCompletions).Select(c => ReflectionDetector.Backtracks(c.Text) ? 1.0 : 0.0).DefaultIfEmpty().Average();

    /// <summary>Share of held-out greedy completions that call a tool.</summary>
    public static double ToolCallRate(EvaluationReport report) =>
        report.Problems.Count(p => p.GreedyCompletion.Contains(Tools.ToolCallParser.Open, StringComparison.Ordinal)) / (double)Math.Max(1, report.Problems.Count);
}
