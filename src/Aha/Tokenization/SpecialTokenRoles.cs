using System.Text.Json;

namespace Aha.Tokenization;

/// <summary>
/// Which ids play BOS / EOS / PAD. Read from <c>tokenizer_config.json</c> beside tokenizer.json when it exists
/// (<c>bos_token</c>, <c>eos_token</c>, <c>pad_token</c>: a string, an object with <c>content</c>, or null).
/// Fallbacks, used when the file or a field is missing (or null, for EOS and PAD), take the first token present:
/// <list type="bullet">
/// <item>EOS: &lt;|im_end|&gt;, &lt;|endoftext|&gt;, &lt;|eot_id|&gt;, &lt;|end_of_text|&gt;, &lt;/s&gt;, &lt;eos&gt;
/// (ChatML first: Aha formats prompts as ChatML, so an assistant turn ends at &lt;|im_end|&gt;).</item>
/// <item>PAD: &lt;|endoftext|&gt;, &lt;|end_of_text|&gt;, &lt;pad&gt;, else the EOS id, else 0 (padded positions are masked,
/// so any id is correct).</item>
/// <item>BOS: an explicit <c>"bos_token": null</c> means none (Qwen); if absent: &lt;|begin_of_text|&gt;, &lt;s&gt;, &lt;bos&gt;.</item>
/// </list>
/// </summary>
internal sealed record SpecialTokenRoles(int? Bos, int? Eos, int Pad)
{
    public const string ConfigFileName = "tokenizer_config.json";

    private static readonly string[] EosFallbacks = ["<|im_end|>", "<|endoftext|>", "<|eot_id|>", "<|end_of_text|>", "</s>", "<eos>"];
    private static readonly string[] PadFallbacks = ["<|endoftext|>", "<|end_of_text|>", "<pad>"];
    private static readonly string[] BosFallbacks = ["<|begin_of_text|>", "<s>", "<bos>"];

    /// <param name="tokenizerJsonPath">The tokenizer.json; its folder is searched for tokenizer_config.json.</param>
    /// <param name="lookup">token string → id (vocabulary or added token).</param>
    /// <param name="preferred">Tokens tried before the fallback lists (Aha's character tokenizer: &lt;eos&gt;, &lt;pad&gt;).</param>
    public static SpecialTokenRoles Resolve(string tokenizerJsonPath, Func<string, int?> lookup,
        (string Eos, string Pad)? preferred = null)
    {
        var configPath = Path.Combine(Path.GetDirectoryName(Path.GetFullPath(tokenizerJsonPath))!, ConfigFileName);
        string? bos = null, eos = null, pad = null;
        var bosExplicitlyNull = false;
        if (File.Exists(configPath))
        {
            using var doc = TokenizerJson.Parse(configPath);
            var root = doc.RootElement;
            if (root.ValueKind != JsonValueKind.Object)
                throw new TokenizerFormatException(configPath, "$", $"expected an object, found {TokenizerJson.Describe(root)}");
            bos = ReadToken(root, "bos_token", configPath);
            eos = ReadToken(root, "eos_token", configPath);
            pad = ReadToken(root, "pad_token", configPath);
            bosExplicitlyNull = root.TryGetProperty("bos_token", out var b) && b.ValueKind == JsonValueKind.Null;
        }

        var bosId = bos is not null ? Must(bos, "bos_token") : bosExplicitlyNull ? null : First(BosFallbacks);
        string[] eosCandidates = preferred is { } p1 ? [p1.Eos, .. EosFallbacks] : EosFallbacks;
        string[] padCandidates = preferred is { } p2 ? [p2.Pad, .. PadFallbacks] : PadFallbacks;
        var eosId = eos is not null ? Must(eos, "eos_token") : First(eosCandidates);
        var padId = pad is not null ? Must(pad, "pad_token") : First(padCandidates) ?? eosId ?? 0;
        return new SpecialTokenRoles(bosId, eosId, padId);

        int? First(string[] candidates) => candidates.Select(lookup).FirstOrDefault(id => id is not null);

        int Must(string token, string field) => lookup(token) ?? throw new TokenizerFormatException(configPath, field,
            $"\"{token}\" is not a token of {tokenizerJsonPath} (neither in model.vocab nor in added_tokens)");
    }

    private static string? ReadToken(JsonElement root, string name, string file)
    {
        if (!root.TryGetProperty(name, out var value) || value.ValueKind == JsonValueKind.Null)
            return null;
        return value.ValueKind switch
        {
            JsonValueKind.String => value.GetString(),
            JsonValueKind.Object => TokenizerJson.Required(value, "content", JsonValueKind.String, file, name).GetString(),
            _ => throw new TokenizerFormatException(file, name,
                $"expected a string, an object with \"content\", or null; found {TokenizerJson.Describe(value)}"),
        };
    }
}
