using System.Text;
using System.Text.Json;
using Microsoft.ML.Tokenizers;

namespace Aha.Tokenization.Pipeline;

/// <summary>
/// tokenizer.json's <c>model</c> of type BPE, on Microsoft.ML.Tokenizers' <see cref="BpeTokenizer"/> (merges by rank,
/// GPT-2 byte alphabet, unknown-token fusing), plus what it lacks and Hugging Face has:
/// <list type="bullet">
/// <item><c>byte_fallback</c> (Llama 2, Mistral, Gemma): a character absent from the vocabulary becomes its UTF-8
/// bytes as <c>&lt;0xNN&gt;</c> tokens. Byte tokens never take part in merges, so each run of known characters is
/// merged on its own and the fallback bytes are placed between runs; a character whose bytes are not all in the
/// vocabulary becomes <c>unk</c> (fused with neighbouring unks when <c>fuse_unk</c>). As in Hugging Face's
/// <c>merge_word</c>, a pending unk is written only when the next known character (or the end) arrives, after any
/// byte tokens in between.</item>
/// <item><c>ignore_merges</c> (Llama 3, Mistral Nemo): a pre-token that is itself a vocabulary entry is that one id.</item>
/// </list>
/// </summary>
internal sealed class BpeModel
{
    private readonly BpeTokenizer _bpe;
    private readonly Dictionary<string, int> _vocab;
    private readonly bool _byteLevel;
    private readonly bool _ignoreMerges;
    private readonly bool _byteFallback;
    private readonly bool _fuseUnk;
    private readonly int? _unkId;
    private readonly int[]? _byteIds;

    private BpeModel(BpeTokenizer bpe, Dictionary<string, int> vocab, bool byteLevel, bool ignoreMerges,
        bool byteFallback, bool fuseUnk, int? unkId)
    {
        _bpe = bpe;
        _vocab = vocab;
        _byteLevel = byteLevel;
        _ignoreMerges = ignoreMerges;
        _byteFallback = byteFallback;
        _fuseUnk = fuseUnk;
        _unkId = unkId;
        if (byteFallback)
        {
            _byteIds = new int[256];
            for (var b = 0; b < 256; b++)
                _byteIds[b] = vocab.TryGetValue(ByteToken(b), out var id) ? id : -1;
        }
    }

    /// <summary>The vocabulary (token string as written in the file → id).</summary>
    public IReadOnlyDictionary<string, int> Vocab => _vocab;

    /// <summary>The byte-fallback token for byte <paramref name="b"/>: "&lt;0x0A&gt;".</summary>
    public static string ByteToken(int b) => $"<0x{b:X2}>";

    public static BpeModel Read(JsonElement model, string file, bool byteLevel)
    {
        foreach (var name in new[] { "continuing_subword_prefix", "end_of_word_suffix" })
            if (TokenizerJson.OptionalString(model, name, file, "model") is { Length: > 0 } value)
                throw new TokenizerFormatException(file, $"model.{name}", $"\"{value}\" is not supported; expected empty or null");
        if (TokenizerJson.Optional(model, "dropout", JsonValueKind.Number, file, "model") is { } dropout && dropout.GetDouble() != 0)
            throw new TokenizerFormatException(file, "model.dropout", $"{dropout.GetRawText()} is not supported; expected null or 0");
        var byteFallback = TokenizerJson.OptionalBool(model, "byte_fallback", false, file, "model");
        if (byteFallback && byteLevel)
            throw new TokenizerFormatException(file, "model.byte_fallback", "true together with a ByteLevel pre-tokenizer is not supported");
        var fuseUnk = TokenizerJson.OptionalBool(model, "fuse_unk", false, file, "model");
        var ignoreMerges = TokenizerJson.OptionalBool(model, "ignore_merges", false, file, "model");
        var vocab = TokenizerJson.ReadVocab(model, file);
        var merges = ReadMerges(model, file);
        var unk = TokenizerJson.OptionalString(model, "unk_token", file, "model");
        int? unkId = null;
        if (unk is not null)
            unkId = vocab.TryGetValue(unk, out var u) ? u
                : throw new TokenizerFormatException(file, "model.unk_token", $"\"{unk}\" is not in model.vocab");

        BpeTokenizer bpe;
        try
        {
            bpe = BpeTokenizer.Create(new BpeOptions(vocab)
            {
                Merges = merges,
                ByteLevel = byteLevel,
                // byte_fallback handles unknown characters itself (see the class summary).
                UnknownToken = byteFallback ? null : unk,
                FuseUnknownTokens = fuseUnk,
            });
        }
        catch (InvalidOperationException e)
        {
            throw new TokenizerFormatException(file, "model", e.Message, e);
        }
        return new BpeModel(bpe, vocab, byteLevel, ignoreMerges, byteFallback, fuseUnk, unkId);
    }

    /// <summary>Appends the ids of one pre-token.</summary>
    public void Encode(string piece, List<int> ids)
    {
        if (_ignoreMerges && _vocab.TryGetValue(_byteLevel ? ByteLevelAlphabet.Encode(piece) : piece, out var whole))
        {
            ids.Add(whole);
            return;
        }
        if (!_byteFallback)
        {
            ids.AddRange(_bpe.EncodeToIds(piece, considerPreTokenization: false, considerNormalization: false));
            return;
        }

        var runStart = 0;          // start of the current run of known characters
        (int Id, int Count)? unk = null;
        var i = 0;
        while (i < piece.Length)
        {
            var width = char.IsHighSurrogate(piece[i]) && i + 1 < piece.Length && char.IsLowSurrogate(piece[i + 1]) ? 2 : 1;
            var ch = piece.Substring(i, width);
            if (_vocab.ContainsKey(ch))
            {
                if (unk is { } pending)
                {
                    ids.Add(pending.Id);
                    unk = null;
                }
            }
            else
            {
                FlushRun(i);
                if (!TryAddBytes(ch, ids) && _unkId is { } unkId)
                    unk = unk is { } u && _fuseUnk ? u : Emit(unk, unkId);
                runStart = i + width;
            }
            i += width;
        }
        FlushRun(piece.Length);
        if (unk is { } last)
            ids.Add(last.Id);

        void FlushRun(int end)
        {
            if (end > runStart)
                ids.AddRange(_bpe.EncodeToIds(piece[runStart..end], considerPreTokenization: false, considerNormalization: false));
            runStart = end;
        }

        (int, int) Emit((int Id, int Count)? previous, int unkId)
        {
            if (previous is { } p)
                ids.Add(p.Id);
            return (unkId, 1);
        }
    }

    private bool TryAddBytes(string ch, List<int> ids)
    {
        var bytes = Encoding.UTF8.GetBytes(ch);
        foreach (var b in bytes)
            if (_byteIds![b] < 0)
                return false;
        foreach (var b in bytes)
            ids.Add(_byteIds![b]);
        return true;
    }

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
}
