using System.Text.Json;
using Aha.Rewards;

namespace Aha.Data;

/// <summary>Which prompt/answer schema a JSONL file uses.</summary>
public enum PromptDataFormat
{
    /// <summary>Per line: "prompt" → <see cref="PromptAnswer"/>, "question" → <see cref="Gsm8k"/>, "problem" → <see cref="Math"/>.</summary>
    Auto,
    /// <summary><c>{"prompt", "answer", "id"?, "metadata"?}</c>; answer a string or number.</summary>
    PromptAnswer,
    /// <summary>GSM8K: <c>{"question", "answer"}</c>, the answer's "#### n" line is the ground truth.</summary>
    Gsm8k,
    /// <summary>MATH (Hendrycks): <c>{"problem", "solution"}</c>, the last \boxed{} is the ground truth.</summary>
    Math,
}

/// <summary>Options for <see cref="PromptDataReader"/>.</summary>
public sealed record PromptReadOptions
{
    public PromptDataFormat Format { get; init; } = PromptDataFormat.Auto;

    /// <summary>Applied to the question to make the prompt (the raw question is kept in metadata "question"). Default: none.</summary>
    public PromptTemplate? Template { get; init; }

    /// <summary>Every record needs an answer. Default true; false allows prompt-only data (reward-model RL).</summary>
    public bool RequireAnswer { get; init; } = true;

    public JsonlOptions Jsonl { get; init; } = new();
}

/// <summary>
/// Reads prompt/answer JSONL (and the GSM8K and MATH layouts) into <see cref="PromptItem"/>s, streaming.
/// Fields other than the ones consumed go to metadata (strings as is, other JSON as raw text), as do the entries of
/// an optional "metadata" object; nothing is dropped. GSM8K and MATH keep the full solution in metadata "solution".
/// </summary>
public static class PromptDataReader
{
    public static IEnumerable<PromptItem> Read(string path, PromptReadOptions? options = null, JsonlReadStats? stats = null)
    {
        var o = options ?? new PromptReadOptions();
        return JsonlReader.Read(path, r => Parse(r, o), o.Jsonl, stats);
    }

    private static PromptItem Parse(JsonlRecord r, PromptReadOptions o)
    {
        var format = o.Format;
        if (format == PromptDataFormat.Auto)
        {
            format = r.Has("prompt") ? PromptDataFormat.PromptAnswer
                : r.Has("question") ? PromptDataFormat.Gsm8k
                : r.Has("problem") ? PromptDataFormat.Math
                : throw r.Error("prompt", "missing; expected 'prompt' (or 'question' for GSM8K, 'problem' for MATH)");
        }
        var metadata = new Dictionary<string, string>();
        string question;
        string? answer;
        string[] consumed;
        switch (format)
        {
            case PromptDataFormat.PromptAnswer:
                question = r.RequiredString("prompt", allowEmpty: false);
                answer = o.RequireAnswer || r.Has("answer") ? r.RequiredScalar("answer") : null;
                consumed = ["prompt", "answer"];
                break;
            case PromptDataFormat.Gsm8k:
                question = r.RequiredString("question", allowEmpty: false);
                var solution = r.RequiredString("answer");
                answer = AnswerExtractor.AfterHashes(solution) is { } hashes
                    ? AnswerExtractor.Normalize(hashes)
                    : throw r.Error("answer", "GSM8K answer has no '#### n' final line");
                metadata["solution"] = solution;
                consumed = ["question", "answer"];
                break;
            case PromptDataFormat.Math:
                question = r.RequiredString("problem", allowEmpty: false);
                var mathSolution = r.RequiredString("solution");
                answer = AnswerExtractor.LastBoxed(mathSolution) is { } boxed
                    ? AnswerExtractor.Normalize(boxed)
                    : throw r.Error("solution", "MATH solution has no \\boxed{} answer");
                metadata["solution"] = mathSolution;
                consumed = ["problem", "solution"];
                break;
            default:
                throw new ArgumentOutOfRangeException(nameof(o), format, "unknown format");
        }
        if (answer is not null && string.IsNullOrWhiteSpace(answer))
            throw r.Error(format == PromptDataFormat.Math ? "solution" : "answer", "answer is empty");

        foreach (var p in r.Root.EnumerateObject())
        {
            if (p.NameEquals("id") || consumed.Contains(p.Name)) continue;
            if (p.NameEquals("metadata") && p.Value.ValueKind == JsonValueKind.Object)
            {
                foreach (var m in p.Value.EnumerateObject()) metadata[m.Name] = ValueText(m.Value);
                continue;
            }
            metadata[p.Name] = ValueText(p.Value);
        }
        string prompt = question;
        if (o.Template is { } template)
        {
            metadata["question"] = question;
            prompt = template.Apply(question);
        }
        return new PromptItem(r.Id(), prompt, answer, metadata);
    }

    private static string ValueText(JsonElement v) => v.ValueKind == JsonValueKind.String ? v.GetString()! : v.GetRawText();
}
