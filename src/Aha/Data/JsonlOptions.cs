namespace Aha.Data;

/// <summary>How JSONL files are read.</summary>
public sealed record JsonlOptions
{
    /// <summary>
    /// Skip malformed lines instead of failing on the first one; they are counted in <see cref="JsonlReadStats"/> and
    /// reported through <see cref="Report"/> at the end. Default false: the first bad line is an error.
    /// </summary>
    public bool SkipBadLines { get; init; }

    /// <summary>How many skipped-line errors to keep for the report. Default 10.</summary>
    public int MaxKeptErrors { get; init; } = 10;

    /// <summary>Receives the end-of-file summary when lines were skipped (e.g. Console.Error.WriteLine).</summary>
    public Action<string>? Report { get; init; }
}

/// <summary>Counts from one pass over a JSONL file; complete once enumeration has finished.</summary>
public sealed class JsonlReadStats
{
    private readonly List<DataFormatException> _errors = new();

    public int Records { get; internal set; }

    public int SkippedLines { get; internal set; }

    /// <summary>The first few errors of skipped lines.</summary>
    public IReadOnlyList<DataFormatException> Errors => _errors;

    internal void Skip(DataFormatException e, int keep)
    {
        SkippedLines++;
        if (_errors.Count < keep) _errors.Add(e);
    }

    public string Summary(string path) =>
        SkippedLines == 0
            ? $"{path}: {Records} records"
            : $"{path}: {Records} records, skipped {SkippedLines} bad line(s); first: {_errors[0].Message}";
}
