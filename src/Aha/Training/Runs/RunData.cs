using Aha.Data;
using Aha.Tasks;

namespace Aha.Training.Runs;

/// <summary>Reads a <see cref="DataSection"/> into the item lists the trainers take.</summary>
public static class RunData
{
    /// <summary>A named template (raw, think_answer, r1_zero) or a text with <c>{question}</c>; null when neither.</summary>
    public static PromptTemplate? TemplateFor(string name) => name.Trim().ToLowerInvariant() switch
    {
        "raw" => PromptTemplate.Raw,
        "think_answer" or "think-answer" => PromptTemplate.ThinkAnswer,
        "r1_zero" or "r1-zero" => PromptTemplate.R1Zero,
        _ => name.Contains(PromptTemplate.Placeholder, StringComparison.Ordinal) ? new PromptTemplate(name) : null,
    };

    /// <summary>The task's train and test splits.</summary>
    public static TaskSplit TaskSplit(DataSection data)
    {
        var task = TaskDatasets.Create(data.ResolvedTask!, data.Difficulty);
        var template = data.Template is null ? null : TemplateFor(data.Template);
        return TaskDatasets.Generate(task, data.TrainSize, data.EvalSize, data.Seed, template);
    }

    /// <summary>RL prompts: (train, eval) from the task or the prompt JSONL files.</summary>
    public static (IReadOnlyList<PromptItem> Train, IReadOnlyList<PromptItem> Eval) Prompts(DataSection data, bool requireAnswer = true)
    {
        if (data.UsesTask)
        {
            var split = TaskSplit(data);
            return (split.Train, split.Test);
        }
        var options = new PromptReadOptions
        {
            Template = data.Template is null ? null : TemplateFor(data.Template), RequireAnswer = requireAnswer,
        };
        return (ReadAll(data.Train, p => PromptDataReader.Read(p, options)), ReadAll(data.Eval, p => PromptDataReader.Read(p, options)));
    }

    /// <summary>
    /// SFT examples: the JSONL files, or with a task a synthetic cold start (R1 stage 1 in miniature): each prompt's
    /// completion is <c>&lt;think&gt;question&lt;/think&gt;&lt;answer&gt;solution&lt;/answer&gt;</c>, which teaches the format and the
    /// answer (for countdown the hidden solution expression).
    /// </summary>
    public static (IReadOnlyList<SftExample> Train, IReadOnlyList<SftExample> Eval) Sft(DataSection data)
    {
        if (data.UsesTask)
        {
            var split = TaskSplit(data);
            return (split.Train.Select(ColdStart).ToList(), split.Test.Select(ColdStart).ToList());
        }
        return (ReadAll(data.Train, p => SftDataReader.Read(p)), ReadAll(data.Eval, p => SftDataReader.Read(p)));
    }

    /// <summary>Preference pairs from the JSONL files (tasks have no preference form).</summary>
    public static (IReadOnlyList<PreferenceExample> Train, IReadOnlyList<PreferenceExample> Eval) Preferences(DataSection data) =>
        (ReadAll(data.Train, p => PreferenceDataReader.Read(p)), ReadAll(data.Eval, p => PreferenceDataReader.Read(p)));

    /// <summary>The synthetic cold-start example of a task prompt.</summary>
    public static SftExample ColdStart(PromptItem item)
    {
        var question = item.Metadata.GetValueOrDefault("question") ?? item.Prompt;
        var answer = item.Metadata.GetValueOrDefault("solution") ?? item.Answer ?? "";
        return SftExample.Text(item.Id, item.Prompt, $"<think>{question}</think><answer>{answer}</answer>");
    }

    static List<T> ReadAll<T>(IReadOnlyList<string> paths, Func<string, IEnumerable<T>> read) => paths.SelectMany(read).ToList();

    /// <summary>Every character of the texts, for a character tokenizer's alphabet.</summary>
    public static IEnumerable<string> Texts(IEnumerable<PromptItem> items) =>
        items.SelectMany(i => new[] { i.Prompt, i.Answer ?? "" }.Concat(i.Metadata.Values));

    public static IEnumerable<string> Texts(IEnumerable<SftExample> items) =>
        items.SelectMany(e => e.Messages?.Select(m => m.Content) ?? [e.Prompt ?? "", e.Completion ?? ""]);

    public static IEnumerable<string> Texts(IEnumerable<PreferenceExample> items) =>
        items.SelectMany(p => new[] { p.Prompt, p.Chosen, p.Rejected }.SelectMany(t => t is null ? [] : t.Text is { } s ? [s] : t.Messages!.Select(m => m.Content)));
}
