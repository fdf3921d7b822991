using System.Text.Json;

namespace Aha.Serving;

/// <summary>Typed reads of optional request fields; a wrong type or value throws a <see cref="RequestException"/> naming the field.</summary>
internal static class JsonFields
{
    public static bool Has(JsonElement o, string name) =>
        o.TryGetProperty(name, out var v) && v.ValueKind != JsonValueKind.Null;

    public static int Int(JsonElement o, string name, int fallback, int min = int.MinValue, int max = int.MaxValue)
    {
        if (!o.TryGetProperty(name, out var v) || v.ValueKind == JsonValueKind.Null) return fallback;
        if (v.ValueKind != JsonValueKind.Number || !v.TryGetInt32(out var i))
            throw new RequestException($"'{name}' must be an integer (got {Describe(v)}).", name);
        if (i < min || i > max)
            throw new RequestException($"'{name}' must be {Range(min, max)} (got {i}).", name);
        return i;
    }

    public static long? Long(JsonElement o, string name)
    {
        if (!o.TryGetProperty(name, out var v) || v.ValueKind == JsonValueKind.Null) return null;
        if (v.ValueKind != JsonValueKind.Number || !v.TryGetInt64(out var i))
            throw new RequestException($"'{name}' must be an integer (got {Describe(v)}).", name);
        return i;
    }

    public static double Double(JsonElement o, string name, double fallback)
    {
        if (!o.TryGetProperty(name, out var v) || v.ValueKind == JsonValueKind.Null) return fallback;
        if (v.ValueKind != JsonValueKind.Number || !v.TryGetDouble(out var d) || !double.IsFinite(d))
            throw new RequestException($"'{name}' must be a number (got {Describe(v)}).", name);
        return d;
    }

    public static bool Bool(JsonElement o, string name, bool fallback)
    {
        if (!o.TryGetProperty(name, out var v) || v.ValueKind == JsonValueKind.Null) return fallback;
        return v.ValueKind switch
        {
            JsonValueKind.True => true,
            JsonValueKind.False => false,
            _ => throw new RequestException($"'{name}' must be true or false (got {Describe(v)}).", name),
        };
    }

    public static string? String(JsonElement o, string name)
    {
        if (!o.TryGetProperty(name, out var v) || v.ValueKind == JsonValueKind.Null) return null;
        return v.ValueKind == JsonValueKind.String
            ? v.GetString()
            : throw new RequestException($"'{name}' must be a string (got {Describe(v)}).", name);
    }

    /// <summary>A string or a list of strings (OpenAI's <c>stop</c>).</summary>
    public static IReadOnlyList<string> Strings(JsonElement o, string name)
    {
        if (!o.TryGetProperty(name, out var v) || v.ValueKind == JsonValueKind.Null) return [];
        if (v.ValueKind == JsonValueKind.String) return [v.GetString()!];
        if (v.ValueKind == JsonValueKind.Array && v.EnumerateArray().All(e => e.ValueKind == JsonValueKind.String))
            return v.EnumerateArray().Select(e => e.GetString()!).ToList();
        throw new RequestException($"'{name}' must be a string or a list of strings (got {Describe(v)}).", name);
    }

    /// <summary>A list of non-negative integers below <paramref name="vocab"/> (token ids).</summary>
    public static IReadOnlyList<int> TokenIds(JsonElement v, string name, int vocab)
    {
        var ids = new List<int>(v.GetArrayLength());
        foreach (var e in v.EnumerateArray())
        {
            if (e.ValueKind != JsonValueKind.Number || !e.TryGetInt32(out var id))
                throw new RequestException($"'{name}' must hold integer token ids (got {Describe(e)}).", name);
            if (id < 0 || id >= vocab)
                throw new RequestException($"'{name}' holds token id {id}, outside the vocabulary [0, {vocab}).", name);
            ids.Add(id);
        }
        return ids;
    }

    public static string Describe(JsonElement v) => v.ValueKind switch
    {
        JsonValueKind.String => $"the string \"{Clip(v.GetString()!)}\"",
        JsonValueKind.Number => $"the number {v.GetRawText()}",
        JsonValueKind.Array => "a list",
        JsonValueKind.Object => "an object",
        JsonValueKind.True or JsonValueKind.False => v.GetRawText(),
        _ => "null",
    };

    static string Clip(string s) => s.Length <= 40 ? s : s[..40] + "…";

    static string Range(int min, int max) =>
        max == int.MaxValue ? $"≥ {min}" : min == int.MinValue ? $"≤ {max}" : $"in {min}..{max}";
}
