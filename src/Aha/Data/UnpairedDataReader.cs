using System.Text.Json;

namespace Aha.Data;

/// <summary>
/// Reads unpaired preference JSONL, streaming (TRL's KTO format): <c>{"prompt", "completion", "label"}</c>, prompt and
/// completion text or message lists (both the same kind; a message-list completion starts with an assistant message),
/// label <c>true</c> (desirable) or <c>false</c> (undesirable). A paired line <c>{"prompt", "chosen", "rejected"}</c>
/// is unpaired into two examples, chosen labelled true and rejected false (TRL <c>unpair_preference_dataset</c>), so
/// the preference files of <c>aha dpo</c> serve too. Errors name file, line and field.
/// </summary>
public static class UnpairedDataReader
{
    public static IEnumerable<UnpairedExample> Read(string path, JsonlOptions? options = null, JsonlReadStats? stats = null) =>
        JsonlReader.Read(path, Parse, options, stats).SelectMany(e => e);

    private static UnpairedExample[] Parse(JsonlRecord r)
    {
        var prompt = r.TextOrMessages("prompt");
        var id = r.Id();
        if (!r.Has("label") && r.Has("chosen") && r.Has("rejected"))
            return [Example(r, id + "/chosen", prompt, "chosen", true), Example(r, id + "/rejected", prompt, "rejected", false)];
        if (!r.Root.TryGetProperty("label", out var label) || label.ValueKind == JsonValueKind.Null)
            throw r.Error("label", "missing (true for a desirable completion, false for an undesirable one; or give 'chosen' and 'rejected')");
        if (label.ValueKind is not (JsonValueKind.True or JsonValueKind.False))
            throw r.Error("label", $"expected true or false, got {JsonlRecord.Kind(label)}");
        return [Example(r, id, prompt, "completion", label.ValueKind == JsonValueKind.True)];
    }

    private static UnpairedExample Example(JsonlRecord r, string id, TextOrMessages prompt, string field, bool label)
    {
        var completion = r.TextOrMessages(field);
        if (completion.IsText != prompt.IsText)
            throw r.Error(field, $"is {(completion.IsText ? "text" : "a message list")} but prompt is {(prompt.IsText ? "text" : "a message list")}; use one format for both");
        if (completion.IsText && completion.Text!.Length == 0) throw r.Error(field, "is empty");
        if (!completion.IsText && completion.Messages![0].Role != "assistant")
            throw r.Error(field, $"must start with an assistant message (got role \"{completion.Messages[0].Role}\")");
        return new UnpairedExample(id, prompt, completion, label);
    }
}
