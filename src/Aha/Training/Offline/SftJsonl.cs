using System.Text;
using System.Text.Encodings.Web;
using System.Text.Json;
using Aha.Data;

namespace Aha.Training.Offline;

/// <summary>Writes <see cref="SftExample"/>s as JSONL in the schema <see cref="SftDataReader"/> reads back.</summary>
public static class SftJsonl
{
    static readonly JsonWriterOptions WriterOptions = new() { Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping };

    /// <summary>
    /// One line: <c>{"id", "prompt", "completion"}</c> or <c>{"id", "messages": [{"role","content"}…]}</c>, plus
    /// optional extra numeric fields (e.g. "reward"), which readers ignore.
    /// </summary>
    public static string ToLine(SftExample example, IReadOnlyDictionary<string, double>? extra = null)
    {
        ArgumentNullException.ThrowIfNull(example);
        using var buffer = new MemoryStream();
        using (var w = new Utf8JsonWriter(buffer, WriterOptions))
        {
            w.WriteStartObject();
            w.WriteString("id", example.Id);
            if (example.IsChat)
            {
                w.WriteStartArray("messages");
                foreach (var m in example.Messages!)
                {
                    w.WriteStartObject();
                    w.WriteString("role", m.Role);
                    w.WriteString("content", m.Content);
                    w.WriteEndObject();
                }
                w.WriteEndArray();
            }
            else
            {
                w.WriteString("prompt", example.Prompt);
                w.WriteString("completion", example.Completion);
            }
            if (extra is not null)
                foreach (var (k, v) in extra) w.WriteNumber(k, v);
            w.WriteEndObject();
        }
        return Encoding.UTF8.GetString(buffer.GetBuffer(), 0, (int)buffer.Length);
    }
}
