using System.Text.Json;

namespace Aha.Tools;

/// <summary>Reading a tool's arguments object, with errors the policy can act on.</summary>
public static class ToolArguments
{
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
