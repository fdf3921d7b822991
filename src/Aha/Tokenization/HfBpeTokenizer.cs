using System.Text;
using System.Text.Json;
using System.Text.RegularExpressions;
using Microsoft.ML.Tokenizers;

namespace Aha.Tokenization;

/// <summary>
/// Byte-level BPE read from a Hugging Face tokenizer.json (Qwen2 / Qwen2.5 / Qwen3, Llama-3, GPT-2 style),
/// encoding on Microsoft.ML.Tokenizers' <see cref="BpeTokenizer"/>. Pipeline, as in HF <c>tokenizers</c>:
/// added tokens matched atomically → normalizer (NFC when the file says so) → regex split (the <c>Split</c>
/// pre-tokenizer's pattern, or GPT-2's when <c>ByteLevel.use_regex</c>) → UTF-8 bytes in GPT-2's byte alphabet →
/// BPE merges by rank. Decode maps tokens back to bytes and reads them as UTF-8 (invalid sequences become U+FFFD).
/// <para>Supported: <c>model.type</c> "BPE" with <c>merges</c> as "a b" strings or ["a","b"] pairs,
/// <c>ignore_merges</c> (Llama-3), normalizer null or NFC, pre-tokenizer [Split(Regex, Isolated)] + ByteLevel
/// (use_regex false) or ByteLevel alone. Anything else is rejected with a <see cref="TokenizerFormatException"/>.
/// Ignored: added tokens' lstrip/rstrip/single_word/normalized flags (all false in Qwen and Llama-3 files) and
/// the post-processor (Encode adds no BOS/EOS by contract).</para>
/// <para>Known departure: .NET regexes see UTF-16 code units, so a letter outside the BMP (e.g. CJK Extension B
/// 𠮷) counts as a symbol, not <c>\p{L}</c>, and may split differently from the Rust implementation.</para>
/// </summary>
public sealed class HfBpeTokenizer : ITokenizer
{
    /// <summary>GPT-2's pre-tokenizer regex, used by a ByteLevel pre-tokenizer with use_regex = true.</summary>
    internal const string Gpt2Pattern = @"'s|'t|'re|'ve|'m|'ll|'d| ?\p{L}+| ?\p{N}+| ?[^\s\p{L}\p{N}]+|\s+(?!\S)|\s+";

    private readonly BpeTokenizer _bpe;
    private readonly RegexPreTokenizer _preTokenizer;
    private readonly Dictionary<string, int> _vocab;
    private readonly Dictionary<string, int> _addedByContent;
    private readonly Dictionary<int, AddedToken> _addedById;
    private readonly string?[] _vocabById;
    private readonly bool _nfc;
    private readonly bool _ignoreMerges;
    private readonly SpecialTokenRoles _roles;

    private HfBpeTokenizer(BpeTokenizer bpe, RegexPreTokenizer preTokenizer, Dictionary<string, int> vocab,
        List<AddedToken> added, bool nfc, bool ignoreMerges, Func<HfBpeTokenizer, SpecialTokenRoles> roles)
    {
        _bpe = bpe;
        _preTokenizer = preTokenizer;
        _vocab = vocab;
        _nfc = nfc;
        _ignoreMerges = ignoreMerges;
        _addedByContent = added.ToDictionary(a => a.Content, a => a.Id, StringComparer.Ordinal);
        _addedById = added.ToDictionary(a => a.Id);
        VocabSize = Math.Max(vocab.Count == 0 ? 0 : vocab.Values.Max(), added.Count == 0 ? -1 : added.Max(a => a.Id)) + 1;
        _vocabById = new string?[VocabSize];
        foreach (var (token, id) in vocab)
            _vocabById[id] = token;
        AddedTokens = added.OrderBy(a => a.Id).ToList();
        _roles = roles(this);
    }

    /// <inheritdoc/>
    public int VocabSize { get; }

    /// <inheritdoc/>
    public int? BosTokenId => _roles.Bos;

    /// <inheritdoc/>
    public int? EosTokenId => _roles.Eos;

    /// <inheritdoc/>
    public int PadTokenId => _roles.Pad;

    /// <summary>The file's added tokens, by id.</summary>
    public IReadOnlyList<AddedToken> AddedTokens { get; }

    /// <summary>True when the file's normalizer is NFC (Qwen); Llama-3 has none.</summary>
    public bool AppliesNfc => _nfc;

    /// <summary>Reads a tokenizer.json; BOS/EOS/PAD come from tokenizer_config.json beside it (see <see cref="SpecialTokenRoles"/>).</summary>
    public static HfBpeTokenizer FromFile(string tokenizerJsonPath)
    {
        ArgumentException.ThrowIfNullOrEmpty(tokenizerJsonPath);
        using var doc = TokenizerJson.Parse(tokenizerJsonPath);
        return FromJson(doc.RootElement, tokenizerJsonPath);
    }

    internal static HfBpeTokenizer FromJson(JsonElement root, string file)
    {
        var model = TokenizerJson.Required(root, "model", JsonValueKind.Object, file, "$");
        var type = TokenizerJson.Required(model, "type", JsonValueKind.String, file, "model").GetString();
        if (type != "BPE")
            throw new TokenizerFormatException(file, "model.type", $"expected \"BPE\", found \"{type}\"");
        RejectUnsupportedModelOptions(model, file);

        var vocab = TokenizerJson.ReadVocab(model, file);
        var merges = ReadMerges(model, file);
        var added = TokenizerJson.ReadAddedTokens(root, file);
        var nfc = ReadNormalizer(root, file);
        var pattern = ReadPreTokenizerPattern(root, file, out var patternField);
        ReadDecoder(root, file);
        var ignoreMerges = TokenizerJson.OptionalBool(model, "ignore_merges", false, file, "model");

        Regex regex;
        try
        {
            regex = new Regex(pattern, RegexOptions.Compiled | RegexOptions.CultureInvariant);
        }
        catch (ArgumentException e)
        {
            throw new TokenizerFormatException(file, patternField, $"the regex \"{pattern}\" does not compile in .NET: {e.Message}", e);
        }

        var specials = new Dictionary<string, int>(StringComparer.Ordinal);
        foreach (var a in added)
            specials[a.Content] = a.Id;
        var preTokenizer = new RegexPreTokenizer(regex, specials);
        var bpe = BpeTokenizer.Create(new BpeOptions(vocab)
        {
            Merges = merges,
            ByteLevel = true,
            SpecialTokens = specials,
            PreTokenizer = preTokenizer,
        });
        return new HfBpeTokenizer(bpe, preTokenizer, vocab, added, nfc, ignoreMerges,
            self => SpecialTokenRoles.Resolve(file, self.TokenToId));
    }

    /// <inheritdoc/>
    public IReadOnlyList<int> Encode(string text)
    {
        ArgumentNullException.ThrowIfNull(text);
        if (_nfc)
            text = text.Normalize(NormalizationForm.FormC);
        if (!_ignoreMerges)
            return _bpe.EncodeToIds(text);

        // ignore_merges (Llama-3): a pre-token that is itself a vocabulary entry maps straight to its id.
        var ids = new List<int>();
        foreach (var (offset, length) in _preTokenizer.PreTokenize(text))
        {
            var piece = text.Substring(offset, length);
            if (_addedByContent.TryGetValue(piece, out var addedId))
                ids.Add(addedId);
            else if (_vocab.TryGetValue(ByteLevelAlphabet.Encode(piece), out var id))
                ids.Add(id);
            else
                ids.AddRange(_bpe.EncodeToIds(piece, considerPreTokenization: false, considerNormalization: false));
        }
        return ids;
    }

    /// <inheritdoc/>
    public string Decode(IEnumerable<int> ids, bool skipSpecialTokens = false)
    {
        ArgumentNullException.ThrowIfNull(ids);
        var text = new StringBuilder();
        var bytes = new List<byte>();
        foreach (var id in ids)
        {
            if (_addedById.TryGetValue(id, out var added))
            {
                if (skipSpecialTokens && added.Special)
                    continue;
                Flush();
                text.Append(added.Content);
            }
            else if (id >= 0 && id < _vocabById.Length && _vocabById[id] is { } token)
            {
                ByteLevelAlphabet.AppendBytes(token, bytes);
            }
            else
            {
                throw new ArgumentOutOfRangeException(nameof(ids), id, $"token id {id} is not in the vocabulary (size {VocabSize})");
            }
        }
        Flush();
        return text.ToString();

        void Flush()
        {
            text.Append(Encoding.UTF8.GetString(bytes.ToArray()));
            bytes.Clear();
        }
    }

    /// <summary>The id of an added token, or of a vocabulary entry written in the byte-level alphabet ("Ġthe", not " the").</summary>
    public int? TokenToId(string token)
    {
        ArgumentNullException.ThrowIfNull(token);
        if (_addedByContent.TryGetValue(token, out var id) || _vocab.TryGetValue(token, out id))
            return id;
        return null;
    }

    /// <inheritdoc/>
    public bool IsSpecial(int id) => _addedById.TryGetValue(id, out var a) && a.Special;

    private static List<string> ReadMerges(JsonElement model, string file)
    {
        var array = TokenizerJson.Required(model, "merges", JsonValueKind.Array, file, "model");
        var merges = new List<string>(array.GetArrayLength());
        var i = 0;
        foreach (var item in array.EnumerateArray())
        {
            var field = $"model.merges[{i++}]";
            switch (item.ValueKind)
            {
                case JsonValueKind.String:
                    var s = item.GetString()!;
                    var space = s.IndexOf(' ');
                    if (space <= 0 || space == s.Length - 1 || s.IndexOf(' ', space + 1) >= 0)
                        throw new TokenizerFormatException(file, field, $"expected \"left right\" (two tokens, one space), found \"{s}\"");
                    merges.Add(s);
                    break;
                case JsonValueKind.Array when item.GetArrayLength() == 2
                    && item[0].ValueKind == JsonValueKind.String && item[1].ValueKind == JsonValueKind.String:
                    var (left, right) = (item[0].GetString()!, item[1].GetString()!);
                    if (left.Length == 0 || right.Length == 0 || left.Contains(' ') || right.Contains(' '))
                        throw new TokenizerFormatException(file, field, $"merge parts must be non-empty and contain no space, found [\"{left}\", \"{right}\"]");
                    merges.Add($"{left} {right}");
                    break;
                default:
                    throw new TokenizerFormatException(file, field,
                        $"expected \"left right\" or [\"left\", \"right\"], found {TokenizerJson.Describe(item)}");
            }
        }
        return merges;
    }

    private static void RejectUnsupportedModelOptions(JsonElement model, string file)
    {
        if (TokenizerJson.OptionalBool(model, "byte_fallback", false, file, "model"))
            throw new TokenizerFormatException(file, "model.byte_fallback",
                "true is not supported: Aha reads byte-level BPE (Qwen, Llama-3, GPT-2), not SentencePiece-style BPE with byte fallback (Llama-2)");
        foreach (var name in new[] { "continuing_subword_prefix", "end_of_word_suffix" })
            if (TokenizerJson.OptionalString(model, name, file, "model") is { Length: > 0 } value)
                throw new TokenizerFormatException(file, $"model.{name}", $"\"{value}\" is not supported; expected empty or null");
        if (TokenizerJson.Optional(model, "dropout", JsonValueKind.Number, file, "model") is { } dropout && dropout.GetDouble() != 0)
            throw new TokenizerFormatException(file, "model.dropout", $"{dropout.GetRawText()} is not supported; expected null or 0");
    }

    private static bool ReadNormalizer(JsonElement root, string file)
    {
        if (TokenizerJson.Optional(root, "normalizer", JsonValueKind.Object, file, "$") is not { } normalizer)
            return false;
        var type = TokenizerJson.Required(normalizer, "type", JsonValueKind.String, file, "normalizer").GetString();
        if (type == "NFC")
            return true;
        if (type == "Sequence")
        {
            var steps = TokenizerJson.Required(normalizer, "normalizers", JsonValueKind.Array, file, "normalizer");
            var i = 0;
            var nfc = false;
            foreach (var step in steps.EnumerateArray())
            {
                var path = $"normalizer.normalizers[{i++}]";
                var stepType = TokenizerJson.Required(step, "type", JsonValueKind.String, file, path).GetString();
                if (stepType != "NFC")
                    throw new TokenizerFormatException(file, path + ".type", $"\"{stepType}\" is not supported; expected \"NFC\"");
                nfc = true;
            }
            return nfc;
        }
        throw new TokenizerFormatException(file, "normalizer.type", $"\"{type}\" is not supported; expected null, \"NFC\" or a Sequence of NFC");
    }

    private static string ReadPreTokenizerPattern(JsonElement root, string file, out string patternField)
    {
        var pre = TokenizerJson.Optional(root, "pre_tokenizer", JsonValueKind.Object, file, "$")
            ?? throw new TokenizerFormatException(file, "pre_tokenizer",
                "missing; byte-level BPE needs a ByteLevel pre-tokenizer (optionally after a Split regex)");
        var type = TokenizerJson.Required(pre, "type", JsonValueKind.String, file, "pre_tokenizer").GetString();
        var steps = new List<(JsonElement Step, string Path)>();
        if (type == "Sequence")
        {
            var i = 0;
            foreach (var step in TokenizerJson.Required(pre, "pretokenizers", JsonValueKind.Array, file, "pre_tokenizer").EnumerateArray())
                steps.Add((step, $"pre_tokenizer.pretokenizers[{i++}]"));
        }
        else
        {
            steps.Add((pre, "pre_tokenizer"));
        }

        string? pattern = null;
        patternField = "pre_tokenizer";
        var byteLevel = false;
        foreach (var (step, path) in steps)
        {
            var stepType = TokenizerJson.Required(step, "type", JsonValueKind.String, file, path).GetString();
            switch (stepType)
            {
                case "Split" when pattern is null && !byteLevel:
                    var patternObject = TokenizerJson.Required(step, "pattern", JsonValueKind.Object, file, path);
                    patternField = path + ".pattern.Regex";
                    pattern = TokenizerJson.Required(patternObject, "Regex", JsonValueKind.String, file, path + ".pattern").GetString()!;
                    var behavior = TokenizerJson.OptionalString(step, "behavior", file, path) ?? "Isolated";
                    if (behavior != "Isolated")
                        throw new TokenizerFormatException(file, path + ".behavior", $"\"{behavior}\" is not supported; expected \"Isolated\"");
                    if (TokenizerJson.OptionalBool(step, "invert", false, file, path))
                        throw new TokenizerFormatException(file, path + ".invert", "true is not supported; expected false");
                    break;
                case "ByteLevel" when !byteLevel:
                    byteLevel = true;
                    if (TokenizerJson.OptionalBool(step, "add_prefix_space", false, file, path))
                        throw new TokenizerFormatException(file, path + ".add_prefix_space", "true is not supported; expected false");
                    if (TokenizerJson.OptionalBool(step, "use_regex", true, file, path))
                    {
                        if (pattern is not null)
                            throw new TokenizerFormatException(file, path + ".use_regex",
                                "true after a Split (two regex passes) is not supported; expected false");
                        pattern = Gpt2Pattern;
                        patternField = path;
                    }
                    break;
                default:
                    throw new TokenizerFormatException(file, path + ".type",
                        $"\"{stepType}\" is not supported here; expected [Split(Regex)] followed by one ByteLevel");
            }
        }
        if (!byteLevel)
            throw new TokenizerFormatException(file, "pre_tokenizer",
                "has no ByteLevel step: Aha reads byte-level BPE only (Qwen, Llama-3, GPT-2 style)");
        return pattern ?? throw new TokenizerFormatException(file, "pre_tokenizer",
            "has neither a Split regex nor ByteLevel.use_regex = true, so there is no rule to split words");
    }

    private static void ReadDecoder(JsonElement root, string file)
    {
        if (TokenizerJson.Optional(root, "decoder", JsonValueKind.Object, file, "$") is not { } decoder)
            return;
        var type = TokenizerJson.Required(decoder, "type", JsonValueKind.String, file, "decoder").GetString();
        if (type != "ByteLevel")
            throw new TokenizerFormatException(file, "decoder.type", $"\"{type}\" is not supported; expected \"ByteLevel\"");
    }
}
