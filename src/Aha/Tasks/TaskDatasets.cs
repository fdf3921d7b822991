using System.Globalization;
using Aha.Data;

namespace Aha.Tasks;

/// <summary>A task's fixed-seed train and test sets; no problem (by <see cref="SyntheticProblem.Key"/>) is in both.</summary>
public sealed record TaskSplit(IReadOnlyList<PromptItem> Train, IReadOnlyList<PromptItem> Test);

/// <summary>Builds train/test sets from a synthetic task, and the tasks by name.</summary>
public static class TaskDatasets
{
    public static IReadOnlyList<string> Names { get; } = ["arithmetic", "countdown", R1ZeroArithmeticTask.TaskName];

    /// <summary>
    /// A task by name with a difficulty level (arithmetic 1..5, default 2; countdown 1..3, default 3;
    /// <c>r1zero-arithmetic</c> has one shape and ignores it).
    /// </summary>
    public static ISyntheticTask Create(string name, int? difficulty = null) => name.Trim().ToLowerInvariant() switch
    {
        R1ZeroArithmeticTask.TaskName => new R1ZeroArithmeticTask(),
        "arithmetic" => new ArithmeticTask(ArithmeticOptions.ForDifficulty(difficulty ?? 2)),
        "countdown" => new CountdownTask(CountdownOptions.ForDifficulty(difficulty ?? 3)),
        _ => throw new ArgumentException($"Unknown task '{name}'; known: {string.Join(", ", Names)}.", nameof(name)),
    };

    /// <summary>
    /// Generates <paramref name="testCount"/> distinct test problems from the stream Derive(seed, "test"), then
    /// <paramref name="trainCount"/> distinct train problems from Derive(seed, "train") that are not in the test set.
    /// The test set depends only on the seed and its count, so it stays fixed when the train size changes. A task's
    /// <see cref="ISyntheticTask.ReservedTestProblems"/> are drawn (and kept out of train) even when fewer are asked for.
    /// Ids are "{task}-{split}-{index}"; metadata gains "question" (the raw problem) and "split".
    /// </summary>
    /// <exception cref="InvalidOperationException">when the task's difficulty has too few distinct problems.</exception>
    public static TaskSplit Generate(ISyntheticTask task, int trainCount, int testCount, long seed, PromptTemplate? template = null)
    {
        ArgumentNullException.ThrowIfNull(task);
        if (trainCount < 0) throw new ArgumentException($"trainCount must be ≥ 0, got {trainCount}.", nameof(trainCount));
        if (testCount < 0) throw new ArgumentException($"testCount must be ≥ 0, got {testCount}.", nameof(testCount));
        template ??= task.DefaultTemplate;
        var taken = new HashSet<string>();
        var reserved = Draw(task, Math.Max(testCount, task.ReservedTestProblems), new SeededRandom(SeededRandom.Derive(seed, "test")), taken, template, "test");
        var test = reserved.Count == testCount ? reserved : reserved.Take(testCount).ToList();
        var train = Draw(task, trainCount, new SeededRandom(SeededRandom.Derive(seed, "train")), taken, template, "train");
        return new TaskSplit(train, test);
    }

    private static List<PromptItem> Draw(
        ISyntheticTask task, int count, SeededRandom rng, HashSet<string> taken, PromptTemplate template, string split)
    {
        var items = new List<PromptItem>(count);
        long attempts = 0, maxAttempts = 100L * count + 10_000;
        while (items.Count < count)
        {
            if (++attempts > maxAttempts)
                throw new InvalidOperationException(
                    $"Task '{task.Name}' produced only {items.Count} distinct {split} problems (of {count} wanted, {taken.Count} taken overall) " +
                    $"in {maxAttempts} draws; ask for fewer or raise the difficulty.");
            var p = task.Generate(rng);
            if (!taken.Add(p.Key)) continue;
            var metadata = new Dictionary<string, string>(p.Metadata) { ["question"] = p.Question, ["split"] = split };
            var id = $"{task.Name}-{split}-{items.Count.ToString("D6", CultureInfo.InvariantCulture)}";
            items.Add(new PromptItem(id, template.Apply(p.Question), p.Answer, metadata));
        }
        return items;
    }
}
