using System.Globalization;
using System.Text.Encodings.Web;
using System.Text.Json;
using Aha.Evaluation;
using Aha.IO;

namespace Aha.R1Zero;

/// <summary>
/// The files an <c>aha r1zero</c> run writes into its run folder besides the common ones (<c>resolved_config.yaml</c>,
/// <c>metrics.jsonl</c>, <c>completions.jsonl</c>, <c>log.txt</c>, <c>plots/</c>, <c>checkpoints/</c>, <c>final/</c>).
/// </summary>
public static class R1ZeroOutput
{
    /// <summary>The pretrained base model (HF folder with its tokenizer and <see cref="BaseInfoFile"/>).</summary>
    public const string BaseModelDir = "base_model";

    /// <summary>What pretraining did (steps, seconds, final loss), inside <see cref="BaseModelDir"/>: a resumed run reports it without pretraining again.</summary>
    public const string BaseInfoFile = "base.json";

    /// <summary>Per-problem evaluation results, one line per (phase, problem).</summary>
    public const string EvalCompletionsFile = "eval_completions.jsonl";

    public const string SummaryFile = "summary.json";

    /// <summary>The outcome reward model trained on the base model's own samples (test-time compute; loadable by <c>aha eval --reward-model</c>).</summary>
    public const string RewardModelDir = "reward_model";

    public const string ReportFile = "report.md";
    public const string CorpusSampleFile = "corpus_sample.txt";

    static readonly JsonWriterOptions JsonlWriter = new() { Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping };

    /// <summary>Writes <see cref="EvalCompletionsFile"/>: every held-out problem before and after RL.</summary>
    public static void WriteEvalCompletions(string path, EvaluationReport before, EvaluationReport after)
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

    /// <summary>Writes <see cref="CorpusSampleFile"/>: the corpus's counts and its first 40 documents.</summary>
    public static void WriteCorpusSample(string path, IReadOnlyList<CorpusDocument> corpus, CorpusStats stats)
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
