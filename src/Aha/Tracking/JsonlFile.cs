using Aha.IO;
using System.Text;
using System.Text.Encodings.Web;
using System.Text.Json;

namespace Aha.Tracking;

/// <summary>Reading, trimming and appending the run folder's JSONL files.</summary>
internal static class JsonlFile
{
    /// <summary>Keeps non-ASCII text and <c>&lt;think&gt;</c> readable in files meant for people and pandas.</summary>
    public static readonly JsonWriterOptions WriterOptions = new() { Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping };

    /// <summary>
    /// The lines of an existing file that parse as JSON objects. A last line that does not parse is a write torn by a
    /// crash and is dropped; an unparsable line before it means the file is damaged.
    /// </summary>
    /// <exception cref="InvalidDataException">A line other than the last is not a JSON object (names file and line).</exception>
    public static List<(string Line, JsonElement Object)> ReadObjects(string path)
    {
        var result = new List<(string, JsonElement)>();
        if (!File.Exists(path)) return result;
        var lines = File.ReadAllLines(path, Encoding.UTF8);
        for (int i = 0; i < lines.Length; i++)
        {
            if (lines[i].Length == 0) continue;
            try
            {
                using var doc = JsonDocument.Parse(lines[i]);
                if (doc.RootElement.ValueKind != JsonValueKind.Object) throw new JsonException("not an object");
                result.Add((lines[i], doc.RootElement.Clone()));
            }
            catch (JsonException e) when (i == lines.Length - 1)
            {
                _ = e; // torn final write
            }
            catch (JsonException e)
            {
                throw new InvalidDataException($"{path}:{i + 1}: not a JSON object ({e.Message}).", e);
            }
        }
        return result;
    }

    /// <summary>Keeps only the objects whose <c>step</c> is at most <paramref name="maxStep"/>; rewrites the file atomically.</summary>
    public static List<JsonElement> TrimAfterStep(string path, int? maxStep)
    {
        var kept = ReadObjects(path)
            .Where(o => maxStep is null || (o.Object.TryGetProperty("step", out var s) && s.TryGetInt32(out var n) && n <= maxStep))
            .ToList();
        if (File.Exists(path)) AtomicFile.WriteText(path, string.Concat(kept.Select(k => k.Line + "\n")));
        return kept.Select(k => k.Object).ToList();
    }

    /// <summary>Opens <paramref name="path"/> for appending; every write should be followed by a flush.</summary>
    public static StreamWriter OpenAppend(string path)
        => new(new FileStream(path, FileMode.Append, FileAccess.Write, FileShare.Read), new UTF8Encoding(false)) { NewLine = "\n" };

    /// <summary>One JSON object written by <paramref name="write"/>, as a single line of text.</summary>
    public static string Line(Action<Utf8JsonWriter> write)
    {
        using var buffer = new MemoryStream();
        using (var writer = new Utf8JsonWriter(buffer, WriterOptions))
        {
            writer.WriteStartObject();
            write(writer);
            writer.WriteEndObject();
        }
        return Encoding.UTF8.GetString(buffer.ToArray());
    }
}
