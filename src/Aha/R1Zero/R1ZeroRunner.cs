using System.Diagnostics;
using System.Globalization;
using System.Text.Encodings.Web;
using System.Text.Json;
using Aha.Checkpoints;
using Aha.Data;
using Aha.Environments;
using Aha.Evaluation;
using Aha.Generation;
using Aha.Models;
using Aha.Native;
using Aha.Rewards;
using Aha.Tokenization;
using Aha.Tracking;
using Aha.Training.OnPolicy;

namespace Aha.R1Zero;

/// <summary>
/// Mini DeepSeek-R1-Zero (arXiv:2501.12948) end to end: base model (pretrained on the synthetic corpus, or loaded from a
/// Hugging Face folder) → evaluation on held-out problems → pure RL with correctness + format rewards only (no
/// supervised data with correct answers after pretraining) → the same evaluation → <c>summary.json</c>,
/// <c>metrics.jsonl</c>, <c>completions.jsonl</c>, <c>eval_completions.jsonl</c>, <c>plots/*.png</c>, <c>report.md</c>.
/// </summary>
public static class R1ZeroRunner
{
    /// <summary>File of per-problem evaluation results, one line per (phase, problem).</summary>
    public const string EvalCompletionsFile = "eval_completions.jsonl";

    public static R1ZeroSummary Run(R1ZeroOptions options, TextWriter? console = null)
    {
        var o = (options ?? throw new ArgumentNullException(nameof(options))).Validate();
        var log = console ?? TextWriter.Null;
        var total = Stopwatch.StartNew();
        var device = AhaRuntime.Initialize(new RuntimeOptions { Threads = o.Threads, Seed = o.Seed, Device = o.Device });
        Directory.CreateDirectory(o.OutDir);

        // 1. base model
        CausalLM model;
        ITokenizer tokenizer;
        IReadOnlyList<PromptItem> train, test;
        IRewardFunction correctness;
        string taskName, baseDir;
        CorpusStats? corpusStats = null;
        MultiTurnEnvironment? environment = null;
        PretrainResult pretrain = new(0, 0, double.NaN, []);
        if (o.ModelDir is null)
        {
            var task = R1ZeroTasks.Create(o.Task, o.TrainProblems, o.TestProblems, o.Seed);
            (train, test, correctness, taskName, environment) = (task.Train, task.Test, task.Correctness, task.Name, task.Environment);
            var (corpus, stats) = SyntheticCorpus.Build(train, task.Writer, o.Corpus, o.Seed);
            corpusStats = stats;
            log.WriteLine($"task {task.Name}: {task.Description}; {train.Count} train / {test.Count} held-out problems");
            log.WriteLine($"corpus: {stats.Documents} documents over {stats.DistinctProblems} problems; think {stats.ThinkShare:P0}, direct guesses {stats.DirectShare:P0}, " +
                          $"wrong final answer {stats.WrongAnswerShare:P0}, systematic error in {stats.StepErrorRate:P0} of eligible steps");
            WriteCorpusSample(Path.Combine(o.OutDir, "corpus_sample.txt"), corpus, stats);
            tokenizer = CharTokenizer.Create(Alphabet(corpus.Select(d => d.Prompt + d.Completion).Concat(test.Select(t => t.Prompt)).Append(task.ExtraCharacters), task.AddedTokens),
                addedTokens: [.. CharTokenizer.DefaultAddedTokens, .. task.AddedTokens]);
            var config = new ModelConfig
            {
                Family = ModelFamily.Qwen2, VocabSize = tokenizer.VocabSize, HiddenSize = o.HiddenSize, IntermediateSize = o.IntermediateSize,
                NumLayers = o.Layers, NumHeads = o.Heads, NumKvHeads = o.KvHeads, HeadDim = o.HiddenSize / o.Heads, QkvBias = true,
                TieWordEmbeddings = true, MaxPositionEmbeddings = 256, EosTokenId = tokenizer.EosTokenId,
            }.Validate();
            model = new CausalLM(config, device);
            WeightInit.Initialize(model, config.InitializerRange, o.Seed);
            log.WriteLine($"model: qwen2, {config.ParameterCount():N0} parameters (hidden {o.HiddenSize}, {o.Layers} layers, vocab {tokenizer.VocabSize})");
            pretrain = Pretrainer.Train(model, tokenizer, corpus, o.Pretrain with { Seed = o.Seed },
                (step, loss) => log.WriteLine($"pretrain step {step}/{o.Pretrain.MaxSteps}: loss {loss:F3}"));
            log.WriteLine($"pretraining: {pretrain.Steps} steps in {pretrain.Seconds:F0} s, final loss {pretrain.FinalLoss:F3}");
            baseDir = Path.Combine(o.OutDir, "base_model");
            HfCheckpoint.Save(model, config, baseDir);
            ((CharTokenizer)tokenizer).Save(baseDir);
        }
        else
        {
            tokenizer = TokenizerLoader.Load(o.ModelDir);
            model = HfCheckpoint.LoadCausalLM(o.ModelDir, device);
            var template = o.Template switch { "raw" => PromptTemplate.Raw, "think" => PromptTemplate.ThinkAnswer, _ => PromptTemplate.R1Zero };
            var items = PromptDataReader.Read(o.DataPath!, new PromptReadOptions { Template = template }).ToList();
            if (items.Count < 2) throw new InvalidDataException($"{o.DataPath}: needs at least 2 records (held-out + RL); found {items.Count}.");
            int testCount = Math.Min(o.TestProblems, items.Count / 2);
            (test, train) = (items.Take(testCount).ToList(), items.Skip(testCount).Take(o.TrainProblems).ToList());
            correctness = new MathReward("math");
            taskName = "data:" + Path.GetFileName(o.DataPath!);
            baseDir = o.ModelDir;
            log.WriteLine($"model {o.ModelDir}: {model.Config.ParameterCount():N0} parameters; data {o.DataPath}: {train.Count} RL / {test.Count} held-out problems");
        }
        double pretrainSeconds = pretrain.Seconds;

        // 2. before
        var engine = new LocalRolloutEngine(model, tokenizer);
        // With tools, evaluation runs whole episodes: a completion is the trajectory, tool responses included.
        IRolloutEngine evalEngine = environment is null ? engine : new EnvironmentRolloutEngine(
            new MultiTurnRollout(engine, tokenizer, environment.Environments, environment.Format, environment.Options), tokenizer);
        var strictFormat = new FormatReward();
        var evaluator = new Evaluator(evalEngine, tokenizer, correctness, text => strictFormat.Check(text).Ok);
        var evalOptions = new EvaluationOptions
        {
            K = o.EvalK, Temperature = o.EvalTemperature, MaxNewTokens = o.MaxNewTokens, BatchSize = 128,
            Seed = SeededRandom.Derive(o.Seed, "eval"),
        };
        var before = evaluator.Run(test, evalOptions);
        log.WriteLine($"before RL: greedy pass@1 {before.GreedyPass1:P1}, sampled pass@1 {before.SampledPass1:P1}, maj@{o.EvalK} {before.MajAtK:P1}, " +
                      $"pass@{o.EvalK} {before.PassAtK:P1}, format {before.FormatRate:P1}, length {before.MeanCompletionLength:F1}");

        // 3. pure RL
        var scorer = BuildScorer(o, correctness);
        var rlConfig = new OnPolicyConfig
        {
            Preset = o.Preset, NumGenerations = o.NumGenerations, PromptsPerStep = o.PromptsPerStep, MaxNewTokens = o.MaxNewTokens,
            LearningRate = o.LearningRate, CriticLearningRate = o.LearningRate, Beta = o.Beta, Seed = o.Seed,
            AccuracyReward = correctness.Name, LogSamplesPerStep = 4,
        }.Validate();
        var subset = test.Take(Math.Min(o.HeldoutSubset, test.Count)).ToList();
        var rlClock = Stopwatch.StartNew();
        using (var tracker = new RunTracker(o.OutDir, new RunTrackerOptions
               { TotalSteps = Math.Max(1, o.RlSteps), Console = log, Interactive = false, ShowConsole = console is not null }))
        {
            Func<IReadOnlyDictionary<string, double>> heldout = () => GreedyHeldout(evalEngine, tokenizer, correctness, strictFormat, subset, o.MaxNewTokens, environment is not null);
            if (subset.Count > 0) tracker.OnStep(0, heldout());
            var observer = new HeldoutObserver(tracker, subset.Count > 0 ? heldout : () => new Dictionary<string, double>(), o.HeldoutEvery, o.RlSteps);
            using var critic = rlConfig.ResolveAlgorithm().NeedsCritic
                ? HfCheckpoint.LoadScalarHeadModel(baseDir, device, seed: o.Seed) : null;
            using var trainer = new OnPolicyTrainer(rlConfig, model, tokenizer, scorer, new ShuffledPromptSource(train, o.Seed),
                critic, engine, observer, environment);
            trainer.Train(o.RlSteps);
            tracker.WritePlots();
            PlotWriter.Write(tracker.PlotsDir, tracker.Rows, R1ZeroReport.PlotGroups);
        }
        double rlSeconds = rlClock.Elapsed.TotalSeconds;
        log.WriteLine($"RL: {o.RlSteps} steps of {o.Preset} in {rlSeconds:F0} s");

        // 4. after
        var after = evaluator.Run(test, evalOptions);
        log.WriteLine($"after RL:  greedy pass@1 {after.GreedyPass1:P1}, sampled pass@1 {after.SampledPass1:P1}, maj@{o.EvalK} {after.MajAtK:P1}, " +
                      $"pass@{o.EvalK} {after.PassAtK:P1}, format {after.FormatRate:P1}, length {after.MeanCompletionLength:F1}");
        WriteEvalCompletions(Path.Combine(o.OutDir, EvalCompletionsFile), before, after);

        var summary = new R1ZeroSummary
        {
            Task = taskName, Preset = o.Preset, Control = o.Control, Seed = o.Seed, ModelParameters = model.Config.ParameterCount(),
            EvalProblems = test.Count, EvalK = o.EvalK,
            AccuracyBefore = before.GreedyPass1, AccuracyAfter = after.GreedyPass1,
            SampledPass1Before = before.SampledPass1, SampledPass1After = after.SampledPass1,
            Maj8Before = before.MajAtK, Maj8After = after.MajAtK, Pass8Before = before.PassAtK, Pass8After = after.PassAtK,
            FormatRateBefore = before.FormatRate, FormatRateAfter = after.FormatRate,
            ToolCallRateBefore = environment is null ? null : ToolCallRate(before), ToolCallRateAfter = environment is null ? null : ToolCallRate(after),
            MeanCompletionLenBefore = before.MeanCompletionLength, MeanCompletionLenAfter = after.MeanCompletionLength,
            RlSteps = o.RlSteps, PretrainSteps = pretrain.Steps, PretrainFinalLoss = double.IsNaN(pretrain.FinalLoss) ? null : pretrain.FinalLoss,
            Corpus = corpusStats, PretrainSeconds = pretrainSeconds, RlSeconds = rlSeconds, TotalSeconds = total.Elapsed.TotalSeconds,
        };
        AtomicFile.WriteText(Path.Combine(o.OutDir, "summary.json"), summary.ToJson());
        R1ZeroReport.Write(o.OutDir, o, summary, before, after);
        model.Dispose();
        log.WriteLine($"done in {summary.TotalSeconds:F0} s → {o.OutDir}/summary.json, report.md");
        return summary;
    }

    /// <summary>Share of held-out greedy completions that call a tool.</summary>
    static double ToolCallRate(EvaluationReport report) =>
        report.Problems.Count(p => p.GreedyCompletion.Contains(Tools.ToolCallParser.Open, StringComparison.Ordinal)) / (double)Math.Max(1, report.Problems.Count);

    /// <summary>Every character of the texts once, sorted, with the atomic tags (&lt;think&gt;, the task's, …) taken out first.</summary>
    static string Alphabet(IEnumerable<string> texts, IReadOnlyList<string> taskTokens)
    {
        var chars = new SortedSet<char>();
        foreach (var text in texts)
        {
            var t = text;
            foreach (var tag in CharTokenizer.DefaultAddedTokens.Concat(taskTokens)) t = t.Replace(tag, "", StringComparison.Ordinal);
            chars.UnionWith(t);
        }
        return new string(chars.ToArray());
    }

    static RewardScorer BuildScorer(R1ZeroOptions o, IRewardFunction correctness)
    {
        var rewards = new List<WeightedReward>();
        if (o.Control == "random-reward")
        {
            rewards.Add(new WeightedReward(new RandomReward(SeededRandom.Derive(o.Seed, "random-reward"))));
            rewards.Add(new WeightedReward(correctness, 0));   // logged (accuracy), not rewarded
            rewards.Add(new WeightedReward(new FormatReward(o.FormatBonus), 0));
        }
        else
        {
            rewards.Add(new WeightedReward(correctness));
            rewards.Add(new WeightedReward(new FormatReward(o.FormatBonus)));
        }
        rewards.Add(new WeightedReward(new FormatReward(1.0, name: "format_ok"), 0));   // the format rate, for the curves
        rewards.Add(new WeightedReward(new ThinkBlockReward(1.0, name: "think_used"), 0));
        // One worker: the rewards are microseconds each, and a fixed order keeps the random control deterministic.
        return new RewardScorer(rewards, new RewardScorerOptions { MaxDegreeOfParallelism = 1 });
    }

    static IReadOnlyDictionary<string, double> GreedyHeldout(IRolloutEngine engine, ITokenizer tokenizer, IRewardFunction correctness,
        FormatReward format, IReadOnlyList<PromptItem> subset, int maxNewTokens, bool tools)
    {
        var completions = engine.Generate(subset.Select(p => tokenizer.Encode(p.Prompt)).ToList(), new SamplingParams
        {
            Temperature = 0, MaxNewTokens = maxNewTokens, StopTokenIds = tokenizer.EosTokenId is int eos ? [eos] : [],
        });
        int correct = 0, formatted = 0, calls = 0;
        long length = 0;
        for (int i = 0; i < subset.Count; i++)
        {
            var text = tokenizer.Decode(completions[i].TokenIds, skipSpecialTokens: true);
            var item = subset[i];
            if (correctness.Score(new RewardSample(item.Prompt, text, item.Answer, item.Metadata)).Value >= 1) correct++;
            if (format.Check(text).Ok) formatted++;
            if (text.Contains(Tools.ToolCallParser.Open, StringComparison.Ordinal)) calls++;
            length += completions[i].TokenIds.Length;
        }
        var result = new Dictionary<string, double>
        {
            ["heldout/accuracy"] = (double)correct / subset.Count,
            ["heldout/format_rate"] = (double)formatted / subset.Count,
            ["heldout/completion_len"] = (double)length / subset.Count,
        };
        if (tools) result["heldout/tool_call_rate"] = (double)calls / subset.Count;
        return result;
    }

    static readonly JsonWriterOptions JsonlWriter = new() { Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping };

    static void WriteEvalCompletions(string path, EvaluationReport before, EvaluationReport after)
    {
        AtomicFile.Write(path, stream =>
        {
            foreach (var (phase, report) in new[] { ("before", before), ("after", after) })
                foreach (var p in report.Problems)
                {
                    using (var w = new Utf8JsonWriter(stream, JsonlWriter))
                    {
                        w.WriteStartObject();
                        w.WriteString("phase", phase);
                        w.WriteString("id", p.Id);
                        w.WriteString("prompt", p.Prompt);
                        w.WriteString("answer", p.Answer);
                        w.WriteString("greedy", p.GreedyCompletion);
                        w.WriteString("greedy_answer", p.GreedyExtracted);
                        w.WriteBoolean("greedy_correct", p.GreedyCorrect);
                        w.WriteBoolean("greedy_format_ok", p.GreedyFormatOk);
                        w.WriteNumber("greedy_length", p.GreedyLength);
                        w.WriteNumber("sampled_correct", p.SampledCorrect);
                        w.WriteNumber("samples", p.Samples);
                        w.WriteString("majority_answer", p.MajorityAnswer);
                        w.WriteBoolean("majority_correct", p.MajorityCorrect);
                        w.WriteEndObject();
                    }
                    stream.WriteByte((byte)'\n');
                }
        });
    }

    static void WriteCorpusSample(string path, IReadOnlyList<CorpusDocument> corpus, CorpusStats stats)
    {
        var lines = new List<string>
        {
            $"# {stats.Documents} documents, {stats.DistinctProblems} distinct problems",
            $"# think {stats.ThinkShare.ToString("P1", CultureInfo.InvariantCulture)}, direct {stats.DirectShare.ToString("P1", CultureInfo.InvariantCulture)}, " +
            $"wrong final answer {stats.WrongAnswerShare.ToString("P1", CultureInfo.InvariantCulture)}, " +
            $"erroneous steps {stats.ErrorSteps}/{stats.ErrorEligibleSteps} ({stats.StepErrorRate.ToString("P1", CultureInfo.InvariantCulture)})",
        };
        lines.AddRange(corpus.Take(40).Select(d => $"[{d.Kind}] {d.Prompt}{d.Completion}"));
        AtomicFile.WriteText(path, string.Join("\n", lines) + "\n");
    }
}
