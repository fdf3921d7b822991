using System.Text;
using System.Text.Encodings.Web;
using System.Text.Json;

namespace Aha.Tokenization;

/// <summary>
/// Character-level tokenizer for synthetic tasks (Countdown, arithmetic, toy R1-Zero runs). Ids: the added tokens
/// first, in the order given (by default &lt;pad&gt; = 0, &lt;eos&gt; = 1), then one id per character (Unicode scalar
/// value) of the alphabet in order of first appearance. Encode matches added tokens atomically (longest first) and
/// otherwise emits one id per character; a character outside the alphabet is an error, not an unknown token, so a
/// task's data cannot silently lose symbols. No normalisation.
/// <para>File format (<see cref="Save"/>): a Hugging Face tokenizer.json with <c>model.type</c> "WordLevel", every
/// token (added ones included) in <c>model.vocab</c>, the multi-character tokens in <c>added_tokens</c>, a
/// <c>Split</c> pre-tokenizer on <c>[\s\S]</c> (one piece per character) and a <c>Fuse</c> decoder, so
/// transformers' <c>PreTrainedTokenizerFast</c> reads it too; plus tokenizer_config.json naming eos/pad.
/// <see cref="TokenizerLoader.Load"/> reads a WordLevel file back as a CharTokenizer.</para>
/// </summary>
public sealed class CharTokenizer : ITokenizer
{
    /// <summary>Control tokens by default: padding, end of sequence, ChatML turn markers (skipped by Decode(skipSpecialTokens)).</summary>
    public static readonly IReadOnlyList<string> DefaultSpecialTokens = ["<pad>", "<eos>", "<|im_start|>", "<|im_end|>"];

    /// <summary>Atomic but not special by default: reasoning/answer tags stay in decoded text so rewards can see them.</summary>
    public static readonly IReadOnlyList<string> DefaultAddedTokens = ["<think>", "</think>", "<answer>", "</answer>"];

    private readonly string[] _tokens;            // id → token text
    private readonly bool[] _special;             // id → control token?
    private readonly Dictionary<string, int> _ids;
    private readonly AddedToken[] _addedLongestFirst;

    private CharTokenizer(IReadOnlyList<AddedToken> added, IReadOnlyList<string> characters, Func<CharTokenizer, SpecialTokenRoles>? roles)
    {
        VocabSize = added.Count + characters.Count;
        _tokens = new string[VocabSize];
        _special = new bool[VocabSize];
        _ids = new Dictionary<string, int>(StringComparer.Ordinal);
        foreach (var a in added)
        {
            _tokens[a.Id] = a.Content;
            _special[a.Id] = a.Special;
            _ids[a.Content] = a.Id;
        }
        for (var i = 0; i < characters.Count; i++)
        {
            _tokens[added.Count + i] = characters[i];
            _ids[characters[i]] = added.Count + i;
        }
        AddedTokens = added;
        _addedLongestFirst = added.Where(a => a.Content.EnumerateRunes().Count() > 1)
            .OrderByDescending(a => a.Content.Length).ToArray();
        var r = roles?.Invoke(this) ?? new SpecialTokenRoles(null, TokenToId("<eos>"), TokenToId("<pad>") ?? 0);
        (BosTokenId, EosTokenId, PadTokenId) = (r.Bos, r.Eos, r.Pad);
    }

    /// <summary>
    /// Builds a tokenizer over <paramref name="alphabet"/> (each character once; order fixes the ids).
    /// <paramref name="specialTokens"/> defaults to <see cref="DefaultSpecialTokens"/>, <paramref name="addedTokens"/> to
    /// <see cref="DefaultAddedTokens"/>. EOS is &lt;eos&gt; and PAD is &lt;pad&gt; when present (else no EOS, PAD 0).
    /// </summary>
    public static CharTokenizer Create(string alphabet, IEnumerable<string>? specialTokens = null, IEnumerable<string>? addedTokens = null)
    {
        ArgumentNullException.ThrowIfNull(alphabet);
        var added = new List<AddedToken>();
        var seen = new HashSet<string>(StringComparer.Ordinal);
        foreach (var (list, special) in new[] { (specialTokens ?? DefaultSpecialTokens, true), (addedTokens ?? DefaultAddedTokens, false) })
        {
            foreach (var token in list)
            {
                if (string.IsNullOrEmpty(token))
                    throw new ArgumentException("special/added tokens must be non-empty", special ? nameof(specialTokens) : nameof(addedTokens));
                if (!seen.Add(token))
                    throw new ArgumentException($"token \"{token}\" is listed twice", special ? nameof(specialTokens) : nameof(addedTokens));
                added.Add(new AddedToken(added.Count, token, special));
            }
        }
        var characters = new List<string>();
        foreach (var rune in alphabet.EnumerateRunes())
        {
            var c = rune.ToString();
            if (seen.Add(c))
                characters.Add(c);
            else if (!characters.Contains(c))
                throw new ArgumentException($"alphabet character '{c}' is also an added token", nameof(alphabet));
        }
        return new CharTokenizer(added, characters, roles: null);
    }

    /// <inheritdoc/>
    public int VocabSize { get; }

    /// <inheritdoc/>
    public int? BosTokenId { get; }

    /// <inheritdoc/>
    public int? EosTokenId { get; }

    /// <inheritdoc/>
    public int PadTokenId { get; }

    /// <summary>Tokens matched atomically (special or not), by id.</summary>
    public IReadOnlyList<AddedToken> AddedTokens { get; }

    /// <inheritdoc/>
    public IReadOnlyList<int> Encode(string text)
    {
        ArgumentNullException.ThrowIfNull(text);
        Utf16.ThrowIfLoneSurrogate(text, nameof(text));
        var ids = new List<int>(text.Length);
        var i = 0;
        while (i < text.Length)
        {
            var match = Array.Find(_addedLongestFirst, a => text.AsSpan(i).StartsWith(a.Content, StringComparison.Ordinal));
            if (match is not null)
            {
                ids.Add(match.Id);
                i += match.Content.Length;
                continue;
            }
            Rune.DecodeFromUtf16(text.AsSpan(i), out var rune, out var used); // valid: checked above
            if (!_ids.TryGetValue(rune.ToString(), out var id))
                throw new ArgumentException(
                    $"character '{rune}' (U+{rune.Value:X4}) at index {i} is not in the tokenizer's alphabet", nameof(text));
            ids.Add(id);
            i += used;
        }
        return ids;
    }

    /// <inheritdoc/>
    public string Decode(IEnumerable<int> ids, bool skipSpecialTokens = false)
    {
        ArgumentNullException.ThrowIfNull(ids);
        var text = new StringBuilder();
        foreach (var id in ids)
        {
            if (id < 0 || id >= VocabSize)
                throw new ArgumentOutOfRangeException(nameof(ids), id, $"token id {id} is outside [0, {VocabSize})");
            if (!(skipSpecialTokens && _special[id]))
                text.Append(_tokens[id]);
        }
        return text.ToString();
    }

    /// <inheritdoc/>
    public int? TokenToId(string token)
    {
        ArgumentNullException.ThrowIfNull(token);
        return _ids.TryGetValue(token, out var id) ? id : null;
    }

    /// <inheritdoc/>
    public bool IsSpecial(int id) => id >= 0 && id < VocabSize && _special[id];

    /// <summary>
    /// Writes <c>tokenizer.json</c> and <c>tokenizer_config.json</c> (eos/pad/bos) into <paramref name="directory"/>
    /// (created if needed; files replaced atomically). Returns the tokenizer.json path.
    /// </summary>
    public string Save(string directory)
    {
        ArgumentException.ThrowIfNullOrEmpty(directory);
        Directory.CreateDirectory(directory);
        var path = Path.Combine(directory, TokenizerLoader.TokenizerFileName);
        WriteAtomically(path, WriteTokenizerJson);
        WriteAtomically(Path.Combine(directory, SpecialTokenRoles.ConfigFileName), WriteConfigJson);
        return path;
    }

    internal static CharTokenizer FromJson(JsonElement root, string file)
    {
        var model = TokenizerJson.Required(root, "model", JsonValueKind.Object, file, "$");
        var vocab = TokenizerJson.ReadVocab(model, file);
        var added = TokenizerJson.ReadAddedTokens(root, file);
        var addedById = new Dictionary<int, AddedToken>();
        foreach (var a in added)
        {
            if (vocab.TryGetValue(a.Content, out var vocabId) && vocabId != a.Id)
                throw new TokenizerFormatException(file, "added_tokens",
                    $"\"{a.Content}\" has id {a.Id} but model.vocab gives it id {vocabId}");
            if (!addedById.TryAdd(a.Id, a))
                throw new TokenizerFormatException(file, "added_tokens", $"id {a.Id} is used by two added tokens");
        }

        // Ids must be dense: 0..n-1, the added tokens first, as Create lays them out.
        var all = new SortedDictionary<int, string>();
        foreach (var (token, id) in vocab)
            if (!all.TryAdd(id, token) && all[id] != token)
                throw new TokenizerFormatException(file, $"model.vocab[\"{token}\"]", $"id {id} is also used by \"{all[id]}\"");
        foreach (var a in added)
            all.TryAdd(a.Id, a.Content);
        var expected = 0;
        foreach (var id in all.Keys)
        {
            if (id != expected)
                throw new TokenizerFormatException(file, "model.vocab", $"ids must be 0..{all.Count - 1} without gaps; id {expected} is missing");
            expected++;
        }
        var addedInOrder = all.Where(kv => addedById.ContainsKey(kv.Key)).Select(kv => addedById[kv.Key]).ToList();
        if (addedInOrder.Count > 0 && addedInOrder[^1].Id != addedInOrder.Count - 1)
            throw new TokenizerFormatException(file, "added_tokens",
                $"Aha's character tokenizer puts added tokens first (ids 0..{addedInOrder.Count - 1}); found id {addedInOrder[^1].Id}");
        var characters = all.Where(kv => !addedById.ContainsKey(kv.Key)).Select(kv => kv.Value).ToList();
        foreach (var c in characters)
        {
            if (c.EnumerateRunes().Count() != 1)
                throw new TokenizerFormatException(file, $"model.vocab[\"{c}\"]",
                    "is not a single character: Aha reads WordLevel files as character-level tokenizers only; list multi-character tokens in added_tokens");
        }
        return new CharTokenizer(addedInOrder, characters,
            self => SpecialTokenRoles.Resolve(file, self.TokenToId, preferred: ("<eos>", "<pad>")));
    }

    private static readonly JsonWriterOptions WriterOptions = new()
    {
        Indented = true,
        Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping,
    };

    private void WriteTokenizerJson(Utf8JsonWriter w)
    {
        w.WriteStartObject();
        w.WriteString("version", "1.0");
        w.WriteNull("truncation");
        w.WriteNull("padding");
        w.WriteStartArray("added_tokens");
        foreach (var a in AddedTokens)
        {
            w.WriteStartObject();
            w.WriteNumber("id", a.Id);
            w.WriteString("content", a.Content);
            w.WriteBoolean("single_word", false);
            w.WriteBoolean("lstrip", false);
            w.WriteBoolean("rstrip", false);
            w.WriteBoolean("normalized", false);
            w.WriteBoolean("special", a.Special);
            w.WriteEndObject();
        }
        w.WriteEndArray();
        w.WriteNull("normalizer");
        w.WriteStartObject("pre_tokenizer");
        w.WriteString("type", "Split");
        w.WriteStartObject("pattern");
        w.WriteString("Regex", @"[\s\S]");
        w.WriteEndObject();
        w.WriteString("behavior", "Isolated");
        w.WriteBoolean("invert", false);
        w.WriteEndObject();
        w.WriteNull("post_processor");
        w.WriteStartObject("decoder");
        w.WriteString("type", "Fuse");
        w.WriteEndObject();
        w.WriteStartObject("model");
        w.WriteString("type", "WordLevel");
        w.WriteStartObject("vocab");
        for (var id = 0; id < VocabSize; id++)
            w.WriteNumber(_tokens[id], id);
        w.WriteEndObject();
        w.WriteString("unk_token", "<unk>");
        w.WriteEndObject();
        w.WriteEndObject();
    }

    private void WriteConfigJson(Utf8JsonWriter w)
    {
        w.WriteStartObject();
        w.WriteString("tokenizer_class", "PreTrainedTokenizerFast");
        WriteRole("bos_token", BosTokenId);
        WriteRole("eos_token", EosTokenId);
        w.WriteString("pad_token", _tokens[PadTokenId]);
        w.WriteBoolean("clean_up_tokenization_spaces", false);
        w.WriteEndObject();

        void WriteRole(string name, int? id)
        {
            if (id is { } i)
                w.WriteString(name, _tokens[i]);
            else
                w.WriteNull(name);
        }
    }

    private static void WriteAtomically(string path, Action<Utf8JsonWriter> write)
    {
        var temp = path + ".tmp";
        using (var stream = File.Create(temp))
        using (var writer = new Utf8JsonWriter(stream, WriterOptions))
            write(writer);
        File.Move(temp, path, overwrite: true);
    }
}
