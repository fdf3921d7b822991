using System.Text.Json;
using Aha.Tokenization.Pipeline;

namespace Aha.Tokenization;

/// <summary>
/// A Hugging Face tokenizer.json whose model is BPE — byte-level (Qwen2/2.5/3, Llama 3/3.1, DeepSeek-V3/R1,
/// Mistral Nemo, GPT-2) or SentencePiece-style with byte fallback (Llama 2, Mistral 7B, Phi-3, Gemma 2/3).
/// The pipeline is Hugging Face's, in its order:
/// <list type="number">
/// <item>added tokens split out atomically, leftmost-longest (<see cref="AddedTokenMatcher"/>);</item>
/// <item>each stretch of text between them normalized (<see cref="TextNormalizer"/>: NFC, Prepend "▁", Replace " " → "▁", …);</item>
/// <item>pre-tokenized (<see cref="PreTokenizerSteps"/>: one or several Split regexes, Digits, Metaspace, ByteLevel),
/// regexes matching by code point;</item>
/// <item>each piece encoded by the BPE model (<see cref="BpeModel"/>: Microsoft.ML.Tokenizers' BpeTokenizer plus
/// byte_fallback and ignore_merges).</item>
/// </list>
/// Decode maps ids to token strings (added tokens included, specials dropped on request) and runs the file's decoder
/// chain (<see cref="TokenDecoder"/>). Encode adds no BOS/EOS: the post-processor is not applied, by contract.
/// </summary>
public sealed class HfBpeTokenizer : ITokenizer
{
    private readonly AddedTokenMatcher _matcher;
    private readonly TextNormalizer _normalizer;
    private readonly PreTokenizerSteps _preTokenizer;
    private readonly BpeModel _model;
    private readonly TokenDecoder _decoder;
    private readonly Dictionary<string, int> _addedByContent;
    private readonly Dictionary<int, AddedToken> _addedById;
    private readonly string?[] _vocabById;
    private readonly SpecialTokenRoles _roles;

    private HfBpeTokenizer(List<AddedToken> added, TextNormalizer normalizer, PreTokenizerSteps preTokenizer,
        BpeModel model, TokenDecoder decoder, Func<HfBpeTokenizer, SpecialTokenRoles> roles, string file)
    {
        SourceFile = file;
        _matcher = new AddedTokenMatcher(added);
        _normalizer = normalizer;
        _preTokenizer = preTokenizer;
        _model = model;
        _decoder = decoder;
        _addedByContent = new Dictionary<string, int>(StringComparer.Ordinal);
        _addedById = [];
        foreach (var a in added)
        {
            _addedByContent[a.Content] = a.Id;
            _addedById[a.Id] = a;
        }
        var vocab = model.Vocab;
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

    /// <summary>The tokenizer.json this was read from (its folder may hold tokenizer_config.json with the chat template).</summary>
    public string SourceFile { get; }

    /// <summary>The file's added tokens, by id.</summary>
    public IReadOnlyList<AddedToken> AddedTokens { get; }

    /// <summary>True when the file's normalizer includes NFC (Qwen); Llama 3 has none.</summary>
    public bool AppliesNfc => _normalizer.AppliesNfc;

    internal static HfBpeTokenizer FromJson(JsonElement root, string file)
    {
        var model = TokenizerJson.Required(root, "model", JsonValueKind.Object, file, "$");
        var type = TokenizerJson.Required(model, "type", JsonValueKind.String, file, "model").GetString();
        if (type != "BPE")
            throw new TokenizerFormatException(file, "model.type", $"expected \"BPE\", found \"{type}\"");
        var added = TokenizerJson.ReadAddedTokens(root, file);
        var normalizer = TextNormalizer.Read(root, file);
        var preTokenizer = PreTokenizerSteps.Read(root, file);
        var decoder = TokenDecoder.Read(root, file);
        var bpe = BpeModel.Read(model, file, preTokenizer.ByteLevel);
        return new HfBpeTokenizer(added, normalizer, preTokenizer, bpe, decoder,
            self => SpecialTokenRoles.Resolve(file, self.TokenToId), file);
    }

    /// <inheritdoc/>
    public IReadOnlyList<int> Encode(string text)
    {
        ArgumentNullException.ThrowIfNull(text);
        Utf16.ThrowIfLoneSurrogate(text, nameof(text));
        var ids = new List<int>();
        foreach (var segment in _matcher.Split(text))
        {
            if (segment.Id is { } addedId)
            {
                ids.Add(addedId);
                continue;
            }
            var normalized = _normalizer.Apply(segment.Text);
            foreach (var piece in _preTokenizer.Split(normalized, segmentStartsText: segment.Offset == 0))
                _model.Encode(piece, ids);
        }
        return ids;
    }

    /// <inheritdoc/>
    public string Decode(IEnumerable<int> ids, bool skipSpecialTokens = false)
    {
        ArgumentNullException.ThrowIfNull(ids);
        var tokens = new List<string>();
        foreach (var id in ids)
        {
            if (_addedById.TryGetValue(id, out var added))
            {
                if (!(skipSpecialTokens && added.Special))
                    tokens.Add(added.Content);
            }
            else if (id >= 0 && id < _vocabById.Length && _vocabById[id] is { } token)
            {
                tokens.Add(token);
            }
            else
            {
                throw new ArgumentOutOfRangeException(nameof(ids), id, $"token id {id} is not in the vocabulary (size {VocabSize})");
            }
        }
        return _decoder.Decode(tokens);
    }

    /// <summary>The id of an added token, or of a vocabulary entry as the file writes it ("Ġthe" / "▁the", not " the").</summary>
    public int? TokenToId(string token)
    {
        ArgumentNullException.ThrowIfNull(token);
        if (_addedByContent.TryGetValue(token, out var id) || _model.Vocab.TryGetValue(token, out id))
            return id;
        return null;
    }

    /// <inheritdoc/>
    public bool IsSpecial(int id) => _addedById.TryGetValue(id, out var a) && a.Special;
}
