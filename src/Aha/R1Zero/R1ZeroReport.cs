using Aha.Evaluation;
using System.Globalization;
using System.Text;
using Aha.IO;
using Aha.Tracking;

namespace Aha.R1Zero;

/// <summary>Writes <c>report.md</c>: the run's story in plain words, the plots, and before/after completions.</summary>
public static class R1ZeroReport
{
    /// <summary>The demo's own plots, drawn beside the tracker's defaults.</summary>
    public static IReadOnlyList<PlotGroup> PlotGroups { get; } =
    [
        new("r1zero_accuracy", "Accuracy: held-out greedy (every N steps) and training samples", ["heldout/accuracy", "accuracy"]),
        new("r1zero_format", "Format rate and <think> usage of sampled completions", [MetricNames.RewardFunctionMean("format_ok"), MetricNames.RewardFunctionMean("think_used"), "heldout/format_rate"]),
        new("r1zero_length", "Completion length (tokens)", [MetricNames.CompletionLenMean, "heldout/completion_len"]),
        new("r1zero_reflection", "Reflection of sampled completions (share)",
            ["reflection/rate", "reflection/backtrack_rate", "reflection/right_self_corrected"]),
        new("r1zero_tools", "Tool use: held-out greedy completions that call a tool, and calls per training trajectory",
            ["heldout/tool_call_rate", Training.OnPolicy.MultiTurnMetrics.ToolCallsMean]),
    ];

    static string P(double x) => (100 * x).ToString("F1", CultureInfo.InvariantCulture) + "%";
    static string F(double x) => x.ToString("F1", CultureInfo.InvariantCulture);
    static string F2(double x) => x.ToString("F2", CultureInfo.InvariantCulture);

    public static void Write(string outDir, double evalTemperature, R1ZeroSummary s, EvaluationReport before, EvaluationReport after,
        IReadOnlyList<(int Step, SampleRecord Sample)> ahaExamples, IReadOnlyList<(string Prompt, string Completion)> searchExamples)
    {
        var md = new StringBuilder();
        md.AppendLine($"# Mini R1-Zero: {s.Task}, {s.Preset}{(s.Control == "none" ? "" : $", control {s.Control}")}");
        md.AppendLine();
        double gain = s.AccuracyAfter - s.AccuracyBefore;
        if (s.Control == "random-reward")
            md.AppendLine($"This is the **control**: the reward was a coin flip, unrelated to correctness. Greedy accuracy went from " +
                          $"{P(s.AccuracyBefore)} to {P(s.AccuracyAfter)} ({(gain >= 0 ? "+" : "")}{F(100 * gain)} points): without a verifier, RL does not teach the model to be right.");
        else if (s.ToolCallRateBefore is not null)
            md.AppendLine($"A {s.ModelParameters:N0}-parameter model with a calculator in its environment was trained with reinforcement learning from a correctness reward only. " +
                          $"Its greedy accuracy on {s.EvalProblems} held-out problems went from **{P(s.AccuracyBefore)} to {P(s.AccuracyAfter)}** " +
                          $"({(gain >= 0 ? "+" : "")}{F(100 * gain)} points) in {s.RlSteps} RL steps ({F(s.RlSeconds)} s), and the share of its greedy completions " +
                          $"that call the calculator from **{P(s.ToolCallRateBefore.Value)} to {P(s.ToolCallRateAfter ?? 0)}**.");
        else
            md.AppendLine($"A {s.ModelParameters:N0}-parameter model was trained with reinforcement learning from a correctness reward and a small format bonus only. " +
                          $"Its greedy accuracy on {s.EvalProblems} held-out problems went from **{P(s.AccuracyBefore)} to {P(s.AccuracyAfter)}** " +
                          $"({(gain >= 0 ? "+" : "")}{F(100 * gain)} points) in {s.RlSteps} RL steps ({F(s.RlSeconds)} s).");
        md.AppendLine();
        if (s.Corpus is { } tc && s.ToolCallRateBefore is not null)
        {
            md.AppendLine("## The base model");
            md.AppendLine();
            md.AppendLine($"It was pretrained for {s.PretrainSteps} steps ({F(s.PretrainSeconds)} s, final loss {s.PretrainFinalLoss?.ToString("F3", CultureInfo.InvariantCulture)}) " +
                          $"on {tc.Documents:N0} synthetic documents over {tc.DistinctProblems:N0} problems — its \"web text\". Most documents work the problem out in the head: " +
                          "they restate the expression in `<think>…</think>` and guess its value, often wrongly; a few call the calculator and copy its response " +
                          $"into `<answer>…</answer>`. {P(tc.WrongAnswerShare)} of the documents end with a wrong answer. The held-out problems never appear in the corpus. " +
                          $"So the base model greedily guesses, yet some of its samples call the calculator — pass@{s.EvalK} was {P(s.PassAtKBefore)} against a greedy " +
                          $"{P(s.AccuracyBefore)}. Rewarded for right answers only, RL has to discover that the calls pay.");
            md.AppendLine();
        }
        else if (s.Corpus is { } c)
        {
            md.AppendLine("## The base model");
            md.AppendLine();
            md.AppendLine($"It was pretrained for {s.PretrainSteps} steps ({F(s.PretrainSeconds)} s, final loss {s.PretrainFinalLoss?.ToString("F3", CultureInfo.InvariantCulture)}) " +
                          $"on {c.Documents:N0} synthetic documents over {c.DistinctProblems:N0} problems — its \"web text\". " +
                          $"{P(c.ThinkShare)} of the documents reason step by step in `<think>…</think>` before `<answer>…</answer>`, {P(c.DirectShare)} just guess an answer. " +
                          $"The correct procedure is there, but a systematic error is the majority habit: it affects {P(c.StepErrorRate)} of the steps where it can occur, " +
                          $"so {P(c.WrongAnswerShare)} of the documents end with a wrong answer. The held-out problems never appear in the corpus. " +
                          "So the base model usually reproduces the error when decoding greedily, yet some of its samples are right — " +
                          $"pass@{s.EvalK} was {P(s.PassAtKBefore)} against a greedy {P(s.AccuracyBefore)}. That gap is what RL can exploit.");
            md.AppendLine();
        }
        md.AppendLine("## Before and after");
        md.AppendLine();
        md.AppendLine("| held-out metric | before RL | after RL |");
        md.AppendLine("|---|---|---|");
        md.AppendLine($"| greedy pass@1 | {P(s.AccuracyBefore)} | {P(s.AccuracyAfter)} |");
        md.AppendLine($"| sampled pass@1 (T = {evalTemperature.ToString(CultureInfo.InvariantCulture)}) | {P(s.SampledPass1Before)} | {P(s.SampledPass1After)} |");
        md.AppendLine($"| maj@{s.EvalK} | {P(s.MajAtKBefore)} | {P(s.MajAtKAfter)} |");
        md.AppendLine($"| pass@{s.EvalK} | {P(s.PassAtKBefore)} | {P(s.PassAtKAfter)} |");
        if (s.ToolCallRateBefore is { } callsBefore)
            md.AppendLine($"| greedy completions that call a tool | {P(callsBefore)} | {P(s.ToolCallRateAfter ?? 0)} |");
        md.AppendLine($"| format rate (greedy) | {P(s.FormatRateBefore)} | {P(s.FormatRateAfter)} |");
        md.AppendLine($"| mean completion length (tokens, greedy) | {F(s.MeanCompletionLenBefore)} | {F(s.MeanCompletionLenAfter)} |");
        md.AppendLine($"| mean completion length (tokens, sampled) | {F(s.SampledMeanLenBefore)} | {F(s.SampledMeanLenAfter)} |");
        md.AppendLine($"| sampled completions that verify or backtrack | {P(s.ReflectionRateBefore)} | {P(s.ReflectionRateAfter)} |");
        md.AppendLine($"| sampled completions that self-correct (backtrack) | {P(s.BacktrackRateBefore)} | {P(s.BacktrackRateAfter)} |");
        if (s.AttemptsPerCompletionBefore is { } attemptsBefore)
            md.AppendLine($"| attempts per sampled completion (search) | {F2(attemptsBefore)} | {F2(s.AttemptsPerCompletionAfter ?? 0)} |");
        md.AppendLine();
        md.AppendLine("A completion *verifies* when it contains `check` (or `verify`) followed by an equation, and *backtracks* when it contains " +
                      "`wait` followed by an equation (`ReflectionDetector`).");
        md.AppendLine();
        if (s.AttemptsPerCompletionBefore is not null)
        {
            md.AppendLine("## Search");
            md.AppendLine();
            md.AppendLine($"An *attempt* is an equation `expression=value` in the think block (`CountdownSearch`); whether it reaches the target is computed from the expression. " +
                          $"Attempts per sampled completion: {F2(s.AttemptsPerCompletionBefore.Value)} before RL, {F2(s.AttemptsPerCompletionAfter ?? 0)} after.");
            md.AppendLine();
            if (searchExamples.Count == 0)
                md.AppendLine("No right held-out completion after RL has an attempt that misses followed by one that reaches the target.");
            else
            {
                md.AppendLine("Right held-out completions after RL where an attempt that misses is followed by one that reaches the target:");
                md.AppendLine();
                foreach (var (prompt, completion) in searchExamples)
                    md.AppendLine($"- `{Escape(prompt)}{Escape(completion)}`");
            }
            md.AppendLine();
        }
        md.AppendLine("## The aha step");
        md.AppendLine();
        if (s.AhaStep is int aha)
        {
            md.AppendLine($"From RL step **{aha}** on, for the first time, most of the right sampled completions contained a self-correction " +
                          $"(`reflection/right_self_corrected` > 50%, pooled over steps {aha}–{aha + ReflectionObserver.AhaWindow - 1}). Two right completions from around it:");
            md.AppendLine();
            foreach (var (step, sample) in ahaExamples)
                md.AppendLine($"- step {step}: `{Escape(sample.Prompt)}{Escape(sample.Completion)}` (answer {sample.Answer})");
        }
        else
            md.AppendLine($"No {ReflectionObserver.AhaWindow} consecutive RL steps had most of their right completions self-correct: no aha step.");
        md.AppendLine();
        md.AppendLine("Sampled pass@1 rising toward pass@k is the signature of RL *sharpening* the distribution: it moves probability onto " +
                      "reasoning the base model could already produce, rather than teaching new facts.");
        md.AppendLine();
        md.AppendLine("## Curves");
        md.AppendLine();
        foreach (var (file, caption) in new[]
                 {
                     ("r1zero_accuracy", "Held-out greedy accuracy (problems RL never sees) and the accuracy of the training samples."),
                     ("reward", "Mean reward per step."),
                     ("r1zero_format", "Share of sampled completions that are well formed and that use a think block."),
                     ("r1zero_length", "Completion length."),
                     ("r1zero_tools", "Share of held-out greedy completions that call a tool (every N steps), and tool calls per sampled training trajectory."),
                     ("r1zero_reflection", "Share of sampled completions that verify or backtrack (reflection/rate), that self-correct, and of the right ones that self-correct (the aha step is where it passes 50%, pooled over 5 steps)."),
                     ("entropy", "Policy entropy: it falls as the policy sharpens."),
                     ("groups", "Share of groups whose G samples all scored the same (no learning signal)."),
                     ("kl", "KL divergence to the base model."),
                 })
        {
            if (File.Exists(Path.Combine(outDir, RunFiles.PlotsDir, file + ".png")))
            {
                md.AppendLine($"![{file}]({RunFiles.PlotsDir}/{file}.png)");
                md.AppendLine();
                md.AppendLine($"*{caption}*");
                md.AppendLine();
            }
        }
        if (s.TestTimeCompute is { } t && File.Exists(Path.Combine(outDir, ScalingFigures.TableFile)))
        {
            md.AppendLine("## Test-time compute");
            md.AppendLine();
            md.AppendLine($"How much sampling more buys, before and after RL (Snell et al. 2024): held-out accuracy on {t.Problems} problems when N samples are drawn " +
                          "and the answer is chosen by an oracle (pass@N), by majority vote (maj@N) or by the highest score of " +
                          (t.Scorer == RewardModelScorer.ScorerName
                              ? $"an outcome reward model trained on {t.RewardModelPairs} right-over-wrong pairs of the base model's own samples of training problems " +
                                $"(best-of-N; on held-out problems it ranks a right sample above a wrong one {PairAccuracy(t.ScorerPairAccuracyBefore)} of the time for the base model's samples, " +
                                $"{PairAccuracy(t.ScorerPairAccuracyAfter)} for the RL model's)."
                              : "the verifier (best-of-N; the base model's samples gave no right/wrong pair to train a reward model on)."));
            md.AppendLine();
            md.AppendLine(File.ReadAllText(Path.Combine(outDir, ScalingFigures.TableFile)).TrimEnd());
            md.AppendLine();
            md.AppendLine($"![compute scaling]({ScalingFigures.PlotFile})");
            md.AppendLine();
        }
        md.AppendLine("## The same problems, before and after");
        md.AppendLine();
        var afterById = after.Problems.ToDictionary(p => p.Id);
        var shown = before.Problems.Where(p => !p.GreedyCorrect && afterById[p.Id].GreedyCorrect).Take(4)
            .Concat(before.Problems.Where(p => p.GreedyCorrect).Take(1))
            .Concat(before.Problems.Where(p => !afterById[p.Id].GreedyCorrect).Take(1)).DistinctBy(p => p.Id).ToList();
        foreach (var b in shown)
        {
            var a = afterById[b.Id];
            md.AppendLine($"**{Escape(b.Prompt)}** (answer {b.Answer})");
            md.AppendLine();
            md.AppendLine($"- before: `{Escape(b.GreedyCompletion)}` {(b.GreedyCorrect ? "✓" : "✗")}");
            md.AppendLine($"- after: `{Escape(a.GreedyCompletion)}` {(a.GreedyCorrect ? "✓" : "✗")}");
            md.AppendLine();
        }
        md.AppendLine("## Files");
        md.AppendLine();
        md.AppendLine("`summary.json` (the numbers above), `metrics.jsonl`/`metrics.csv` (one row per RL step; step 0 is the held-out subset before RL), " +
                      "`completions.jsonl` (sampled training completions with rewards and advantages), `eval_completions.jsonl` (every held-out problem, " +
                      "before and after), `corpus_sample.txt`, `base_model/` (the pretrained checkpoint, loadable with `--model`), `final/` (the RL-trained policy), " +
                      "`reward_model/` and `compute_scaling.md`/`.json`/`.png` (test-time compute, when measured), `checkpoints/` (RL-stage checkpoints, for `--resume`), `resolved_config.yaml` (every setting of this run), `plots/`.");
        md.AppendLine();
        md.AppendLine($"Timings: pretraining {F(s.PretrainSeconds)} s, RL {F(s.RlSeconds)} s, total {F(s.TotalSeconds)} s.");
        AtomicFile.WriteText(Path.Combine(outDir, R1ZeroOutput.ReportFile), md.ToString());
    }

    static string PairAccuracy(double? x) => x is double v ? P(v) : "n/a (no problem had both right and wrong samples)";

    static string Escape(string s) => s.Replace("\n", "⏎").Replace("`", "'");
}
