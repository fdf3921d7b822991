using Aha.Data;

namespace Aha.R1Zero;

/// <summary>A written solution and how many error-eligible steps it had and how many carry the error.</summary>
/// <param name="Prompt">The document's own prompt when it is not the problem's (a selfcheck fact); null: the problem's.</param>
public sealed record WrittenSolution(string Completion, string Kind, bool AnswerCorrect, int ErrorSteps, int EligibleSteps, string? Prompt = null);

/// <summary>Writes one solution text for a problem (see <see cref="ArithmeticSolutions"/>, <see cref="CountdownSolutions"/>).</summary>
public interface ISolutionWriter
{
    WrittenSolution Write(PromptItem problem, SeededRandom rng, CorpusOptions options);
}

/// <summary>
/// The pretraining corpus: <see cref="CorpusOptions.Documents"/> documents drawn uniformly (with replacement) from the
/// training problems, each written by the task's <see cref="ISolutionWriter"/> with its own random choices. Held-out
/// problems are never passed in, so they never appear.
/// </summary>
public static class SyntheticCorpus
{
    /// <summary>Builds the corpus from <paramref name="problems"/> with the stream Derive(seed, "corpus").</summary>
    public static (IReadOnlyList<CorpusDocument> Documents, CorpusStats Stats) Build(
        IReadOnlyList<PromptItem> problems, ISolutionWriter writer, CorpusOptions options, long seed)
    {
        ArgumentNullException.ThrowIfNull(problems);
        ArgumentNullException.ThrowIfNull(writer);
        options = (options ?? throw new ArgumentNullException(nameof(options))).Validate();
        if (problems.Count == 0) throw new ArgumentException("The corpus needs at least one problem.", nameof(problems));
        var rng = new SeededRandom(SeededRandom.Derive(seed, "corpus"));
        var docs = new List<CorpusDocument>(options.Documents);
        int errorSteps = 0, eligible = 0;
        var distinct = new HashSet<string>(StringComparer.Ordinal);
        for (int i = 0; i < options.Documents; i++)
        {
            var problem = problems[rng.Next(problems.Count)];
            var s = writer.Write(problem, rng, options);
            errorSteps += s.ErrorSteps;
            eligible += s.EligibleSteps;
            distinct.Add(problem.Prompt);
            docs.Add(new CorpusDocument(s.Prompt ?? problem.Prompt, s.Completion, s.Kind, s.AnswerCorrect));
        }
        int n = docs.Count;
        var stats = new CorpusStats(
            n, distinct.Count,
            ThinkShare: docs.Count(d => d.Kind != "direct") / (double)n,
            DirectShare: docs.Count(d => d.Kind == "direct") / (double)n,
            WrongAnswerShare: docs.Count(d => !d.AnswerCorrect) / (double)n,
            errorSteps, eligible,
            MeanCompletionChars: docs.Average(d => (double)d.Completion.Length),
            CheckingShare: docs.Count(d => d.Kind == "checked") / (double)n);
        return (docs, stats);
    }
}
