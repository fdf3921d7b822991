using System.Text.Json;
using System.Text.RegularExpressions;

namespace Aha.Tokenization.Pipeline;

/// <summary>
/// tokenizer.json's <c>pre_tokenizer</c>: a sequence of steps, each splitting every piece the previous step left
/// (as Hugging Face's <c>Sequence</c> does). Supported: <c>Split</c> (Regex or String pattern; Isolated, Removed,
/// MergedWithPrevious, MergedWithNext, Contiguous), <c>Digits</c>, <c>Metaspace</c> and <c>ByteLevel</c>
/// (GPT-2's regex when <c>use_regex</c>). Regexes match by code point (<see cref="CodePointRegex"/>).
/// DeepSeek-V3 is three Split passes then ByteLevel; Llama 3 and Qwen one Split then ByteLevel.
/// </summary>
internal sealed class PreTokenizerSteps
{
    /// <summary>GPT-2's pre-tokenizer regex, used by a ByteLevel pre-tokenizer with use_regex = true.</summary>
    public const string Gpt2Pattern = @"'s|'t|'re|'ve|'m|'ll|'d| ?\p{L}+| ?\p{N}+| ?[^\s\p{L}\p{N}]+|\s+(?!\S)|\s+";

    private delegate void Step(List<string> pieces, bool segmentStartsText);

    private readonly Step[] _steps;

    private PreTokenizerSteps(Step[] steps, bool byteLevel)
    {
        _steps = steps;
        ByteLevel = byteLevel;
    }

    /// <summary>True when a ByteLevel step maps pieces to GPT-2's byte alphabet (byte-level BPE).</summary>
    public bool ByteLevel { get; }

    /// <summary>
    /// Splits one normalized stretch of text. <paramref name="segmentStartsText"/>: it begins at offset 0 of the
    /// input (Metaspace's prepend_scheme "first" adds "▁" only there).
    /// </summary>
    public List<string> Split(string text, bool segmentStartsText)
    {
        var pieces = new List<string> { text };
        foreach (var step in _steps)
            step(pieces, segmentStartsText);
        pieces.RemoveAll(p => p.Length == 0);
        return pieces;
    }

    public static PreTokenizerSteps Read(JsonElement root, string file)
    {
        var steps = new List<Step>();
        var byteLevel = false;
        if (TokenizerJson.Optional(root, "pre_tokenizer", JsonValueKind.Object, file, "$") is { } pre)
            Add(pre, "pre_tokenizer");
        return new PreTokenizerSteps([.. steps], byteLevel);

        void Add(JsonElement step, string path)
        {
            var type = TokenizerJson.Required(step, "type", JsonValueKind.String, file, path).GetString();
            switch (type)
            {
                case "Sequence":
                    var i = 0;
                    foreach (var inner in TokenizerJson.Required(step, "pretokenizers", JsonValueKind.Array, file, path).EnumerateArray())
                        Add(inner, $"{path}.pretokenizers[{i++}]");
                    break;
                case "Split":
                    if (TokenizerJson.OptionalBool(step, "invert", false, file, path))
                        throw new TokenizerFormatException(file, path + ".invert", "true is not supported; expected false");
                    var behavior = TokenizerJson.OptionalString(step, "behavior", file, path) ?? "Isolated";
                    steps.Add(SplitStep(ReadPattern(step, path), ParseBehavior(behavior, path + ".behavior")));
                    break;
                case "Digits":
                    var individual = TokenizerJson.OptionalBool(step, "individual_digits", false, file, path);
                    steps.Add(SplitStep(Compile(individual ? @"\p{N}" : @"\p{N}+", path), Behavior.Isolated));
                    break;
                case "Metaspace":
                    steps.Add(MetaspaceStep(step, path));
                    break;
                case "ByteLevel":
                    if (byteLevel)
                        throw new TokenizerFormatException(file, path, "a second ByteLevel step is not supported");
                    byteLevel = true;
                    var prefixSpace = TokenizerJson.OptionalBool(step, "add_prefix_space", false, file, path);
                    var gpt2 = TokenizerJson.OptionalBool(step, "use_regex", true, file, path) ? Compile(Gpt2Pattern, path) : null;
                    steps.Add((pieces, _) =>
                    {
                        if (prefixSpace)
                            for (var k = 0; k < pieces.Count; k++)
                                if (!pieces[k].StartsWith(' '))
                                    pieces[k] = " " + pieces[k];
                        if (gpt2 is not null)
                            SplitStep(gpt2, Behavior.Isolated)(pieces, false);
                    });
                    break;
                default:
                    throw new TokenizerFormatException(file, path + ".type",
                        $"\"{type}\" is not supported; expected Split, Digits, Metaspace, ByteLevel or a Sequence of them");
            }
        }

        CodePointRegex ReadPattern(JsonElement step, string path)
        {
            var pattern = TokenizerJson.Required(step, "pattern", JsonValueKind.Object, file, path);
            if (TokenizerJson.Optional(pattern, "Regex", JsonValueKind.String, file, path + ".pattern") is { } regex)
                return Compile(regex.GetString()!, path + ".pattern.Regex");
            if (TokenizerJson.Optional(pattern, "String", JsonValueKind.String, file, path + ".pattern") is { } literal
                && literal.GetString() is { Length: > 0 } s)
                return Compile(Regex.Escape(s), path + ".pattern.String");
            throw new TokenizerFormatException(file, path + ".pattern", "expected {\"Regex\": \"…\"} or {\"String\": \"…\"} (non-empty)");
        }

        CodePointRegex Compile(string pattern, string field)
        {
            try
            {
                return new CodePointRegex(new Regex(pattern, RegexOptions.Compiled | RegexOptions.CultureInvariant));
            }
            catch (ArgumentException e)
            {
                throw new TokenizerFormatException(file, field, $"the regex \"{pattern}\" does not compile in .NET: {e.Message}", e);
            }
        }

        Behavior ParseBehavior(string name, string field) => name switch
        {
            "Isolated" => Behavior.Isolated,
            "Removed" => Behavior.Removed,
            "MergedWithPrevious" => Behavior.MergedWithPrevious,
            "MergedWithNext" => Behavior.MergedWithNext,
            "Contiguous" => Behavior.Contiguous,
            _ => throw new TokenizerFormatException(file, field,
                $"\"{name}\" is not a split behavior; expected Isolated, Removed, MergedWithPrevious, MergedWithNext or Contiguous"),
        };

        Step MetaspaceStep(JsonElement step, string path)
        {
            var replacement = TokenizerJson.OptionalString(step, "replacement", file, path) ?? "▁";
            var scheme = TokenizerJson.OptionalString(step, "prepend_scheme", file, path)
                ?? (TokenizerJson.OptionalBool(step, "add_prefix_space", true, file, path) ? "always" : "never");
            if (scheme is not ("always" or "first" or "never"))
                throw new TokenizerFormatException(file, path + ".prepend_scheme", $"\"{scheme}\" is not supported; expected always, first or never");
            var split = TokenizerJson.OptionalBool(step, "split", true, file, path);
            var splitter = Compile(Regex.Escape(replacement), path + ".replacement");
            return (pieces, segmentStartsText) =>
            {
                for (var k = 0; k < pieces.Count; k++)
                {
                    var p = pieces[k].Replace(" ", replacement, StringComparison.Ordinal);
                    var prepend = scheme == "always" || (scheme == "first" && k == 0 && segmentStartsText);
                    pieces[k] = prepend && !p.StartsWith(replacement, StringComparison.Ordinal) ? replacement + p : p;
                }
                if (split)
                    SplitStep(splitter, Behavior.MergedWithNext)(pieces, segmentStartsText);
            };
        }
    }

    private enum Behavior { Isolated, Removed, MergedWithPrevious, MergedWithNext, Contiguous }

    private static Step SplitStep(CodePointRegex regex, Behavior behavior) => (pieces, _) =>
    {
        var result = new List<string>(pieces.Count);
        foreach (var piece in pieces)
            SplitPiece(piece, regex.Matches(piece), behavior, result);
        pieces.Clear();
        pieces.AddRange(result);
    };

    /// <summary>Hugging Face's SplitDelimiterBehavior applied to one piece's matches.</summary>
    private static void SplitPiece(string piece, List<(int Start, int Length)> matches, Behavior behavior, List<string> into)
    {
        if (behavior == Behavior.Contiguous)
        {
            // Adjacent matches count as one delimiter; otherwise as Isolated.
            var fused = new List<(int, int)>();
            foreach (var (s, l) in matches)
            {
                if (fused.Count > 0 && fused[^1].Item1 + fused[^1].Item2 == s)
                    fused[^1] = (fused[^1].Item1, fused[^1].Item2 + l);
                else
                    fused.Add((s, l));
            }
            matches = fused;
            behavior = Behavior.Isolated;
        }

        var pos = 0;
        string? carry = null; // MergedWithNext: a delimiter waiting for the text after it
        foreach (var (start, length) in matches)
        {
            var gap = piece[pos..start];
            var match = piece.Substring(start, length);
            switch (behavior)
            {
                case Behavior.Isolated:
                    Add(gap);
                    Add(match);
                    break;
                case Behavior.Removed:
                    Add(gap);
                    break;
                case Behavior.MergedWithPrevious:
                    Add(gap + match);
                    break;
                case Behavior.MergedWithNext:
                    Add((carry ?? "") + gap);
                    carry = match;
                    break;
            }
            pos = start + length;
        }
        Add((carry ?? "") + piece[pos..]);

        void Add(string s)
        {
            if (s.Length > 0)
                into.Add(s);
        }
    }
}
