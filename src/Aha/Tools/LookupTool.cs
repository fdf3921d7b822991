using System.Text.Json;
using Aha.Data;

namespace Aha.Tools;

/// <summary>
/// A lookup over a local JSONL table: each line an object with a string <c>key</c> field; <c>{"key": "paris"}</c>
/// answers with that record's <c>value</c> field (its text, or its raw JSON when not a string). Keys are matched
/// exactly after trimming; an unknown key is an error observation. The table is read once, at construction.
/// </summary>
public sealed class LookupTool : ITool
{
    static readonly JsonElement Schema = ToolArguments.OneStringSchema("key", "the entry to look up");

    readonly Dictionary<string, string> _table;

    /// <param name="path">The JSONL table.</param>
    /// <param name="name">The tool's name. The default value is "lookup".</param>
    /// <param name="description">One line for the system prompt.</param>
    /// <exception cref="DataFormatException">A line is not an object with string "key" and a "value", or a key repeats (names file, line, field).</exception>
    public LookupTool(string path, string name = "lookup", string description = "Look up an entry of a table by its key.")
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(path);
        Name = name;
        Description = description;
        _table = new Dictionary<string, string>(StringComparer.Ordinal);
        var rows = JsonlReader.Read(path, r =>
        {
            var key = r.RequiredString("key", allowEmpty: false).Trim();
            if (!r.Root.TryGetProperty("value", out var v)) throw r.Error("value", "is missing");
            return (Key: key, Value: v.ValueKind == JsonValueKind.String ? v.GetString()! : v.GetRawText(), Line: r.LineNumber);
        });
        foreach (var row in rows)
            if (!_table.TryAdd(row.Key, row.Value)) throw new DataFormatException(path, row.Line, "key", $"\"{row.Key}\" appears twice");
        Count = _table.Count;
    }

    public string Name { get; }

    public string Description { get; }

    public JsonElement ParametersSchema => Schema;

    /// <summary>Entries in the table.</summary>
    public int Count { get; }

    public Task<string> InvokeAsync(JsonElement arguments, CancellationToken cancellationToken)
    {
        var key = ToolArguments.RequiredString(arguments, "key", Name).Trim();
        return _table.TryGetValue(key, out var value)
            ? Task.FromResult(value)
            : throw new ToolException($"no entry '{key}' in the {Name} table");
    }
}
