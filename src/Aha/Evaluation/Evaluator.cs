using Aha.Data;
using Aha.Generation;
using Aha.Rewards;
using Aha.Tokenization;

namespace Aha.Evaluation;

/// <summary>How an evaluation samples. K samples per problem at <see cref="Temperature"/>, plus one greedy completion.</summary>
public sealed record EvaluationOptions
{
    /// <summary>Samples per problem for sampled pass@1, pass@k and maj@k. The default value is 8.</summary>
    public int K { get; init; } = 8;
    /// <summary>The default value is 1.0.</summary>
    public double Temperature { get; init; } = 1.0;
    public double TopP { get; init; } = 1.0;
    /// <summary>The default value is 256.</summary>
    public int MaxNewTokens { get; init; } = 256;
    /// <summary>Sequences generated together. The default value is 64.</summary>
    public int BatchSize { get; init; } = 64;
    public long Seed { get; init; }
}

/// <summary>One problem's outcome.</summary>
public sealed record ProblemResult(
    string Id, string Prompt, string? Answer,
    string GreedyCompletion, string? GreedyExtracted, bool GreedyCorrect, bool GreedyFormatOk, int GreedyLength,
    int SampledCorrect, int Samples, string? MajorityAnswer, bool MajorityCorrect)
{
    /// <summary>The K sampled completions (text, extracted answer, verdict), in sampling order.</summary>
    public IReadOnlyList<SampledCompletion> SampledCompletions { get; init; } = [];
}

/// <summary>One sampled completion of a problem and its verdict.</summary>
public sealed record SampledCompletion(string Text, string? Answer, bool Correct, int Length)
{
    /// <summary>The best-of-N scorer's score (<see cref="EvaluationReport.Scorer"/>); null when it gave none.</summary>
    public double? Score { get; init; }
}

/// <summary>
/// Aggregate figures: greedy pass@1, sampled pass@1 (mean over the K samples), pass@K, maj@K (self-consistency,
/// Wang et al. 2022, arXiv:2203.11171), format rate and mean length of the greedy completions; best-of-K by
/// <see cref="Scorer"/> and the compute-scaling table (<see cref="ComputeScaling"/>).
/// </summary>
public sealed record EvaluationReport(
    int ProblemCount, int K, double GreedyPass1, double SampledPass1, double PassAtK, double MajAtK,
    double FormatRate, double MeanCompletionLength, double SampledFormatRate, double SampledMeanLength,
    IReadOnlyList<ProblemResult> Problems)
{
    /// <summary>What scored the samples for best-of-N (<see cref="ISampleScorer.Name"/>).</summary>
    public string Scorer { get; init; } = "";

    /// <summary>Accuracy when the highest-scored of the K samples is the answer.</summary>
    public double? BestOfK { get; init; }

    /// <summary>Share of (right, wrong) sample pairs of one problem that <see cref="Scorer"/> ranks right (<see cref="ComputeScaling.PairAccuracy"/>); null without such pairs.</summary>
    public double? ScorerPairAccuracy { get; init; }

    /// <summary>pass@N, maj@N and best-of-N for N = 1, 2, 4, … ≤ K, from the same K samples per problem.</summary>
    public IReadOnlyList<ScalingPoint> Scaling { get; init; } = [];
}

/// <summary>Measures a policy on problems with verifiable answers.</summary>
public sealed class Evaluator
{
    readonly IRolloutEngine _engine;
    readonly ITokenizer _tokenizer;
    readonly IRewardFunction _correctness;
    readonly Func<string, bool> _formatOk;
    readonly Func<PromptItem, IReadOnlyList<int>> _encode;
    readonly ISampleScorer _scorer;

    /// <param name="correctness">A completion counts as correct when this reward scores ≥ 1 (e.g. math or countdown).</param>
    /// <param name="formatOk">Whether a completion has the expected format (e.g. <see cref="FormatReward.Check"/>).</param>
    /// <param name="encode">Prompt → token ids (apply a chat template here if the model needs one); default: encode the raw prompt.</param>
    /// <param name="scorer">Scores the samples for best-of-N; default: the verifier (<paramref name="correctness"/>'s value).</param>
    public Evaluator(IRolloutEngine engine, ITokenizer tokenizer, IRewardFunction correctness, Func<string, bool> formatOk,
        Func<PromptItem, IReadOnlyList<int>>? encode = null, ISampleScorer? scorer = null)
    {
        _scorer = scorer ?? new RewardFunctionScorer(correctness, VerifierScorer);
        _engine = engine;
        _tokenizer = tokenizer;
        _correctness = correctness;
        _formatOk = formatOk;
        _encode = encode ?? (item => tokenizer.Encode(item.Prompt));
    }

    /// <summary>The name of the default best-of-N scorer, the task's verifier.</summary>
    public const string VerifierScorer = "verifier";

    public EvaluationReport Run(IReadOnlyList<PromptItem> problems, EvaluationOptions options)
    {
        if (problems.Count == 0) throw new ArgumentException("No problems to evaluate.", nameof(problems));
        if (options.K < 1) throw new ArgumentException($"K must be ≥ 1 (got {options.K}).", nameof(options));
        var prompts = problems.Select(_encode).ToList();
        var stop = _tokenizer.EosTokenId is int eos ? new[] { eos } : [];
        var greedy = Generate(prompts, new SamplingParams { Temperature = 0, MaxNewTokens = options.MaxNewTokens, StopTokenIds = stop }, options.BatchSize);
        var repeated = prompts.SelectMany(p => Enumerable.Repeat(p, options.K)).ToList();
        var sampled = Generate(repeated, new SamplingParams
        {
            Temperature = options.Temperature, TopP = options.TopP, MaxNewTokens = options.MaxNewTokens, StopTokenIds = stop, Seed = options.Seed,
        }, options.BatchSize);

        var results = new List<ProblemResult>(problems.Count);
        int sampledFormatOk = 0;
        long sampledLength = 0;
        for (int i = 0; i < problems.Count; i++)
        {
            var item = problems[i];
            var greedyText = Decode(greedy[i]);
            var (greedyCorrect, greedyAnswer) = Verify(item, greedyText, greedy[i].TokenIds.Length);
            var samples = sampled.Skip(i * options.K).Take(options.K).ToList();
            var texts = samples.Select(Decode).ToList();
            var verdicts = samples.Select((c, j) =>
            {
                if (_formatOk(texts[j])) sampledFormatOk++;
                sampledLength += c.TokenIds.Length;
                return Verify(item, texts[j], c.TokenIds.Length);
            }).ToList();
            var majority = PassAtK.MajorityAnswer(verdicts.Select(v => v.Answer));
            var completions = verdicts.Select((v, j) => new SampledCompletion(texts[j], v.Answer, v.Correct, samples[j].TokenIds.Length)).ToList();
            var scores = _scorer.Score(item, completions);
            if (scores.Count != completions.Count)
                throw new InvalidOperationException($"Scorer '{_scorer.Name}' gave {scores.Count} scores for {completions.Count} completions.");
            results.Add(new ProblemResult(item.Id, item.Prompt, item.Answer, greedyText, greedyAnswer, greedyCorrect, _formatOk(greedyText),
                greedy[i].TokenIds.Length, verdicts.Count(v => v.Correct), options.K, majority, PassAtK.MajorityCorrect(verdicts.Select(v => (v.Answer, v.Correct)).ToList()))
            {
                SampledCompletions = completions.Select((c, j) => c with { Score = double.IsNaN(scores[j]) ? null : scores[j] }).ToList(),
            });
        }
        int n = results.Count, totalSamples = n * options.K;
        var scored = results.Select(r => (IReadOnlyList<ScoredSample>)r.SampledCompletions
            .Select(c => new ScoredSample(c.Answer, c.Correct, c.Score ?? double.NaN)).ToList()).ToList();
        var scaling = ComputeScaling.Table(scored);
        return new EvaluationReport(
            n, options.K,
            GreedyPass1: results.Average(r => r.GreedyCorrect ? 1.0 : 0.0),
            SampledPass1: results.Average(r => (double)r.SampledCorrect / r.Samples),
            PassAtK: results.Average(r => PassAtK.Estimate(r.Samples, r.SampledCorrect, options.K)),
            MajAtK: results.Average(r => r.MajorityCorrect ? 1.0 : 0.0),
            FormatRate: results.Average(r => r.GreedyFormatOk ? 1.0 : 0.0),
            MeanCompletionLength: results.Average(r => (double)r.GreedyLength),
            SampledFormatRate: (double)sampledFormatOk / totalSamples,
            SampledMeanLength: (double)sampledLength / totalSamples,
            Problems: results)
        {
            Scorer = _scorer.Name, BestOfK = scaling[^1].BestOfN, Scaling = scaling, ScorerPairAccuracy = ComputeScaling.PairAccuracy(scored),
        };
    }

    List<Completion> Generate(List<IReadOnlyList<int>> prompts, SamplingParams sampling, int batchSize)
    {
        var all = new List<Completion>(prompts.Count);
        for (int start = 0; start < prompts.Count; start += batchSize)
        {
            var chunk = prompts.GetRange(start, Math.Min(batchSize, prompts.Count - start));
            all.AddRange(_engine.Generate(chunk, sampling with { Seed = sampling.Seed + start }));
        }
        return all;
    }

    string Decode(Completion c) => _tokenizer.Decode(c.TokenIds, skipSpecialTokens: true);

    (bool Correct, string? Answer) Verify(PromptItem item, string completion, int tokens)
    {
        var score = _correctness.Score(new RewardSample(item.Prompt, completion, item.Answer, item.Metadata, tokens));
        return (score.Value >= 1.0, score.ExtractedAnswer);
    }
}
