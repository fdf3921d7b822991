using Aha.Data;
using Aha.Tasks;

namespace Aha.Training.Runs;

/// <summary>Reads a <see cref="DataSection"/> into the item lists the trainers take.</summary>
public static class RunData
{
    /// <summary>A named template (<see cref="PromptTemplate.Named"/>) or a text with <c>{question}</c>; null when neither.</summary>
    public static PromptTemplate? TemplateFor(string name) =>
        PromptTemplate.Named(name) ?? (name.Contains(PromptTemplate.Placeholder, StringComparison.Ordinal) ? new PromptTemplate(name) : null);

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
    /// completion is <c>&lt;think&gt;steps&lt;/think&gt;&lt;answer&gt;solution&lt;/answer&gt;</c>, which teaches the format and the
    /// answer (for countdown the hidden solution expression); the think block holds the task's worked steps where it
    /// has them (<c>r1zero-arithmetic</c>: <c>7+5=12;12-3=9</c>), else the question.
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

    /// <summary>
    /// Unpaired (KTO) examples from the JSONL files, or with a task: per prompt its cold-start completion labelled
    /// desirable, and a bare <c>&lt;answer&gt;</c> with the nearest following problem's different answer labelled
    /// undesirable (as the rejected side of configs/data/prefs-tiny.jsonl: no reasoning, wrong answer).
    /// </summary>
    public static (IReadOnlyList<UnpairedExample> Train, IReadOnlyList<UnpairedExample> Eval) Unpaired(DataSection data)
    {
        if (data.UsesTask)
        {
            var split = TaskSplit(data);
            return (Labelled(split.Train), Labelled(split.Test));
        }
        return (ReadAll(data.Train, p => UnpairedDataReader.Read(p)), ReadAll(data.Eval, p => UnpairedDataReader.Read(p)));
    }

    static List<UnpairedExample> Labelled(IReadOnlyList<PromptItem> items)
    {
        var result = new List<UnpairedExample>(2 * items.Count);
        for (int i = 0; i < items.Count; i++)
        {
            var good = ColdStart(items[i]);
            result.Add(new UnpairedExample(good.Id + "/correct", TextOrMessages.FromText(good.Prompt!), TextOrMessages.FromText(good.Completion!), true));
            var answer = AnswerOf(items[i]);
            var wrong = Enumerable.Range(1, items.Count - 1).Select(k => AnswerOf(items[(i + k) % items.Count])).FirstOrDefault(a => a != answer);
            if (wrong is not null)
                result.Add(new UnpairedExample(good.Id + "/wrong", TextOrMessages.FromText(good.Prompt!),
                    TextOrMessages.FromText($"<answer>{wrong}</answer>"), false));
        }
        return result;
    }

    static string AnswerOf(PromptItem item) => item.Metadata.GetValueOrDefault("solution") ?? item.Answer ?? "";

    /// <summary>The synthetic cold-start example of a task prompt.</summary>
    public static SftExample ColdStart(PromptItem item)
    {
        var think = item.Metadata.GetValueOrDefault("steps") ?? item.Metadata.GetValueOrDefault("question") ?? item.Prompt;
        return SftExample.Text(item.Id, item.Prompt, $"<think>{think}</think><answer>{AnswerOf(item)}</answer>");
    }

    static List<T> ReadAll<T>(IReadOnlyList<string> paths, Func<string, IEnumerable<T>> read) => paths.SelectMany(read).ToList();

    /// <summary>Every character of the texts, for a character tokenizer's alphabet.</summary>
    public static IEnumerable<string> Texts(IEnumerable<PromptItem> items) =>
        items.SelectMany(i => new[] { i.Prompt, i.Answer ?? "" }.Concat(i.Metadata.Values));

    public static IEnumerable<string> Texts(IEnumerable<SftExample> items) =>
        items.SelectMany(e => e.Messages?.Select(m => m.Content) ?? [e.Prompt ?? "", e.Completion ?? ""]);

    public static IEnumerable<string> Texts(IEnumerable<UnpairedExample> items) =>
        items.SelectMany(e => new[] { e.Prompt, e.Completion }.SelectMany(t => t.Text is { } s ? [s] : t.Messages!.Select(m => m.Content)));

    public static IEnumerable<string> Texts(IEnumerable<PreferenceExample> items) =>
        items.SelectMany(p => new[] { p.Prompt, p.Chosen, p.Rejected }.SelectMany(t => t is null ? [] : t.Text is { } s ? [s] : t.Messages!.Select(m => m.Content)));
}
