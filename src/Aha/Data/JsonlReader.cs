using System.Text;
using System.Text.Json;

namespace Aha.Data;

/// <summary>
/// Streams a JSONL file one line at a time (memory independent of file size): each non-blank line must be a JSON
/// object, handed to a parse callback. Errors are <see cref="DataFormatException"/>s naming file, line and field;
/// with <see cref="JsonlOptions.SkipBadLines"/> they are counted and reported at the end instead. An empty file, or
/// one where every line was bad, is an error. Blank lines are not records and are passed over.
/// </summary>
public static class JsonlReader
{
    public static IEnumerable<T> Read<T>(string path, Func<JsonlRecord, T> parse, JsonlOptions? options = null, JsonlReadStats? stats = null)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(path);
        ArgumentNullException.ThrowIfNull(parse);
        if (!File.Exists(path)) throw new FileNotFoundException($"Data file not found: {path}", path);
        return ReadIterator(path, parse, options ?? new JsonlOptions(), stats ?? new JsonlReadStats());
    }

    private static IEnumerable<T> ReadIterator<T>(string path, Func<JsonlRecord, T> parse, JsonlOptions options, JsonlReadStats stats)
    {
        var fileOptions = new FileStreamOptions { Mode = FileMode.Open, Access = FileAccess.Read, Options = FileOptions.SequentialScan, BufferSize = 1 << 16 };
        using var reader = new StreamReader(path, Encoding.UTF8, detectEncodingFromByteOrderMarks: true, fileOptions);
        int lineNumber = 0;
        while (reader.ReadLine() is { } line)
        {
            lineNumber++;
            if (string.IsNullOrWhiteSpace(line)) continue;
            var (item, error) = ParseLine(path, lineNumber, line, parse);
            if (error is not null)
            {
                if (!options.SkipBadLines) throw error;
                stats.Skip(error, options.MaxKeptErrors);
                continue;
            }
            stats.Records++;
            yield return item!;
        }
        if (stats.Records == 0)
        {
            throw stats.SkippedLines == 0
                ? new DataFormatException(path, null, null, "file has no records (it is empty or blank)")
                : new DataFormatException(path, null, null, $"no valid records: all {stats.SkippedLines} non-blank lines were bad; first: {stats.Errors[0].Message}");
        }
        if (stats.SkippedLines > 0) options.Report?.Invoke(stats.Summary(path));
    }

    private static (T? Item, DataFormatException? Error) ParseLine<T>(string path, int lineNumber, string line, Func<JsonlRecord, T> parse)
    {
        try
        {
            using var doc = JsonDocument.Parse(line);
            if (doc.RootElement.ValueKind != JsonValueKind.Object)
                return (default, new DataFormatException(path, lineNumber, null, $"expected a JSON object, got {JsonlRecord.Kind(doc.RootElement)}"));
            return (parse(new JsonlRecord(path, lineNumber, doc.RootElement)), null);
        }
        catch (JsonException e)
        {
            return (default, new DataFormatException(path, lineNumber, null, $"invalid JSON at {JsonErrors.Describe(e, withLine: false)}"));
        }
        catch (DataFormatException e)
        {
            return (default, e);
        }
        catch (InvalidOperationException e)
        {
            // System.Text.Json reads a string lazily: an escaped lone surrogate ("\uD800") fails only when read.
            return (default, new DataFormatException(path, lineNumber, null, $"a string is not valid Unicode text ({e.Message})"));
        }
    }
}
