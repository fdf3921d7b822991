namespace Aha.Data;

/// <summary>
/// Reads chat SFT JSONL, streaming: <c>{"messages": [{"role","content"}…]}</c> (at least one assistant turn) or
/// <c>{"prompt", "completion"}</c> (non-empty completion).
/// </summary>
public static class SftDataReader
{
    public static IEnumerable<SftExample> Read(string path, JsonlOptions? options = null, JsonlReadStats? stats = null) =>
        JsonlReader.Read(path, Parse, options, stats);

    private static SftExample Parse(JsonlRecord r)
    {
        if (r.Root.TryGetProperty("messages", out var m) && m.ValueKind != System.Text.Json.JsonValueKind.Null)
        {
            var messages = r.Messages(m, "messages");
            if (!messages.Any(x => x.Role == "assistant"))
                throw r.Error("messages", "has no assistant message to train on");
            return SftExample.Chat(r.Id(), messages);
        }
        if (!r.Has("prompt") && !r.Has("completion"))
            throw r.Error("messages", "missing; expected 'messages' or 'prompt' and 'completion'");
        return SftExample.Text(r.Id(), r.RequiredString("prompt"), r.RequiredString("completion", allowEmpty: false));
    }
}
