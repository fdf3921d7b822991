using System.Text.Encodings.Web;
using System.Text.Json;

namespace Aha.Data;

/// <summary>Writes <see cref="PromptItem"/>s as JSONL in the schema <see cref="PromptDataReader"/> reads back.</summary>
public static class PromptItemJsonl
{
    private static readonly JsonWriterOptions WriterOptions = new() { Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping };

    /// <summary>One line: <c>{"id","prompt","answer","metadata":{…}}</c> (answer omitted when null).</summary>
    public static string ToLine(PromptItem item)
    {
        ArgumentNullException.ThrowIfNull(item);
        using var buffer = new MemoryStream();
        using (var w = new Utf8JsonWriter(buffer, WriterOptions))
        {
            w.WriteStartObject();
            w.WriteString("id", item.Id);
            w.WriteString("prompt", item.Prompt);
            if (item.Answer is not null) w.WriteString("answer", item.Answer);
            if (item.Metadata.Count > 0)
            {
                w.WriteStartObject("metadata");
                foreach (var (k, v) in item.Metadata) w.WriteString(k, v);
                w.WriteEndObject();
            }
            w.WriteEndObject();
        }
        return System.Text.Encoding.UTF8.GetString(buffer.GetBuffer(), 0, (int)buffer.Length);
    }

    public static void Write(string path, IEnumerable<PromptItem> items)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(path);
        ArgumentNullException.ThrowIfNull(items);
        var dir = Path.GetDirectoryName(Path.GetFullPath(path));
        if (dir is not null) Directory.CreateDirectory(dir);
        using var writer = new StreamWriter(path, append: false, new System.Text.UTF8Encoding(false));
        writer.NewLine = "\n";
        foreach (var item in items) writer.WriteLine(ToLine(item));
    }
}
