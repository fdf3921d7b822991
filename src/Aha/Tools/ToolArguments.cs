using System.Text.Json;

namespace Aha.Tools;

/// <summary>Reading a tool's arguments object, with errors the policy can act on.</summary>
public static class ToolArguments
{
    /// <summary>The JSON Schema of an arguments object with one required string <paramref name="field"/>.</summary>
    public static JsonElement OneStringSchema(string field, string description) =>
        JsonSerializer.SerializeToElement(new Dictionary<string, object>
        {
            ["type"] = "object",
            ["properties"] = new Dictionary<string, object> { [field] = new Dictionary<string, string> { ["type"] = "string", ["description"] = description } },
            ["required"] = new[] { field },
        });

    /// <summary>The string argument <paramref name="field"/>.</summary>
    /// <exception cref="ToolException">Missing or not a string.</exception>
    public static string RequiredString(JsonElement arguments, string field, string tool)
    {
        if (arguments.ValueKind != JsonValueKind.Object || !arguments.TryGetProperty(field, out var v))
            throw new ToolException($"tool '{tool}' needs the argument \"{field}\"");
        return v.ValueKind switch
        {
            JsonValueKind.String => v.GetString()!,
            JsonValueKind.Number => v.GetRawText(), // models often write {"key": 42}; the text is what we compare
            _ => throw new ToolException($"argument \"{field}\" of '{tool}' must be a string"),
        };
    }
}
