namespace Aha.Data;

/// <summary>
/// Bad data: names the file, the 1-based line (when known), the field (when known) and what was wrong,
/// e.g. <c>data.jsonl:12: field 'answer': expected a string or number, got array</c>.
/// </summary>
public sealed class DataFormatException : Exception
{
    public DataFormatException(string filePath, int? lineNumber, string? field, string problem)
        : base(Format(filePath, lineNumber, field, problem))
    {
        FilePath = filePath;
        LineNumber = lineNumber;
        Field = field;
        Problem = problem;
    }

    public string FilePath { get; }

    public int? LineNumber { get; }

    public string? Field { get; }

    /// <summary>The message without the location.</summary>
    public string Problem { get; }

    private static string Format(string file, int? line, string? field, string problem) =>
        $"{file}{(line is { } l ? $":{l}" : "")}: {(field is null ? "" : $"field '{field}': ")}{problem}";
}
