using System.Text.Json;

namespace Aha.Tools;

/// <summary>One tool call found in a policy turn: a name and an arguments object, or why it could not be read.</summary>
public sealed record ParsedToolCall(string? Name, JsonElement Arguments, string? Error)
{
    public bool IsValid => Error is null;
}

/// <summary>
/// Finds tool calls in the Hermes format the Qwen2.5/Qwen3 chat templates use:
/// <c>&lt;tool_call&gt;\n{"name": "calculator", "arguments": {"expression": "12*34"}}\n&lt;/tool_call&gt;</c>, several
/// per turn allowed. A call that cannot be read (no closing tag, invalid JSON, no name, arguments not an object) is
/// returned with an <see cref="ParsedToolCall.Error"/> for the policy to read, never thrown.
/// </summary>
public static class ToolCallParser
{
    public const string Open = "<tool_call>", Close = "</tool_call>";

    /// <summary>Most characters read as one call's JSON (longer is an error), so hostile turns stay cheap.</summary>
    public const int MaxCallChars = 8192;

    /// <summary>The calls in <paramref name="text"/>, in order; empty when it makes none.</summary>
    public static IReadOnlyList<ParsedToolCall> Parse(string text)
    {
        ArgumentNullException.ThrowIfNull(text);
        var calls = new List<ParsedToolCall>();
        int at = 0;
        while ((at = text.IndexOf(Open, at, StringComparison.Ordinal)) >= 0)
        {
            int start = at + Open.Length;
            int end = text.IndexOf(Close, start, StringComparison.Ordinal);
            if (end < 0)
            {
                calls.Add(Invalid($"the tool call has no closing {Close}"));
                break;
            }
            calls.Add(ParseBody(text[start..end]));
            at = end + Close.Length;
        }
        return calls;
    }

    static ParsedToolCall ParseBody(string body)
    {
        if (body.Length > MaxCallChars) return Invalid($"the tool call is longer than {MaxCallChars} characters");
        JsonDocument doc;
        try { doc = JsonDocument.Parse(body.Trim(), new JsonDocumentOptions { MaxDepth = 32 }); }
        catch (JsonException e) { return Invalid($"the tool call is not valid JSON ({e.Message.Split(" Path:")[0]})"); }
        using (doc)
        {
            var root = doc.RootElement;
            if (root.ValueKind != JsonValueKind.Object) return Invalid("the tool call must be a JSON object {\"name\": …, \"arguments\": {…}}");
            if (!root.TryGetProperty("name", out var name) || name.ValueKind != JsonValueKind.String || name.GetString() is not { Length: > 0 } n)
                return Invalid("the tool call needs a string \"name\"");
            if (!root.TryGetProperty("arguments", out var args)) return new ParsedToolCall(n, EmptyObject(), null);
            // Some models write the arguments as a JSON string holding the object (OpenAI's wire format): accept both.
            if (args.ValueKind == JsonValueKind.String)
            {
                try { using var inner = JsonDocument.Parse(args.GetString()!); args = inner.RootElement.Clone(); }
                catch (JsonException) { return Invalid($"the \"arguments\" of '{n}' must be a JSON object", n); }
            }
            if (args.ValueKind != JsonValueKind.Object) return Invalid($"the \"arguments\" of '{n}' must be a JSON object", n);
            return new ParsedToolCall(n, args.Clone(), null);
        }
    }

    static ParsedToolCall Invalid(string error, string? name = null) => new(name, EmptyObject(), error);

    static JsonElement EmptyObject() => JsonDocument.Parse("{}").RootElement.Clone();
}
