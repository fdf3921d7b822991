using System.Text.Json;

namespace Aha.Tokenization;

/// <summary>Reads any tokenizer.json Aha supports and returns the matching <see cref="ITokenizer"/>.</summary>
public static class TokenizerLoader
{
    public const string TokenizerFileName = "tokenizer.json";

    /// <summary>
    /// <paramref name="path"/>: a tokenizer.json, or a folder holding one (a Hugging Face model folder).
    /// <c>model.type</c> "BPE" → <see cref="HfBpeTokenizer"/>; "WordLevel" → <see cref="CharTokenizer"/>.
    /// BOS/EOS/PAD come from tokenizer_config.json in the same folder when present (see <see cref="SpecialTokenRoles"/>).
    /// </summary>
    /// <exception cref="FileNotFoundException">No such file, or a folder without tokenizer.json.</exception>
    /// <exception cref="TokenizerFormatException">Bad JSON, a missing/ill-typed field or an unsupported feature; names file and field.</exception>
    public static ITokenizer Load(string path)
    {
        ArgumentException.ThrowIfNullOrEmpty(path);
        var file = ResolveFile(path);
        using var doc = TokenizerJson.Parse(file);
        return TokenizerJson.Guard(file, () => FromJson(doc.RootElement, file));
    }

    private static ITokenizer FromJson(JsonElement root, string file)
    {
        if (root.ValueKind != JsonValueKind.Object)
            throw new TokenizerFormatException(file, "$", $"expected an object, found {TokenizerJson.Describe(root)}");
        var model = TokenizerJson.Required(root, "model", JsonValueKind.Object, file, "$");
        var type = TokenizerJson.Required(model, "type", JsonValueKind.String, file, "model").GetString();
        return type switch
        {
            "BPE" => HfBpeTokenizer.FromJson(root, file),
            "WordLevel" => CharTokenizer.FromJson(root, file),
            _ => throw new TokenizerFormatException(file, "model.type",
                $"\"{type}\" is not supported; expected \"BPE\" (byte-level BPE) or \"WordLevel\" (Aha's character tokenizer)"),
        };
    }

    /// <summary>The tokenizer.json a path points at (the file itself, or folder/tokenizer.json).</summary>
    public static string ResolveFile(string path)
    {
        if (Directory.Exists(path))
        {
            var inside = Path.Combine(path, TokenizerFileName);
            return File.Exists(inside)
                ? inside
                : throw new FileNotFoundException($"Folder {path} has no {TokenizerFileName}", inside);
        }
        return File.Exists(path) ? path : throw new FileNotFoundException($"Tokenizer file not found: {path}", path);
    }
}
