using Aha.Configuration;
using System.Diagnostics;
using System.Text;
using Aha.Data;
using Aha.Generation;
using Aha.IO;
using Aha.Rewards;
using Aha.Tokenization;
using Aha.Tracking;

namespace Aha.Training.Offline;

/// <summary>What a rejection-sampling run produced.</summary>
/// <param name="Prompts">Prompts sampled.</param>
/// <param name="Samples">Completions sampled (prompts × N).</param>
/// <param name="Accepted">Completions whose reward passed <see cref="RejectionSamplingConfig.MinReward"/> (and were not truncated, unless kept).</param>
/// <param name="Written">Lines written after de-duplication, best-of-N selection and the per-prompt cap.</param>
/// <param name="PromptsWithAccepted">Prompts with at least one written completion.</param>
/// <param name="MeanReward">Mean total reward over all samples.</param>
public sealed record RejectionSamplingResult(int Prompts, int Samples, int Accepted, int Written, int PromptsWithAccepted, double MeanReward, string OutputPath)
{
    public double AcceptedFraction => Samples == 0 ? 0 : (double)Accepted / Samples;
}

/// <summary>
/// Samples N completions per prompt through an <see cref="IRolloutEngine"/>, scores them with a
/// <see cref="RewardScorer"/> (a verifier, or a reward model wrapped as a reward), keeps the accepted ones and writes
/// an SFT JSONL that <see cref="SftDataReader"/> reads back (DeepSeek-R1 stage 3, arXiv:2501.12948). The file is
/// written atomically: a failed run leaves no partial file. Rewards see the completion without its stop token and
/// without special tokens; the same text is written, so the SFT trainer's EOS / &lt;|im_end|&gt; restores the ending.
/// Each generation batch is reported as one observer step (reward, accepted_frac, written, completions/mean_length,
/// completions/clipped_ratio, perf/samples_per_s) with its samples.
/// </summary>
public sealed class RejectionSampler
{
    readonly IRolloutEngine _engine;
    readonly ITokenizer _tokenizer;
    readonly RewardScorer _scorer;
    readonly ITrainingObserver _observer;
    readonly ChatTemplate _template;
    readonly int[] _stopIds;

    public RejectionSampler(IRolloutEngine engine, ITokenizer tokenizer, RewardScorer scorer, RejectionSamplingConfig config,
        ITrainingObserver? observer = null, ChatTemplate? template = null)
    {
        _engine = engine ?? throw new ArgumentNullException(nameof(engine));
        _tokenizer = tokenizer ?? throw new ArgumentNullException(nameof(tokenizer));
        _scorer = scorer ?? throw new ArgumentNullException(nameof(scorer));
        Config = (config ?? throw new ArgumentNullException(nameof(config))).Validate();
        _observer = observer ?? NullTrainingObserver.Instance;
        _template = template ?? ChatTemplate.For(tokenizer);
        _stopIds = new[] { tokenizer.EosTokenId, tokenizer.TokenToId(ChatTemplate.ImEnd) }.OfType<int>().Distinct().ToArray();
    }

    public RejectionSamplingConfig Config { get; }

    /// <summary>The exact prompt text fed to the model for <paramref name="item"/>.</summary>
    public string PromptText(PromptItem item) =>
        Config.ChatFormat ? _template.Render([ChatMessage.User(item.Prompt)], addGenerationPrompt: true) : item.Prompt;

    /// <summary>Samples, filters and writes <paramref name="outputPath"/>; returns the counts.</summary>
    public RejectionSamplingResult Run(IEnumerable<PromptItem> prompts, string outputPath, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(prompts);
        ArgumentException.ThrowIfNullOrWhiteSpace(outputPath);
        int promptCount = 0, samples = 0, accepted = 0, written = 0, promptsWithAny = 0;
        double rewardSum = 0;
        AtomicFile.Write(outputPath, stream =>
        {
            using var writer = new StreamWriter(stream, new UTF8Encoding(false), leaveOpen: true);
            int batchIndex = 0;
            foreach (var batch in prompts.Chunk(Config.PromptsPerBatch))
            {
                cancellationToken.ThrowIfCancellationRequested();
                var sw = Stopwatch.StartNew();
                var outcome = SampleBatch(batch, batchIndex);
                int batchWritten = 0, batchAccepted = 0;
                foreach (var (item, kept, acc) in outcome.PerPrompt)
                {
                    batchAccepted += acc;
                    if (kept.Count > 0) promptsWithAny++;
                    foreach (var (example, reward) in kept)
                    {
                        writer.WriteLine(SftJsonl.ToLine(example, new Dictionary<string, double> { ["reward"] = reward }));
                        batchWritten++;
                    }
                }
                promptCount += batch.Length;
                samples += outcome.Records.Count;
                accepted += batchAccepted;
                written += batchWritten;
                rewardSum += outcome.Records.Sum(r => r.Reward);
                batchIndex++;
                _observer.OnSamples(batchIndex, outcome.Records);
                _observer.OnStep(batchIndex, new Dictionary<string, double>
                {
                    [MetricNames.RewardMean] = outcome.Records.Average(r => r.Reward),
                    ["accepted_frac"] = (double)batchAccepted / outcome.Records.Count,
                    ["written"] = batchWritten,
                    [MetricNames.CompletionLenMean] = outcome.Records.Average(r => r.Length),
                    [MetricNames.TruncatedFrac] = outcome.Records.Count(r => r.FinishReason == nameof(FinishReason.Length)) / (double)outcome.Records.Count,
                    [MetricNames.SamplesPerS] = outcome.Records.Count / Math.Max(sw.Elapsed.TotalSeconds, 1e-9),
                });
            }
        });
        var result = new RejectionSamplingResult(promptCount, samples, accepted, written, promptsWithAny,
            samples == 0 ? 0 : rewardSum / samples, outputPath);
        _observer.OnMessage(TrainingMessageLevel.Info,
            $"Rejection sampling: {promptCount} prompts × {Config.SamplesPerPrompt} = {samples} samples, {accepted} accepted ({result.AcceptedFraction:P1}), " +
            $"{written} written for {promptsWithAny} prompts → {outputPath}");
        if (written == 0)
            _observer.OnMessage(TrainingMessageLevel.Warning, $"Rejection sampling accepted nothing: {outputPath} is empty (MinReward = {Config.MinReward?.ToString() ?? "none"}).");
        return result;
    }

    sealed record BatchOutcome(List<(PromptItem Item, List<(SftExample Example, double Reward)> Kept, int Accepted)> PerPrompt, List<SampleRecord> Records);

    BatchOutcome SampleBatch(PromptItem[] items, int batchIndex)
    {
        int n = Config.SamplesPerPrompt;
        var promptTexts = items.Select(PromptText).ToArray();
        var promptIds = promptTexts.Select(t => (IReadOnlyList<int>)_tokenizer.Encode(t)).ToArray();
        var rows = new List<IReadOnlyList<int>>(items.Length * n);
        foreach (var ids in promptIds) for (int k = 0; k < n; k++) rows.Add(ids);
        var completions = _engine.Generate(rows, new SamplingParams
        {
            MaxNewTokens = Config.MaxNewTokens, Temperature = Config.Temperature, TopP = Config.TopP, TopK = Config.TopK,
            StopTokenIds = _stopIds, Seed = Config.Seed + batchIndex,
        });
        if (completions.Count != rows.Count)
            throw new InvalidOperationException($"The rollout engine returned {completions.Count} completions for {rows.Count} prompts.");

        var texts = completions.Select(c => _tokenizer.Decode(WithoutStop(c), skipSpecialTokens: true)).ToArray();
        var rewardSamples = completions.Select((c, i) =>
        {
            var item = items[i / n];
            return new RewardSample(item.Prompt, texts[i], item.Answer, item.Metadata, c.TokenIds.Length);
        }).ToList();
        var scored = _scorer.ScoreBatch(rewardSamples).Samples;

        var perPrompt = new List<(PromptItem, List<(SftExample, double)>, int)>(items.Length);
        var records = new List<SampleRecord>(rows.Count);
        for (int p = 0; p < items.Length; p++)
        {
            var candidates = new List<(int Index, double Reward)>();
            for (int k = 0; k < n; k++)
            {
                int i = p * n + k;
                double reward = scored[i].Total;
                records.Add(new SampleRecord(promptTexts[p], texts[i], items[p].Answer, reward,
                    scored[i].Components.Where(c => c.Value.HasValue).ToDictionary(c => c.Name, c => c.Value!.Value), 0.0,
                    completions[i].TokenIds.Length, completions[i].FinishReason.ToString()));
                // A blank completion cannot be written (the SFT reader rejects an empty completion).
                bool passes = (Config.MinReward is not double min || reward >= min) && (Config.KeepTruncated || !completions[i].Truncated)
                              && !string.IsNullOrWhiteSpace(texts[i]);
                if (passes) candidates.Add((i, reward));
            }
            int acceptedCount = candidates.Count;
            if (Config.Deduplicate)
                candidates = candidates.GroupBy(c => texts[c.Index]).Select(g => g.First()).ToList();
            if (Config.Selection == RejectionSelection.BestOfN)
                candidates = candidates.Count == 0 ? [] : [candidates.OrderByDescending(c => c.Reward).ThenBy(c => c.Index).First()];
            else if (Config.MaxPerPrompt > 0)
                candidates = candidates.Take(Config.MaxPerPrompt).ToList();
            var kept = candidates.Select(c => (Example(items[p], promptTexts[p], texts[c.Index], c.Index % n), c.Reward)).ToList();
            perPrompt.Add((items[p], kept, acceptedCount));
        }
        return new BatchOutcome(perPrompt, records);
    }

    SftExample Example(PromptItem item, string promptText, string completion, int k) =>
        Config.ChatFormat
            ? SftExample.Chat($"{item.Id}#{k}", [ChatMessage.User(item.Prompt), ChatMessage.Assistant(completion)])
            : SftExample.Text($"{item.Id}#{k}", promptText, completion);

    IEnumerable<int> WithoutStop(Completion c) =>
        c.FinishReason == FinishReason.Eos && c.TokenIds.Length > 0 && _stopIds.Contains(c.TokenIds[^1]) ? c.TokenIds[..^1] : c.TokenIds;
}
