using Aha.Data;
using System.Text.Encodings.Web;
using System.Text.Json;
using Aha.Environments;
using Aha.Evaluation;
using Aha.Generation;
using Aha.IO;
using Aha.Models;
using Aha.Rewards;
using Aha.Tokenization;

namespace Aha.Training.Runs;

/// <summary>Runs the <see cref="Evaluator"/> as an <see cref="EvalSection"/> describes and writes its JSON report.</summary>
public static class RunEvaluation
{
    static readonly JsonSerializerOptions Json = new()
    {
        WriteIndented = true, PropertyNamingPolicy = JsonNamingPolicy.SnakeCaseLower, Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping,
    };

    /// <summary>Evaluates <paramref name="policy"/> on (the first <see cref="EvalSection.MaxProblems"/> of) <paramref name="problems"/>.</summary>
    public static EvaluationReport Evaluate(CausalLM policy, ITokenizer tokenizer, IReadOnlyList<PromptItem> problems, EvalSection eval,
        string correctness, BuiltInRewardOptions rewardOptions, int defaultMaxNewTokens, long seed, MultiTurnEnvironment? environment = null)
    {
        var items = eval.MaxProblems > 0 ? problems.Take(eval.MaxProblems).ToList() : problems;
        var format = new FormatReward(rewardOptions.FormatBonus);
        using var rewardModel = eval.RewardModel is { } dir ? RewardModelScorer.Load(dir, policy.Backbone.EmbeddingWeight.device) : null;
        IRolloutEngine engine = new LocalRolloutEngine(policy, tokenizer);
        // With tools a completion is the whole episode (tool responses included), as the trainer samples it.
        if (environment is not null)
            engine = new EnvironmentRolloutEngine(new MultiTurnRollout(engine, tokenizer, environment.Environments, environment.Format, environment.Options), tokenizer);
        var evaluator = new Evaluator(engine, tokenizer, BuiltInRewards.Create(correctness, rewardOptions),
            text => format.Check(text).Ok, scorer: rewardModel);
        return evaluator.Run(items, new EvaluationOptions
        {
            K = eval.K, Temperature = eval.Temperature, BatchSize = eval.BatchSize, Seed = seed,
            MaxNewTokens = eval.MaxNewTokens > 0 ? eval.MaxNewTokens : defaultMaxNewTokens,
        });
    }

    /// <summary>The report's headline figures (no per-problem detail).</summary>
    public static IReadOnlyDictionary<string, double> Summary(EvaluationReport r) => new Dictionary<string, double>
    {
        ["problems"] = r.ProblemCount, ["k"] = r.K, ["greedy_pass1"] = r.GreedyPass1, ["sampled_pass1"] = r.SampledPass1,
        ["pass_at_k"] = r.PassAtK, ["maj_at_k"] = r.MajAtK, ["format_rate"] = r.FormatRate,
        ["mean_completion_length"] = r.MeanCompletionLength, ["sampled_format_rate"] = r.SampledFormatRate,
        ["sampled_mean_length"] = r.SampledMeanLength, ["best_of_k"] = r.BestOfK ?? double.NaN,
    };

    /// <summary>The summary with the scorer's name and the compute-scaling table, as one JSON object.</summary>
    public static string SummaryJson(EvaluationReport r) => JsonSerializer.Serialize(new Dictionary<string, object>(
        Summary(r).Where(kv => !double.IsNaN(kv.Value)).ToDictionary(kv => kv.Key, kv => (object)kv.Value))
    {
        ["best_of_k_scorer"] = r.Scorer,
        ["scaling"] = r.Scaling.Select(p => new Dictionary<string, double> { ["n"] = p.N, ["pass_at_n"] = p.PassAtN, ["maj_at_n"] = p.MajAtN, ["best_of_n"] = p.BestOfN }),
    }, Json);

    /// <summary>The whole report (summary and per-problem results) as JSON, snake_case.</summary>
    public static string ReportJson(EvaluationReport r) => JsonSerializer.Serialize(r, Json);

    /// <summary>Writes <see cref="ReportJson"/> to <paramref name="path"/> atomically.</summary>
    public static void Write(string path, EvaluationReport r) => AtomicFile.WriteText(path, ReportJson(r));
}
