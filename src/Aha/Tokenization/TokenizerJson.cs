using System.Text.Json;

namespace Aha.Tokenization;

/// <summary>Strict readers for the parts of a Hugging Face tokenizer.json that Aha uses; every error names file and field.</summary>
internal static class TokenizerJson
{
    public static JsonDocument Parse(string path)
    {
        if (!File.Exists(path))
            throw new FileNotFoundException($"Tokenizer file not found: {path}", path);
        var bytes = File.ReadAllBytes(path);
        // JSON strings are decoded lazily, so invalid UTF-8 would surface later as an untyped error from any field.
        if (InvalidUtf8At(bytes) is long bad)
            throw new TokenizerFormatException(path, "$", $"not valid UTF-8 at byte {bad}");
        try
        {
            return JsonDocument.Parse(bytes, new JsonDocumentOptions { MaxDepth = 256 });
        }
        catch (JsonException e)
        {
            throw new TokenizerFormatException(path, "$",
                $"invalid JSON at {Aha.Data.JsonErrors.Describe(e)}", e);
        }
    }

    /// <summary>Offset of the first byte that is not valid UTF-8 (overlong forms and encoded surrogates included), or null.</summary>
    private static long? InvalidUtf8At(ReadOnlySpan<byte> bytes)
    {
        if (System.Text.Unicode.Utf8.IsValid(bytes)) return null;
        Span<char> sink = stackalloc char[4096];
        long offset = 0;
        while (true)
        {
            var status = System.Text.Unicode.Utf8.ToUtf16(bytes, sink, out int read, out _, replaceInvalidSequences: false);
            if (status is System.Buffers.OperationStatus.InvalidData or System.Buffers.OperationStatus.NeedMoreData) return offset + read;
            bytes = bytes[read..];
            offset += read;
        }
    }

    /// <summary>
    /// Runs <paramref name="build"/> on a parsed file, turning what System.Text.Json and Microsoft.ML.Tokenizers throw
    /// on content they refuse (an escaped lone surrogate, a merge of tokens not in the vocabulary, two tokens with one
    /// id) into a <see cref="TokenizerFormatException"/> naming the file.
    /// </summary>
    public static T Guard<T>(string path, Func<T> build)
    {
        try
        {
            return build();
        }
        catch (Exception e) when (e is InvalidOperationException or ArgumentException)
        {
            var message = e.Message.Length <= 300 ? e.Message : e.Message[..300] + "…";
            throw new TokenizerFormatException(path, "$", $"content refused while building the tokenizer: {message}", e);
        }
    }

    /// <summary>The required member <paramref name="name"/> of <paramref name="obj"/>, of the given kind.</summary>
    public static JsonElement Required(JsonElement obj, string name, JsonValueKind kind, string file, string path)
    {
        var field = Join(path, name);
        if (obj.ValueKind != JsonValueKind.Object)
            throw new TokenizerFormatException(file, path, $"expected an object, found {Describe(obj)}");
        if (!obj.TryGetProperty(name, out var value))
            throw new TokenizerFormatException(file, field, $"missing; expected {Article(kind)}");
        if (!Is(value, kind))
            throw new TokenizerFormatException(file, field, $"expected {Article(kind)}, found {Describe(value)}");
        return value;
    }

    /// <summary>The member, or null when absent or JSON null; throws if present with another kind.</summary>
    public static JsonElement? Optional(JsonElement obj, string name, JsonValueKind kind, string file, string path)
    {
        if (obj.ValueKind != JsonValueKind.Object || !obj.TryGetProperty(name, out var value) || value.ValueKind == JsonValueKind.Null)
            return null;
        if (!Is(value, kind))
            throw new TokenizerFormatException(file, Join(path, name), $"expected {Article(kind)}, found {Describe(value)}");
        return value;
    }

    public static bool OptionalBool(JsonElement obj, string name, bool defaultValue, string file, string path) =>
        Optional(obj, name, JsonValueKind.True, file, path)?.GetBoolean() ?? defaultValue;

    public static string? OptionalString(JsonElement obj, string name, string file, string path) =>
        Optional(obj, name, JsonValueKind.String, file, path)?.GetString();

    /// <summary><c>model.vocab</c>: an object token → id.</summary>
    public static Dictionary<string, int> ReadVocab(JsonElement model, string file)
    {
        var vocab = Required(model, "vocab", JsonValueKind.Object, file, "model");
        var result = new Dictionary<string, int>(StringComparer.Ordinal);
        foreach (var entry in vocab.EnumerateObject())
        {
            if (entry.Value.ValueKind != JsonValueKind.Number || !entry.Value.TryGetInt32(out var id) || id < 0)
                throw new TokenizerFormatException(file, $"model.vocab[\"{entry.Name}\"]",
                    $"expected a non-negative integer id, found {Describe(entry.Value)}");
            result[entry.Name] = id;
        }
        return result;
    }

    /// <summary>
    /// <c>added_tokens</c>: [{ id, content, special, lstrip, rstrip, ... }]. <c>normalized</c> is not used: every
    /// added token is matched in the raw text, which equals HF wherever the normalizer leaves such tokens unchanged
    /// (all the families in the README table); <c>single_word</c> true is rejected.
    /// </summary>
    public static List<AddedToken> ReadAddedTokens(JsonElement root, string file)
    {
        var result = new List<AddedToken>();
        if (Optional(root, "added_tokens", JsonValueKind.Array, file, "$") is not { } array)
            return result;
        var i = 0;
        foreach (var item in array.EnumerateArray())
        {
            var path = $"added_tokens[{i++}]";
            var idElement = Required(item, "id", JsonValueKind.Number, file, path);
            if (!idElement.TryGetInt32(out var id) || id < 0)
                throw new TokenizerFormatException(file, path + ".id", $"expected a non-negative integer, found {idElement.GetRawText()}");
            var content = Required(item, "content", JsonValueKind.String, file, path).GetString()!;
            if (content.Length == 0)
                throw new TokenizerFormatException(file, path + ".content", "expected a non-empty string");
            if (OptionalBool(item, "single_word", false, file, path))
                throw new TokenizerFormatException(file, path + ".single_word", "true is not supported; expected false");
            result.Add(new AddedToken(id, content, OptionalBool(item, "special", false, file, path))
            {
                LStrip = OptionalBool(item, "lstrip", false, file, path),
                RStrip = OptionalBool(item, "rstrip", false, file, path),
            });
        }
        return result;
    }

    public static string Describe(JsonElement e) => e.ValueKind switch
    {
        JsonValueKind.Object => "an object",
        JsonValueKind.Array => "an array",
        JsonValueKind.String => $"the string \"{Truncate(e.GetString()!)}\"",
        JsonValueKind.Null => "null",
        _ => Truncate(e.GetRawText()),
    };

    private static bool Is(JsonElement e, JsonValueKind kind) =>
        kind is JsonValueKind.True or JsonValueKind.False
            ? e.ValueKind is JsonValueKind.True or JsonValueKind.False
            : e.ValueKind == kind;

    private static string Article(JsonValueKind kind) => kind switch
    {
        JsonValueKind.Object => "an object",
        JsonValueKind.Array => "an array",
        JsonValueKind.String => "a string",
        JsonValueKind.Number => "a number",
        JsonValueKind.True or JsonValueKind.False => "a boolean",
        _ => kind.ToString(),
    };

    private static string Join(string path, string name) => path == "$" ? name : $"{path}.{name}";

    private static string Truncate(string s) => s.Length <= 60 ? s : s[..57] + "...";
}
