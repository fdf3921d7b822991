using System.Text;
using System.Text.Json;

namespace Aha.Tokenization.Pipeline;

/// <summary>
/// tokenizer.json's <c>normalizer</c>, applied to each stretch of text between added tokens (as Hugging Face does):
/// NFC / NFD / NFKC / NFKD, <c>Prepend</c> (Llama 2's "▁" before non-empty text), <c>Replace</c> of a literal string
/// (" " → "▁" in SentencePiece-style files), <c>Lowercase</c>, and a <c>Sequence</c> of these.
/// </summary>
internal sealed class TextNormalizer
{
    private readonly Func<string, string>[] _steps;

    private TextNormalizer(Func<string, string>[] steps) => _steps = steps;

    /// <summary>No normalizer: text unchanged.</summary>
    public static TextNormalizer Identity { get; } = new([]);

    /// <summary>True when the steps include NFC (Qwen).</summary>
    public bool AppliesNfc { get; private init; }

    public string Apply(string text)
    {
        foreach (var step in _steps)
            text = step(text);
        return text;
    }

    public static TextNormalizer Read(JsonElement root, string file)
    {
        if (TokenizerJson.Optional(root, "normalizer", JsonValueKind.Object, file, "$") is not { } normalizer)
            return Identity;
        var steps = new List<Func<string, string>>();
        var nfc = false;
        Add(normalizer, "normalizer");
        return new TextNormalizer([.. steps]) { AppliesNfc = nfc };

        void Add(JsonElement step, string path)
        {
            var type = TokenizerJson.Required(step, "type", JsonValueKind.String, file, path).GetString();
            switch (type)
            {
                case "Sequence":
                    var i = 0;
                    foreach (var inner in TokenizerJson.Required(step, "normalizers", JsonValueKind.Array, file, path).EnumerateArray())
                        Add(inner, $"{path}.normalizers[{i++}]");
                    break;
                case "NFC":
                    nfc = true;
                    steps.Add(s => s.Normalize(NormalizationForm.FormC));
                    break;
                case "NFD":
                    steps.Add(s => s.Normalize(NormalizationForm.FormD));
                    break;
                case "NFKC":
                    steps.Add(s => s.Normalize(NormalizationForm.FormKC));
                    break;
                case "NFKD":
                    steps.Add(s => s.Normalize(NormalizationForm.FormKD));
                    break;
                case "Lowercase":
                    steps.Add(s => s.ToLowerInvariant());
                    break;
                case "Prepend":
                    var prefix = TokenizerJson.Required(step, "prepend", JsonValueKind.String, file, path).GetString()!;
                    steps.Add(s => s.Length == 0 ? s : prefix + s);
                    break;
                case "Replace":
                    var pattern = TokenizerJson.Required(step, "pattern", JsonValueKind.Object, file, path);
                    var literal = TokenizerJson.Optional(pattern, "String", JsonValueKind.String, file, path + ".pattern")?.GetString()
                        ?? throw new TokenizerFormatException(file, path + ".pattern",
                            "only {\"String\": …} is supported for a Replace normalizer; a Regex pattern is not");
                    var content = TokenizerJson.Required(step, "content", JsonValueKind.String, file, path).GetString()!;
                    if (literal.Length == 0)
                        throw new TokenizerFormatException(file, path + ".pattern.String", "expected a non-empty string");
                    steps.Add(s => s.Replace(literal, content, StringComparison.Ordinal));
                    break;
                default:
                    throw new TokenizerFormatException(file, path + ".type",
                        $"\"{type}\" is not supported; expected NFC, NFD, NFKC, NFKD, Lowercase, Prepend, Replace or a Sequence of them");
            }
        }
    }
}
