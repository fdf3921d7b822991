using Aha.Configuration;

namespace Aha.Training.Runs;

/// <summary>
/// A run's data: JSONL files (<see cref="Train"/>, <see cref="Eval"/>), or a built-in synthetic task
/// (<see cref="Task"/>) generated with a fixed seed into disjoint train and test splits. Which JSONL schema a file needs
/// depends on the command: prompts (<c>{"prompt","answer"}</c>, GSM8K, MATH) for grpo/ppo/rejection-sample/eval,
/// SFT (<c>{"messages"}</c> or <c>{"prompt","completion"}</c>) for sft, preferences (<c>{"prompt","chosen","rejected"}</c>)
/// for rm and dpo, unpaired (<c>{"prompt","completion","label"}</c>, or preference lines) for kto.
/// </summary>
public sealed record DataSection : IValidatableConfig
{
    /// <summary>Training JSONL file(s), read in order and concatenated. Default none.</summary>
    public IReadOnlyList<string> Train { get; init; } = [];

    /// <summary>Evaluation JSONL file(s). Default none (with a task: its test split).</summary>
    public IReadOnlyList<string> Eval { get; init; } = [];

    /// <summary>
    /// Built-in task instead of files: <c>arithmetic</c> or <c>countdown</c>. Null with no files means
    /// <see cref="DefaultTask"/>. Default null.
    /// </summary>
    public string? Task { get; init; }

    /// <summary>Task problems in the train split. The default value is 64.</summary>
    public int TrainSize { get; init; } = 64;

    /// <summary>Task problems in the test split (evaluation). The default value is 16.</summary>
    public int EvalSize { get; init; } = 16;

    /// <summary>Task difficulty (arithmetic 1..5, countdown 1..3); null takes the task's default (2, 3).</summary>
    public int? Difficulty { get; init; }

    /// <summary>Seed of the task's generator and of the prompt order. The default value is 0.</summary>
    public long Seed { get; init; }

    /// <summary>
    /// Prompt template applied to each question, containing <c>{question}</c>; or <c>raw</c>, <c>think_answer</c>,
    /// <c>r1_zero</c>. Null: the task's own template, and JSONL prompts as they are. Default null.
    /// </summary>
    public string? Template { get; init; }

    /// <summary>The task used when neither a task nor files are given.</summary>
    public const string DefaultTask = "arithmetic";

    /// <summary>The task the data comes from: <see cref="Task"/>, else <see cref="DefaultTask"/> when no files are given, else null.</summary>
    public string? ResolvedTask => Task ?? (Train.Count == 0 && Eval.Count == 0 ? DefaultTask : null);

    /// <summary>Whether the data comes from a task rather than files.</summary>
    public bool UsesTask => ResolvedTask is not null;

    /// <summary>
    /// Null when the task can supply <see cref="TrainSize"/> + <see cref="EvalSize"/> distinct problems, else why not.
    /// A low difficulty has few (one-digit a+b: 100), and only drawing the split tells, so it is drawn here (it takes
    /// milliseconds) to make the shortfall a config error naming the key instead of a failure at run start.
    /// </summary>
    private string? TaskTooSmall()
    {
        Aha.Tasks.ISyntheticTask task;
        try { task = Aha.Tasks.TaskDatasets.Create(ResolvedTask!, Difficulty); }
        catch (ArgumentException) { return null; } // an unknown task or difficulty is reported by its own check
        try
        {
            Aha.Tasks.TaskDatasets.Generate(task, TrainSize, EvalSize, Seed);
            return null;
        }
        catch (InvalidOperationException e)
        {
            return $"task '{ResolvedTask}' at difficulty {Difficulty?.ToString(System.Globalization.CultureInfo.InvariantCulture) ?? "(default)"} " +
                   $"cannot supply {TrainSize} train + {EvalSize} test distinct problems ({e.Message.TrimEnd('.')}); lower train_size or raise difficulty.";
        }
    }

    public IEnumerable<ConfigProblem> Problems()
    {
        if (Task is not null && Train.Count > 0) yield return new ConfigProblem("", "set either 'task' or 'train' files, not both.");
        if (Task is not null && !Aha.Tasks.TaskDatasets.Names.Contains(Task.Trim().ToLowerInvariant()))
            yield return new ConfigProblem("task", $"unknown task '{Task}'; known: {string.Join(", ", Aha.Tasks.TaskDatasets.Names)}.", Task);
        for (int i = 0; i < Train.Count; i++)
            if (!File.Exists(Train[i])) yield return new ConfigProblem($"train[{i}]", $"file '{Train[i]}' not found.");
        for (int i = 0; i < Eval.Count; i++)
            if (!File.Exists(Eval[i])) yield return new ConfigProblem($"eval[{i}]", $"file '{Eval[i]}' not found.");
        if (TrainSize < 1) yield return new ConfigProblem("train_size", $"must be ≥ 1 (got {TrainSize}).", TrainSize);
        if (EvalSize < 0) yield return new ConfigProblem("eval_size", $"must be ≥ 0 (got {EvalSize}).", EvalSize);
        if (UsesTask && TrainSize >= 1 && EvalSize >= 0 && TaskTooSmall() is { } tooSmall) yield return new ConfigProblem("train_size", tooSmall, TrainSize);
        if (Template is not null && RunData.TemplateFor(Template) is null)
            yield return new ConfigProblem("template", $"'{Template}' is neither raw, think_answer, r1_zero nor a text containing {{question}}.");
    }
}
