using System.Text;
using System.Text.Json;

namespace Aha.Tokenization.Pipeline;

/// <summary>
/// tokenizer.json's <c>decoder</c>: token strings → text, as a chain over the list of tokens (Hugging Face's
/// <c>decode_chain</c>). Supported: <c>ByteLevel</c> (GPT-2 alphabet → bytes → UTF-8), <c>Replace</c> ("▁" → " "),
/// <c>ByteFallback</c> (runs of &lt;0xNN&gt; → UTF-8, U+FFFD per byte when invalid), <c>Fuse</c>, <c>Strip</c>,
/// <c>Metaspace</c>, and a <c>Sequence</c> of these. Without a decoder the tokens are joined with spaces (as HF does).
/// </summary>
internal sealed class TokenDecoder
{
    private readonly Func<List<string>, List<string>>[] _steps;
    private readonly bool _joinWithSpaces;

    private TokenDecoder(Func<List<string>, List<string>>[] steps, bool joinWithSpaces)
    {
        _steps = steps;
        _joinWithSpaces = joinWithSpaces;
    }

    public string Decode(List<string> tokens)
    {
        foreach (var step in _steps)
            tokens = step(tokens);
        return string.Join(_joinWithSpaces ? " " : "", tokens);
    }

    public static TokenDecoder Read(JsonElement root, string file)
    {
        if (TokenizerJson.Optional(root, "decoder", JsonValueKind.Object, file, "$") is not { } decoder)
            return new TokenDecoder([], joinWithSpaces: true);
        var steps = new List<Func<List<string>, List<string>>>();
        Add(decoder, "decoder");
        return new TokenDecoder([.. steps], joinWithSpaces: false);

        void Add(JsonElement step, string path)
        {
            var type = TokenizerJson.Required(step, "type", JsonValueKind.String, file, path).GetString();
            switch (type)
            {
                case "Sequence":
                    var i = 0;
                    foreach (var inner in TokenizerJson.Required(step, "decoders", JsonValueKind.Array, file, path).EnumerateArray())
                        Add(inner, $"{path}.decoders[{i++}]");
                    break;
                case "ByteLevel":
                    steps.Add(ByteLevel);
                    break;
                case "ByteFallback":
                    steps.Add(ByteFallback);
                    break;
                case "Fuse":
                    steps.Add(tokens => [string.Concat(tokens)]);
                    break;
                case "Replace":
                    var pattern = TokenizerJson.Required(step, "pattern", JsonValueKind.Object, file, path);
                    var literal = TokenizerJson.Optional(pattern, "String", JsonValueKind.String, file, path + ".pattern")?.GetString();
                    if (string.IsNullOrEmpty(literal))
                        throw new TokenizerFormatException(file, path + ".pattern", "expected {\"String\": \"…\"} (non-empty); a Regex pattern is not supported");
                    var content = TokenizerJson.Required(step, "content", JsonValueKind.String, file, path).GetString()!;
                    steps.Add(tokens => tokens.ConvertAll(t => t.Replace(literal, content, StringComparison.Ordinal)));
                    break;
                case "Strip":
                    var stripped = TokenizerJson.Required(step, "content", JsonValueKind.String, file, path).GetString()!;
                    if (stripped.Length != 1)
                        throw new TokenizerFormatException(file, path + ".content", $"expected one character, found \"{stripped}\"");
                    var start = TokenizerJson.Required(step, "start", JsonValueKind.Number, file, path).GetInt32();
                    var stop = TokenizerJson.Required(step, "stop", JsonValueKind.Number, file, path).GetInt32();
                    steps.Add(tokens => tokens.ConvertAll(t => Strip(t, stripped[0], start, stop)));
                    break;
                case "Metaspace":
                    var replacement = TokenizerJson.OptionalString(step, "replacement", file, path) ?? "▁";
                    var scheme = TokenizerJson.OptionalString(step, "prepend_scheme", file, path)
                        ?? (TokenizerJson.OptionalBool(step, "add_prefix_space", true, file, path) ? "always" : "never");
                    steps.Add(tokens => tokens.Select((t, k) =>
                    {
                        var s = t.Replace(replacement, " ", StringComparison.Ordinal);
                        return k == 0 && scheme != "never" && s.StartsWith(' ') ? s[1..] : s;
                    }).ToList());
                    break;
                default:
                    throw new TokenizerFormatException(file, path + ".type",
                        $"\"{type}\" is not supported; expected ByteLevel, ByteFallback, Fuse, Replace, Strip, Metaspace or a Sequence of them");
            }
        }
    }

    /// <summary>All tokens → one string: each char of the GPT-2 alphabet is a byte; a token with other chars is its own UTF-8.</summary>
    private static List<string> ByteLevel(List<string> tokens)
    {
        var bytes = new List<byte>();
        foreach (var token in tokens)
            if (!ByteLevelAlphabet.TryAppendBytes(token, bytes))
                bytes.AddRange(Encoding.UTF8.GetBytes(token));
        return [Encoding.UTF8.GetString(bytes.ToArray())];
    }

    private static List<string> ByteFallback(List<string> tokens)
    {
        var result = new List<string>(tokens.Count);
        var pending = new List<byte>();
        foreach (var token in tokens)
        {
            if (token.Length == 6 && token.StartsWith("<0x", StringComparison.Ordinal) && token[5] == '>'
                && byte.TryParse(token.AsSpan(3, 2), System.Globalization.NumberStyles.HexNumber, null, out var b))
            {
                pending.Add(b);
                continue;
            }
            Flush();
            result.Add(token);
        }
        Flush();
        return result;

        void Flush()
        {
            if (pending.Count == 0)
                return;
            try
            {
                result.Add(new UTF8Encoding(false, throwOnInvalidBytes: true).GetString(pending.ToArray()));
            }
            catch (DecoderFallbackException)
            {
                result.Add(new string('\uFFFD', pending.Count));
            }
            pending.Clear();
        }
    }

    private static string Strip(string token, char c, int start, int stop)
    {
        var from = 0;
        while (from < start && from < token.Length && token[from] == c)
            from++;
        var to = token.Length;
        while (token.Length - to < stop && to > from && token[to - 1] == c)
            to--;
        return token[from..to];
    }
}
