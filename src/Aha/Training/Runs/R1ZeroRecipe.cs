using System.Diagnostics;
using System.Text.Json;
using Aha.Checkpoints;
using Aha.Data;
using Aha.Evaluation;
using Aha.Generation;
using Aha.IO;
using Aha.Models;
using Aha.R1Zero;
using Aha.Tracking;
using Aha.Training.OnPolicy;

namespace Aha.Training.Runs;

/// <summary>
/// Mini DeepSeek-R1-Zero (arXiv:2501.12948) as a recipe of stages on one <see cref="RunContext"/>: base model
/// (<see cref="PretrainStage"/> on the task's synthetic corpus, or a Hugging Face folder) → evaluation on held-out
/// problems → pure RL with correctness + format rewards only (<see cref="OnPolicyStage"/>; no supervised data with
/// correct answers after pretraining) → the same evaluation → report. One run folder holds the common files
/// (<c>resolved_config.yaml</c>, <c>metrics.jsonl</c>, <c>completions.jsonl</c>, <c>log.txt</c>, <c>plots/</c>,
/// <c>checkpoints/</c>, <c>final/</c>) and r1zero's own (<see cref="R1ZeroOutput"/>: <c>base_model/</c>,
/// <c>corpus_sample.txt</c>, <c>eval_completions.jsonl</c>, <c>summary.json</c>, <c>report.md</c>).
/// <para>Resuming (<see cref="RunOptions.Resume"/>) continues the RL stage from its newest checkpoint, on the saved
/// <c>base_model/</c> (a run stopped during pretraining, which keeps no checkpoints, pretrains again); the evaluation
/// before RL is measured again on that base (it is deterministic), and a finished run (its <c>summary.json</c>
/// exists) is not run again. On the same machine a resumed run writes the summary of an uninterrupted one, timings aside.</para>
/// </summary>
public static class R1ZeroRecipe
{
    /// <summary>Run folders are named <c>r1zero-yyyyMMdd-HHmmss</c> by default.</summary>
    public const string Prefix = "r1zero";

    /// <summary>Validates <paramref name="config"/> (one <see cref="Configuration.ConfigException"/> listing every problem), then runs it.</summary>
    public static RunResult Run(R1ZeroConfig config, RunOptions options) =>
        RunValidated(Configuration.ConfigValidationExtensions.Validate(config ?? throw new ArgumentNullException(nameof(config))), options);

    /// <summary>Runs a config the caller has validated (the CLI's loader does): validation runs once per run.</summary>
    internal static RunResult RunValidated(R1ZeroConfig c, RunOptions options)
    {
        var console = options.Console ?? Console.Out;
        if (options.Resume is { } resume && Finished(resume) is { } done)
        {
            console.WriteLine($"{done.RunDir} is complete ({R1ZeroOutput.SummaryFile} exists); nothing to resume.");
            return done;
        }
        var total = Stopwatch.StartNew();
        // Everything bad input can fail on, before the run folder exists: data, corpus, tokenizer, model config, positions.
        var inputs = R1ZeroInputs.Read(c);
        var trainerConfig = c.Rl.Trainer(c.Seed, inputs.Correctness.Name, inputs.MaxNewTokens, inputs.LearningRate, inputs.Preset);
        var algorithm = trainerConfig.ResolveAlgorithm();
        using var run = RunContext.Open(c.Threads, c.Device, c.Seed, inputs.Source, inputs.Tokenizer, inputs.ModelConfig);
        var session = run.OpenFolder(c, Prefix, options, Math.Max(1, c.Rl.Steps), c.Checkpointing.KeepLast, validated: true);
        var tracker = session.Tracker;
        void Say(string line) => tracker.OnMessage(TrainingMessageLevel.Info, line);

        var (model, pretrain) = BaseModel(run, c, inputs, session, Say, options.Cancellation);
        if (model is null)
        {
            Say($"stopped during pretraining at step {pretrain.Steps}: no base model saved; --resume pretrains again from the start");
            return new RunResult(session.Dir.Path, 0, session.FinalPath, new Dictionary<string, double>(), Completed: false);
        }

        var engine = new LocalRolloutEngine(model, run.Tokenizer);
        var evaluation = new R1ZeroEvaluation(engine, run.Tokenizer, inputs.Correctness, inputs.Environment, new EvaluationOptions
        {
            K = c.Eval.K, Temperature = c.Eval.Temperature, MaxNewTokens = inputs.MaxNewTokens, BatchSize = c.Eval.BatchSize,
            Seed = SeededRandom.Derive(c.Seed, "eval"),
        });
        var before = evaluation.Run(inputs.Test);
        Say(Figures("before RL:", c.Eval.K, before));
        using var scaling = c.Scaling.Samples > 0 ? Scaling(run, c, inputs, session, evaluation, Say) : null;
        var baseCurve = scaling?.Measure(evaluation, inputs.Test, "base", c.Seed);

        // Pure RL. The held-out curve starts with a step-0 row (before RL), which a resumed run already has.
        var subset = inputs.Test.Take(Math.Min(c.Eval.HeldoutSubset, inputs.Test.Count)).ToList();
        Func<IReadOnlyDictionary<string, double>> heldout = subset.Count > 0 ? () => evaluation.Heldout(subset) : () => new Dictionary<string, double>();
        if (subset.Count > 0 && !tracker.Rows.Any(r => r.Step == 0)) tracker.OnStep(0, heldout());
        var observer = new HeldoutObserver(new ReflectionObserver(tracker, inputs.Correctness.Name), heldout, c.Eval.HeldoutEvery, c.Rl.Steps);
        var critic = algorithm.NeedsCritic
            ? run.Own(HfCheckpoint.LoadScalarHeadModel(inputs.Source.Path ?? session.Dir.File(R1ZeroOutput.BaseModelDir), run.Device, seed: c.Seed))
            : null;
        var scorer = R1ZeroRewards.Scorer(c.Control, c.Seed, inputs.Correctness, inputs.FormatBonus);
        var trainer = run.Own(new OnPolicyTrainer(trainerConfig, model, run.Tokenizer, scorer, new ShuffledPromptSource(inputs.Train, c.Seed),
            critic, engine, observer, inputs.Environment, algorithm: algorithm));
        var rlClock = Stopwatch.StartNew();
        // A checkpoint after the last step too, so a run stopped during the final evaluation resumes without RL.
        var rl = OnPolicyStage.Run(session, trainer, c.Rl.Steps, c.Checkpointing.Every, options.Cancellation, checkpointLast: true);
        if (!rl.Completed) return rl;
        double rlSeconds = rlClock.Elapsed.TotalSeconds;
        tracker.WritePlots();
        PlotWriter.Write(tracker.PlotsDir, tracker.Rows, R1ZeroReport.PlotGroups);
        Say($"RL: {c.Rl.Steps} steps of {inputs.Preset} in {rlSeconds:F0} s");

        var after = evaluation.Run(inputs.Test);
        Say(Figures("after RL: ", c.Eval.K, after));
        TestTimeComputeSummary? testTime = null;
        if (scaling is not null)
        {
            var rlCurve = scaling.Measure(evaluation, inputs.Test, "rl", c.Seed);
            ScalingFigures.Write(session.Dir.Path, [baseCurve!, rlCurve], "Test-time compute before and after RL");
            testTime = TestTimeComputeSummary.Of(baseCurve!.Report, rlCurve.Report, scaling.Pairs);
            Say($"test-time compute at N = {c.Scaling.Samples}: best-of-N ({scaling.ScorerName}) {testTime.BestOfNBefore:P1} → {testTime.BestOfNAfter:P1}, " +
                $"maj@N {testTime.MajAtNBefore:P1} → {testTime.MajAtNAfter:P1}, pass@N {testTime.PassAtNBefore:P1} → {testTime.PassAtNAfter:P1} ({ScalingFigures.TableFile})");
        }
        R1ZeroOutput.WriteEvalCompletions(session.Dir.File(R1ZeroOutput.EvalCompletionsFile), before, after);
        run.SaveFinal(model);

        int? ahaStep = ReflectionObserver.AhaStep(tracker.Rows, inputs.Correctness.Name);
        var summary = Summary(c, inputs, model, before, after, ahaStep, pretrain) with
        {
            TestTimeCompute = testTime, RlSeconds = rlSeconds, TotalSeconds = total.Elapsed.TotalSeconds,
        };
        R1ZeroReport.Write(session.Dir.Path, c.Eval.Temperature, summary, before, after,
            ReflectionObserver.AroundAha(session.Dir.File(RunFiles.CompletionsJsonl), ahaStep, inputs.Correctness.Name),
            inputs.Searches ? CountdownSearch.Recoveries(after, inputs.Test) : []);
        // Last: its presence marks the run complete.
        AtomicFile.WriteText(session.Dir.File(R1ZeroOutput.SummaryFile), summary.ToJson());
        Say($"done in {summary.TotalSeconds:F0} s → {session.Dir.Path}/{R1ZeroOutput.SummaryFile}, {R1ZeroOutput.ReportFile}");
        return rl;
    }

    /// <summary>The finished run at <paramref name="resume"/> (its summary written), or null.</summary>
    static RunResult? Finished(string resume)
    {
        var dir = RunDirectory.Open(resume);
        var summary = dir.File(R1ZeroOutput.SummaryFile);
        return File.Exists(summary)
            ? new RunResult(dir.Path, R1ZeroSummary.Read(summary).RlSteps, dir.File(RunSession.FinalDir), new Dictionary<string, double>(), Completed: true)
            : null;
    }

    /// <summary>
    /// The model RL starts from: a Hugging Face folder (no pretraining), the <c>base_model/</c> a stopped run saved, or
    /// a new model pretrained on the corpus and saved there; null when <paramref name="cancellation"/> stopped pretraining
    /// (nothing saved: pretraining keeps no checkpoints).
    /// </summary>
    static (CausalLM? Model, PretrainResult Pretrain) BaseModel(RunContext run, R1ZeroConfig c, R1ZeroInputs inputs, RunSession session, Action<string> say,
        CancellationToken cancellation)
    {
        var none = new PretrainResult(0, 0, double.NaN, []);
        if (inputs.Source.Path is { } path)
        {
            var loaded = run.Own(HfCheckpoint.LoadCausalLM(path, run.Device));
            say($"model {path}: {loaded.Config.ParameterCount():N0} parameters; " +
                (c.Data.Path is null ? $"task {inputs.TaskName}" : $"data {c.Data.Path}") + $": {inputs.Train.Count} RL / {inputs.Test.Count} held-out problems");
            return (loaded, none);
        }
        var (corpus, stats) = (inputs.Corpus!, inputs.CorpusStats!);
        say($"task {inputs.TaskName}: {inputs.Description}; {inputs.Train.Count} train / {inputs.Test.Count} held-out problems");
        say($"corpus: {stats.Documents} documents over {stats.DistinctProblems} problems; think {stats.ThinkShare:P0}, direct guesses {stats.DirectShare:P0}, " +
            $"wrong final answer {stats.WrongAnswerShare:P0}, systematic error in {stats.StepErrorRate:P0} of eligible steps" +
            (stats.CheckingShare > 0 ? $", checking writers {stats.CheckingShare:P1}" : ""));
        R1ZeroOutput.WriteCorpusSample(session.Dir.File(R1ZeroOutput.CorpusSampleFile), corpus, stats);
        var baseDir = session.Dir.File(R1ZeroOutput.BaseModelDir);
        if (Directory.Exists(baseDir))
        {
            var info = JsonSerializer.Deserialize<BaseInfo>(File.ReadAllText(Path.Combine(baseDir, R1ZeroOutput.BaseInfoFile)), R1ZeroSummary.Json)
                       ?? throw new InvalidDataException($"{baseDir}/{R1ZeroOutput.BaseInfoFile} is empty.");
            say($"pretrained base: {baseDir} (saved by the run being resumed)");
            return (run.Own(HfCheckpoint.LoadCausalLM(baseDir, run.Device)), new PretrainResult(info.PretrainSteps, info.PretrainSeconds, info.PretrainFinalLoss ?? double.NaN, []));
        }
        var m = c.Model;
        say($"model: qwen2, {inputs.ModelConfig.ParameterCount():N0} parameters (hidden {m.HiddenSize}, {m.Layers} layers, vocab {inputs.Tokenizer.VocabSize})");
        var (model, result) = PretrainStage.Run(inputs.ModelConfig, inputs.Tokenizer, corpus, c.Pretrain, c.Seed, run.Device, say, cancellation);
        run.Own(model);
        if (result.Steps < c.Pretrain.MaxSteps && cancellation.IsCancellationRequested) return (null, result);
        say($"pretraining: {result.Steps} steps in {result.Seconds:F0} s, final loss {result.FinalLoss:F3}");
        var done = new BaseInfo(result.Steps, result.Seconds, double.IsNaN(result.FinalLoss) ? null : result.FinalLoss);
        PretrainStage.Save(baseDir, dir => run.SaveFolder(model, dir), R1ZeroOutput.BaseInfoFile, JsonSerializer.Serialize(done, R1ZeroSummary.Json) + "\n");
        return (model, result);
    }

    /// <summary>
    /// The test-time-compute stage: its reward model trained on the base model's samples of training problems and saved
    /// as <c>reward_model/</c>, or loaded from there when a resumed run has it.
    /// </summary>
    static ComputeScalingStage Scaling(RunContext run, R1ZeroConfig c, R1ZeroInputs inputs, RunSession session, R1ZeroEvaluation evaluation, Action<string> say)
    {
        var dir = session.Dir.File(R1ZeroOutput.RewardModelDir);
        if (Directory.Exists(dir)) return ComputeScalingStage.Load(dir, c.Scaling, run.Device, say);
        var baseDir = inputs.Source.Path ?? session.Dir.File(R1ZeroOutput.BaseModelDir);
        var rewardModel = HfCheckpoint.LoadScalarHeadModel(baseDir, run.Device, seed: SeededRandom.Derive(c.Seed, "scaling/score-head"));
        return ComputeScalingStage.Train(evaluation, inputs.Train, rewardModel, run.Tokenizer, c.Scaling, c.Seed,
            (model, info) => PretrainStage.Save(dir, d => run.SaveFolder(model, d), ComputeScalingStage.InfoFile, info), say);
    }

    /// <summary><see cref="R1ZeroOutput.BaseInfoFile"/>: what pretraining did.</summary>
    sealed record BaseInfo(int PretrainSteps, double PretrainSeconds, double? PretrainFinalLoss);

    static string Figures(string phase, int k, EvaluationReport r) =>
        $"{phase} greedy pass@1 {r.GreedyPass1:P1}, sampled pass@1 {r.SampledPass1:P1}, maj@{k} {r.MajAtK:P1}, pass@{k} {r.PassAtK:P1}, " +
        $"format {r.FormatRate:P1}, length {r.MeanCompletionLength:F1}, reflection {R1ZeroEvaluation.ReflectionRate(r):P1}";

    static R1ZeroSummary Summary(R1ZeroConfig c, R1ZeroInputs inputs, CausalLM model, EvaluationReport before, EvaluationReport after, int? ahaStep, PretrainResult pretrain)
    {
        bool tools = inputs.Environment is not null;
        return new R1ZeroSummary
        {
            Task = inputs.TaskName, Preset = inputs.Preset, Control = c.Control, Seed = c.Seed, ModelParameters = model.Config.ParameterCount(),
            EvalProblems = inputs.Test.Count, EvalK = c.Eval.K,
            AccuracyBefore = before.GreedyPass1, AccuracyAfter = after.GreedyPass1,
            SampledPass1Before = before.SampledPass1, SampledPass1After = after.SampledPass1,
            MajAtKBefore = before.MajAtK, MajAtKAfter = after.MajAtK, PassAtKBefore = before.PassAtK, PassAtKAfter = after.PassAtK,
            FormatRateBefore = before.FormatRate, FormatRateAfter = after.FormatRate,
            ToolCallRateBefore = tools ? R1ZeroEvaluation.ToolCallRate(before) : null, ToolCallRateAfter = tools ? R1ZeroEvaluation.ToolCallRate(after) : null,
            MeanCompletionLenBefore = before.MeanCompletionLength, MeanCompletionLenAfter = after.MeanCompletionLength,
            SampledMeanLenBefore = before.SampledMeanLength, SampledMeanLenAfter = after.SampledMeanLength,
            ReflectionRateBefore = R1ZeroEvaluation.ReflectionRate(before), ReflectionRateAfter = R1ZeroEvaluation.ReflectionRate(after),
            BacktrackRateBefore = R1ZeroEvaluation.BacktrackRate(before), BacktrackRateAfter = R1ZeroEvaluation.BacktrackRate(after), AhaStep = ahaStep,
            AttemptsPerCompletionBefore = inputs.Searches ? CountdownSearch.AttemptsPerCompletion(before) : null,
            AttemptsPerCompletionAfter = inputs.Searches ? CountdownSearch.AttemptsPerCompletion(after) : null,
            RlSteps = c.Rl.Steps, PretrainSteps = pretrain.Steps, PretrainFinalLoss = double.IsNaN(pretrain.FinalLoss) ? null : pretrain.FinalLoss,
            Corpus = inputs.CorpusStats, PretrainSeconds = pretrain.Seconds, RlSeconds = 0, TotalSeconds = 0,
        };
    }
}
