using Aha.Data;

namespace Aha.Tasks;

/// <summary>
/// One generated problem. <see cref="Key"/> identifies the problem up to presentation (e.g. Countdown's sorted
/// numbers and target), so train and test never share a problem.
/// </summary>
public sealed record SyntheticProblem(string Question, string Answer, string Key, IReadOnlyDictionary<string, string> Metadata);

/// <summary>A seeded generator of verifiable problems (see <see cref="TaskDatasets"/> for splits).</summary>
public interface ISyntheticTask
{
    /// <summary>"arithmetic", "countdown".</summary>
    string Name { get; }

    /// <summary>The template used when none is given; asks for &lt;think&gt;…&lt;/think&gt; then &lt;answer&gt;…&lt;/answer&gt;.</summary>
    PromptTemplate DefaultTemplate { get; }

    SyntheticProblem Generate(SeededRandom rng);

    /// <summary>
    /// Test problems always drawn first and kept out of the train split, even when a split asks for fewer (it gets the
    /// first ones): a pretrained base's held-out set, which no training data may contain. The default value is 0.
    /// </summary>
    int ReservedTestProblems => 0;
}
