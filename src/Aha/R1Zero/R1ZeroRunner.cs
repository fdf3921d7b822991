using Aha.Checkpoints;
using Aha.Configuration;
using System.Diagnostics;
using System.Globalization;
using System.Text.Encodings.Web;
using System.Text.Json;
using Aha.Data;
using Aha.Environments;
using Aha.Evaluation;
using Aha.Generation;
using Aha.IO;
using Aha.Models;
using Aha.Native;
using Aha.Rewards;
using Aha.Tokenization;
using Aha.Tracking;
using Aha.Training.OnPolicy;
using Aha.Training.Runs;

namespace Aha.R1Zero;

/// <summary>
/// Mini DeepSeek-R1-Zero (arXiv:2501.12948) end to end: base model (pretrained on the synthetic corpus, or loaded from a
/// Hugging Face folder) → evaluation on held-out problems → pure RL with correctness + format rewards only (no
/// supervised data with correct answers after pretraining) → the same evaluation → <c>summary.json</c>,
/// <c>metrics.jsonl</c>, <c>completions.jsonl</c>, <c>eval_completions.jsonl</c>, <c>plots/*.png</c>, <c>report.md</c>.
/// </summary>
public static class R1ZeroRunner
{
    /// <summary>Positions of the built-in model: prompt + completion must fit (the longest built-in prompt is ~10 characters).</summary>
    const int BuiltInPositions = 256;

    public static R1ZeroSummary Run(R1ZeroOptions options, TextWriter? console = null)
    {
        // Everything that bad input can fail is checked before any work: options, RL config, task size, data, tokenizer,
        // model config and positions. Nothing is written until all of it passed.
        var o = (options ?? throw new ArgumentNullException(nameof(options))).Validate();
        var rlConfig = RlConfig(o, accuracyReward: "math", o.MaxNewTokens ?? 1).Validate();
        var log = console ?? TextWriter.Null;
        var total = Stopwatch.StartNew();
        var device = AhaRuntime.Initialize(new RuntimeOptions { Threads = o.Threads, Seed = o.Seed, Device = o.Device });
        var inputs = o.ModelDir is null ? BuiltInInputs(o) : FolderInputs(o);
        var (train, test, correctness, taskName, tokenizer, modelConfig) = inputs;
        var environment = inputs.Environment;
        int maxNewTokens = inputs.MaxNewTokens;
        rlConfig = rlConfig with { AccuracyReward = correctness.Name, MaxNewTokens = maxNewTokens };
        int longestPrompt = train.Concat(test).Max(p => tokenizer.Encode(p.Prompt).Count);
        if (longestPrompt + maxNewTokens > modelConfig.MaxPositionEmbeddings)
            throw new ArgumentException($"--max-new-tokens {maxNewTokens}: prompts of up to {longestPrompt} tokens leave room for at most " +
                $"{modelConfig.MaxPositionEmbeddings - longestPrompt} new tokens in the model's {modelConfig.MaxPositionEmbeddings} positions (max_position_embeddings)");
        if (o.Overwrite) R1ZeroOutput.Clear(o.OutDir);
        Directory.CreateDirectory(o.OutDir);

        // 1. base model
        CausalLM model;
        string baseDir;
        PretrainResult pretrain = new(0, 0, double.NaN, []);
        if (inputs.Corpus is { } corpus)
        {
            var stats = inputs.CorpusStats!;
            log.WriteLine($"task {taskName}: {inputs.Description}; {train.Count} train / {test.Count} held-out problems");
            log.WriteLine($"corpus: {stats.Documents} documents over {stats.DistinctProblems} problems; think {stats.ThinkShare:P0}, direct guesses {stats.DirectShare:P0}, " +
                          $"wrong final answer {stats.WrongAnswerShare:P0}, systematic error in {stats.StepErrorRate:P0} of eligible steps" +
                          (stats.CheckingShare > 0 ? $", checking writers {stats.CheckingShare:P1}" : ""));
            WriteCorpusSample(Path.Combine(o.OutDir, R1ZeroOutput.CorpusSampleFile), corpus, stats);
            model = new CausalLM(modelConfig, device);
            WeightInit.Initialize(model, modelConfig.InitializerRange, o.Seed);
            log.WriteLine($"model: qwen2, {modelConfig.ParameterCount():N0} parameters (hidden {o.HiddenSize}, {o.Layers} layers, vocab {tokenizer.VocabSize})");
            pretrain = Pretrainer.Train(model, tokenizer, corpus, o.Pretrain with { Seed = o.Seed },
                (step, loss) => log.WriteLine($"pretrain step {step}/{o.Pretrain.MaxSteps}: loss {loss:F3}"));
            log.WriteLine($"pretraining: {pretrain.Steps} steps in {pretrain.Seconds:F0} s, final loss {pretrain.FinalLoss:F3}");
            baseDir = Path.Combine(o.OutDir, R1ZeroOutput.BaseModelDir);
            SaveModel(model, modelConfig, tokenizer, o, baseDir);
        }
        else
        {
            model = HfCheckpoint.LoadCausalLM(o.ModelDir!, device);
            baseDir = o.ModelDir!;
            log.WriteLine($"model {o.ModelDir}: {model.Config.ParameterCount():N0} parameters; " +
                          (o.DataPath is null ? $"task {taskName}" : $"data {o.DataPath}") + $": {train.Count} RL / {test.Count} held-out problems");
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
            K = o.EvalK, Temperature = o.EvalTemperature, MaxNewTokens = maxNewTokens, BatchSize = 128,
            Seed = SeededRandom.Derive(o.Seed, "eval"),
        };
        var before = evaluator.Run(test, evalOptions);
        log.WriteLine($"before RL: greedy pass@1 {before.GreedyPass1:P1}, sampled pass@1 {before.SampledPass1:P1}, maj@{o.EvalK} {before.MajAtK:P1}, " +
                      $"pass@{o.EvalK} {before.PassAtK:P1}, format {before.FormatRate:P1}, length {before.MeanCompletionLength:F1}, reflection {ReflectionRate(before):P1}");

        // 3. pure RL
        var scorer = BuildScorer(o, correctness);
        var subset = test.Take(Math.Min(o.HeldoutSubset, test.Count)).ToList();
        var rlClock = Stopwatch.StartNew();
        int? ahaStep;
        IReadOnlyList<(int Step, SampleRecord Sample)> ahaExamples;
        using (var tracker = new RunTracker(o.OutDir, new RunTrackerOptions
               { TotalSteps = Math.Max(1, o.RlSteps), Console = log, Interactive = false, ShowConsole = console is not null }))
        {
            Func<IReadOnlyDictionary<string, double>> heldout = () => GreedyHeldout(evalEngine, tokenizer, correctness, strictFormat, subset, maxNewTokens, environment is not null);
            if (subset.Count > 0) tracker.OnStep(0, heldout());
            var reflection = new ReflectionObserver(tracker, correctness.Name);
            var observer = new HeldoutObserver(reflection, subset.Count > 0 ? heldout : () => new Dictionary<string, double>(), o.HeldoutEvery, o.RlSteps);
            using var critic = rlConfig.ResolveAlgorithm().NeedsCritic
                ? HfCheckpoint.LoadScalarHeadModel(baseDir, device, seed: o.Seed) : null;
            using var trainer = new OnPolicyTrainer(rlConfig, model, tokenizer, scorer, new ShuffledPromptSource(train, o.Seed),
                critic, engine, observer, environment);
            trainer.Train(o.RlSteps);
            tracker.WritePlots();
            PlotWriter.Write(tracker.PlotsDir, tracker.Rows, R1ZeroReport.PlotGroups);
            (ahaStep, ahaExamples) = (reflection.AhaStep, reflection.AroundAha());
        }
        double rlSeconds = rlClock.Elapsed.TotalSeconds;
        log.WriteLine($"RL: {o.RlSteps} steps of {o.Preset} in {rlSeconds:F0} s");

        // 4. after
        var after = evaluator.Run(test, evalOptions);
        log.WriteLine($"after RL:  greedy pass@1 {after.GreedyPass1:P1}, sampled pass@1 {after.SampledPass1:P1}, maj@{o.EvalK} {after.MajAtK:P1}, " +
                      $"pass@{o.EvalK} {after.PassAtK:P1}, format {after.FormatRate:P1}, length {after.MeanCompletionLength:F1}, reflection {ReflectionRate(after):P1}");
        WriteEvalCompletions(Path.Combine(o.OutDir, R1ZeroOutput.EvalCompletionsFile), before, after);
        SaveModel(model, model.Config, tokenizer, o, Path.Combine(o.OutDir, R1ZeroOutput.FinalDir));

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
            SampledMeanLenBefore = before.SampledMeanLength, SampledMeanLenAfter = after.SampledMeanLength,
            ReflectionRateBefore = ReflectionRate(before), ReflectionRateAfter = ReflectionRate(after),
            BacktrackRateBefore = BacktrackRate(before), BacktrackRateAfter = BacktrackRate(after), AhaStep = ahaStep,
            RlSteps = o.RlSteps, PretrainSteps = pretrain.Steps, PretrainFinalLoss = double.IsNaN(pretrain.FinalLoss) ? null : pretrain.FinalLoss,
            Corpus = inputs.CorpusStats, PretrainSeconds = pretrainSeconds, RlSeconds = rlSeconds, TotalSeconds = total.Elapsed.TotalSeconds,
        };
        AtomicFile.WriteText(Path.Combine(o.OutDir, R1ZeroOutput.SummaryFile), summary.ToJson());
        R1ZeroReport.Write(o.OutDir, o, summary, before, after, ahaExamples);
        model.Dispose();
        log.WriteLine($"done in {summary.TotalSeconds:F0} s → {o.OutDir}/summary.json, report.md");
        return summary;
    }

    /// <summary>Share of the evaluation's sampled completions that verify or backtrack (<see cref="ReflectionDetector"/>).</summary>
    static double ReflectionRate(EvaluationReport r) =>
        r.Problems.SelectMany(p => p.SampledCompletions).Select(c => ReflectionDetector.Reflects(c.Text) ? 1.0 : 0.0).DefaultIfEmpty().Average();

    /// <summary>Share of the evaluation's sampled completions that self-correct.</summary>
    static double BacktrackRate(EvaluationReport r) =>
        r.Problems.SelectMany(p => p.SampledCompletions).Select(c => ReflectionDetector.Backtracks(c.Text) ? 1.0 : 0.0).DefaultIfEmpty().Average();

    /// <summary>The run's inputs, all checked: problems, verifier, tokenizer, model config (and the corpus for a built-in task).</summary>
    internal sealed record Inputs(IReadOnlyList<PromptItem> Train, IReadOnlyList<PromptItem> Test, IRewardFunction Correctness, string TaskName,
        ITokenizer Tokenizer, ModelConfig ModelConfig)
    {
        public IReadOnlyList<CorpusDocument>? Corpus { get; init; }
        public CorpusStats? CorpusStats { get; init; }
        public string Description { get; init; } = "";
        public MultiTurnEnvironment? Environment { get; init; }

        /// <summary>Tokens per completion: --max-new-tokens, else the task's own length (48 for a data file).</summary>
        public int MaxNewTokens { get; init; } = 48;
    }

    /// <summary>A built-in task: its problems, the synthetic corpus, a character tokenizer over it, the small model's config.</summary>
    internal static Inputs BuiltInInputs(R1ZeroOptions o)
    {
        var task = R1ZeroTasks.Create(o.Task, o.TrainProblems, o.TestProblems, o.Seed);
        var (corpus, stats) = SyntheticCorpus.Build(task.Train, task.Writer, o.Corpus, o.Seed);
        var tokenizer = CharTokenizer.Create(
            CharAlphabet.Of(corpus.Select(d => d.Prompt + d.Completion).Concat(task.Test.Select(t => t.Prompt)).Append(task.ExtraCharacters),
                [.. CharTokenizer.DefaultAddedTokens, .. task.AddedTokens]),
            addedTokens: [.. CharTokenizer.DefaultAddedTokens, .. task.AddedTokens]);
        var config = new ModelConfig
        {
            Family = ModelFamily.Qwen2, VocabSize = tokenizer.VocabSize, HiddenSize = o.HiddenSize, IntermediateSize = o.IntermediateSize,
            NumLayers = o.Layers, NumHeads = o.Heads, NumKvHeads = o.KvHeads, HeadDim = o.HiddenSize / o.Heads, QkvBias = true,
            TieWordEmbeddings = true, MaxPositionEmbeddings = BuiltInPositions, EosTokenId = tokenizer.EosTokenId,
        }.Validate();
        return new Inputs(task.Train, task.Test, task.Correctness, task.Name, tokenizer, config)
            { Corpus = corpus, CorpusStats = stats, Description = task.Description, Environment = task.Environment, MaxNewTokens = o.MaxNewTokens ?? task.MaxNewTokens };
    }

    /// <summary>A model folder and a data file: read and checked (tokenizer, config, vocabulary, records) before the weights load.</summary>
    static Inputs FolderInputs(R1ZeroOptions o)
    {
        var tokenizer = TokenizerLoader.Load(o.ModelDir!);
        var config = ModelConfig.Load(Path.Combine(o.ModelDir!, "config.json"));
        RunModels.CheckVocabulary(config, tokenizer, "--model");
        if (o.DataPath is null)
        {
            // A base model pretrained by an earlier run (its base_model/) on the built-in task: the same seed gives
            // the same split, so RL settings can be compared on one base without pretraining again.
            var task = R1ZeroTasks.Create(o.Task, o.TrainProblems, o.TestProblems, o.Seed);
            return new Inputs(task.Train, task.Test, task.Correctness, task.Name, tokenizer, config)
                { Description = task.Description, Environment = task.Environment, MaxNewTokens = o.MaxNewTokens ?? task.MaxNewTokens };
        }
        var template = PromptTemplate.Named(o.Template)!;                // checked by R1ZeroOptions.Validate
        var items = PromptDataReader.Read(o.DataPath!, new PromptReadOptions { Template = template }).ToList();
        if (items.Count < 2) throw new InvalidDataException($"{o.DataPath}: needs at least 2 records (held-out + RL); found {items.Count}.");
        int testCount = Math.Min(o.TestProblems, items.Count / 2);
        var (test, train) = (items.Take(testCount).ToList(), items.Skip(testCount).Take(o.TrainProblems).ToList());
        return new Inputs(train, test, new MathReward("math"), "data:" + Path.GetFileName(o.DataPath!), tokenizer, config)
            { MaxNewTokens = o.MaxNewTokens ?? 48 };
    }

    /// <summary>The on-policy trainer's config from the r1zero options.</summary>
    static OnPolicyConfig RlConfig(R1ZeroOptions o, string accuracyReward, int maxNewTokens) => new()
    {
        Preset = o.Preset, NumGenerations = o.NumGenerations, PromptsPerStep = o.PromptsPerStep, MaxNewTokens = maxNewTokens,
        LearningRate = o.LearningRate, CriticLearningRate = o.LearningRate, Beta = o.Beta, Seed = o.Seed,
        AccuracyReward = accuracyReward, LogSamplesPerStep = 8,
    };

    /// <summary>A HF folder with the tokenizer beside the weights: the model folder's tokenizer files, or the character tokenizer.</summary>
    static void SaveModel(CausalLM model, ModelConfig config, ITokenizer tokenizer, R1ZeroOptions o, string dir)
    {
        var source = o.ModelDir is null ? new ModelSection { Tokenizer = ModelSection.Char } : new ModelSection { Path = o.ModelDir };
        RunModels.SaveFolder(model, config, tokenizer, source, dir);
    }

    /// <summary>Share of held-out greedy completions that call a tool.</summary>
    static double ToolCallRate(EvaluationReport report) =>
        report.Problems.Count(p => p.GreedyCompletion.Contains(Tools.ToolCallParser.Open, StringComparison.Ordinal)) / (double)Math.Max(1, report.Problems.Count);

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
        // Behaviour only logged (weight 0): the reflection curves and the aha step (ReflectionObserver).
        rewards.Add(new WeightedReward(new ReflectionReward("reflection"), 0));
        rewards.Add(new WeightedReward(new ReflectionReward("backtrack"), 0));
        rewards.Add(new WeightedReward(new ReflectionReward("right_after_backtrack", correctness), 0));
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
                        w.WriteNumber("sampled_reflective", p.SampledCompletions.Count(c => ReflectionDetector.Reflects(c.Text)));
                        w.WriteNumber("sampled_backtracking", p.SampledCompletions.Count(c => ReflectionDetector.Backtracks(c.Text)));
                        w.WriteNumber("sampled_length", p.SampledCompletions.Sum(c => c.Length));
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
