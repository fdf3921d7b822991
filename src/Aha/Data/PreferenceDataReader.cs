namespace Aha.Data;

/// <summary>
/// Reads preference JSONL, streaming: <c>{"prompt", "chosen", "rejected"}</c>, each text or a message list. The prompt
/// may be left out only when chosen and rejected are both message lists (the prompt is inside them).
/// </summary>
public static class PreferenceDataReader
{
    public static IEnumerable<PreferenceExample> Read(string path, JsonlOptions? options = null, JsonlReadStats? stats = null) =>
        JsonlReader.Read(path, Parse, options, stats);

    private static PreferenceExample Parse(JsonlRecord r)
    {
        var chosen = r.TextOrMessages("chosen");
        var rejected = r.TextOrMessages("rejected");
        TextOrMessages? prompt = null;
        if (r.Has("prompt")) prompt = r.TextOrMessages("prompt");
        else if (chosen.IsText || rejected.IsText)
            throw r.Error("prompt", "missing (required when chosen/rejected are text)");
        return new PreferenceExample(r.Id(), prompt, chosen, rejected);
    }
}
