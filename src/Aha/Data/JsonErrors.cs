using System.Text.Json;

namespace Aha.Data;

/// <summary>
/// User-facing text for a <see cref="JsonException"/>: the position in words (line, column; 1-based) and what the
/// parser expected, without .NET's "LineNumber: 0 | BytePositionInLine: 26" trailer, which counts from 0 and would
/// contradict the position we print.
/// </summary>
public static class JsonErrors
{
    /// <summary><c>line 3, column 27: 'x' is an invalid start of a value</c> (the position only where the parser knows it).</summary>
    public static string Describe(JsonException e, bool withLine = true)
    {
        ArgumentNullException.ThrowIfNull(e);
        var what = e.Message;
        int trailer = what.IndexOf(" LineNumber:", StringComparison.Ordinal);
        if (trailer < 0) trailer = what.IndexOf(" Path: ", StringComparison.Ordinal);
        if (trailer >= 0) what = what[..trailer];
        what = what.TrimEnd('.', ' ');
        var where = (withLine ? e.LineNumber : null, e.BytePositionInLine) switch
        {
            (long l, long c) => $"line {l + 1}, column {c + 1}: ",
            (null, long c) => $"column {c + 1}: ",
            (long l, null) => $"line {l + 1}: ",
            _ => "",
        };
        return where + what;
    }
}
