using Aha.Tokenization;
using System.Text.Json;

namespace Aha.Data;

/// <summary>
/// One parsed JSONL line (a JSON object) with its location, and typed field accessors whose errors name the file,
/// line and field. Valid only during the parse callback; copy what you need out.
/// </summary>
public readonly struct JsonlRecord
{
    internal JsonlRecord(string filePath, int lineNumber, JsonElement root)
    {
        FilePath = filePath;
        LineNumber = lineNumber;
        Root = root;
    }

    public string FilePath { get; }

    public int LineNumber { get; }

    public JsonElement Root { get; }

    public bool Has(string field) => Root.TryGetProperty(field, out var v) && v.ValueKind != JsonValueKind.Null;

    public DataFormatException Error(string? field, string problem) => new(FilePath, LineNumber, field, problem);

    /// <summary>A required string field.</summary>
    public string RequiredString(string field, bool allowEmpty = true)
    {
        if (!Root.TryGetProperty(field, out var v) || v.ValueKind == JsonValueKind.Null)
            throw Error(field, "missing (required string)");
        return AsString(v, field, allowEmpty);
    }

    /// <summary>A string field, or null when absent.</summary>
    public string? OptionalString(string field) =>
        Root.TryGetProperty(field, out var v) && v.ValueKind != JsonValueKind.Null ? AsString(v, field, true) : null;

    /// <summary>A required field that may be a string or a number (numbers are kept as written).</summary>
    public string RequiredScalar(string field)
    {
        if (!Root.TryGetProperty(field, out var v) || v.ValueKind == JsonValueKind.Null)
            throw Error(field, "missing (required string or number)");
        return v.ValueKind switch
        {
            JsonValueKind.String => v.GetString()!,
            JsonValueKind.Number => v.GetRawText(),
            _ => throw Error(field, $"expected a string or number, got {Kind(v)}"),
        };
    }

    public string AsString(JsonElement v, string field, bool allowEmpty)
    {
        if (v.ValueKind != JsonValueKind.String) throw Error(field, $"expected a string, got {Kind(v)}");
        var s = v.GetString()!;
        if (!allowEmpty && string.IsNullOrWhiteSpace(s)) throw Error(field, "is empty");
        return s;
    }

    /// <summary>A list of {"role","content"} objects; roles must be known; at least one message.</summary>
    public IReadOnlyList<ChatMessage> Messages(JsonElement v, string field)
    {
        if (v.ValueKind != JsonValueKind.Array) throw Error(field, $"expected an array of messages, got {Kind(v)}");
        var list = new List<ChatMessage>();
        int i = 0;
        foreach (var m in v.EnumerateArray())
        {
            var at = $"{field}[{i}]";
            if (m.ValueKind != JsonValueKind.Object) throw Error(at, $"expected an object {{\"role\", \"content\"}}, got {Kind(m)}");
            if (!m.TryGetProperty("role", out var role)) throw Error(at + ".role", "missing");
            var r = AsString(role, at + ".role", false);
            if (!ChatMessage.Roles.Contains(r))
                throw Error(at + ".role", $"unknown role \"{r}\"; expected one of {string.Join(", ", ChatMessage.Roles)}");
            if (!m.TryGetProperty("content", out var content)) throw Error(at + ".content", "missing");
            list.Add(new ChatMessage(r, AsString(content, at + ".content", true)));
            i++;
        }
        if (list.Count == 0) throw Error(field, "is an empty list of messages");
        return list;
    }

    /// <summary>A field holding text or a message list.</summary>
    public TextOrMessages TextOrMessages(string field)
    {
        if (!Root.TryGetProperty(field, out var v) || v.ValueKind == JsonValueKind.Null)
            throw Error(field, "missing (text or list of messages)");
        return v.ValueKind switch
        {
            JsonValueKind.String => Data.TextOrMessages.FromText(v.GetString()!),
            JsonValueKind.Array => Data.TextOrMessages.FromMessages(Messages(v, field)),
            _ => throw Error(field, $"expected text or a list of messages, got {Kind(v)}"),
        };
    }

    /// <summary>The "id" field (string or number) or "file:line".</summary>
    public string Id()
    {
        if (Root.TryGetProperty("id", out var v))
        {
            if (v.ValueKind == JsonValueKind.String) return v.GetString()!;
            if (v.ValueKind == JsonValueKind.Number) return v.GetRawText();
            if (v.ValueKind != JsonValueKind.Null) throw Error("id", $"expected a string or number, got {Kind(v)}");
        }
        return $"{Path.GetFileName(FilePath)}:{LineNumber}";
    }

    internal static string Kind(JsonElement v) => v.ValueKind switch
    {
        JsonValueKind.Object => "object",
        JsonValueKind.Array => "array",
        JsonValueKind.String => "string",
        JsonValueKind.Number => $"number {v.GetRawText()}",
        JsonValueKind.True or JsonValueKind.False => $"boolean {v.GetRawText()}",
        JsonValueKind.Null => "null",
        _ => v.ValueKind.ToString(),
    };
}
