using System.Globalization;
using System.Text;
using System.Text.RegularExpressions;

namespace Aha.Templates;

internal enum TokenKind
{
    Text, Number, String, Identifier, Equals, OpenParen, CloseParen, OpenStatement, CloseStatement,
    OpenExpression, CloseExpression, OpenBracket, CloseBracket, OpenBrace, CloseBrace, Comma, Dot, Colon, Pipe,
    Additive, Multiplicative, Power, Comparison, UnarySign, Comment,
}

/// <param name="Line">1-based line of the token's start in the original template text.</param>
internal sealed record JinjaToken(TokenKind Kind, string Value, int Line);

/// <summary>
/// Template text → tokens, with the whitespace rules of Hugging Face chat templates as @huggingface/jinja applies
/// them: <c>trim_blocks</c> and <c>lstrip_blocks</c> on, one trailing newline of the template dropped,
/// <c>{%- … -%}</c> / <c>{{- … -}}</c> / <c>{#- … -#}</c> trimming, and <c>{% generation %}</c> markers removed.
/// </summary>
internal static class JinjaLexer
{
    private static readonly (string Text, TokenKind Kind)[] Symbols =
    [
        ("{%", TokenKind.OpenStatement), ("%}", TokenKind.CloseStatement), ("{{", TokenKind.OpenExpression),
        ("}}", TokenKind.CloseExpression), ("(", TokenKind.OpenParen), (")", TokenKind.CloseParen),
        ("{", TokenKind.OpenBrace), ("}", TokenKind.CloseBrace), ("[", TokenKind.OpenBracket),
        ("]", TokenKind.CloseBracket), (",", TokenKind.Comma), (".", TokenKind.Dot), (":", TokenKind.Colon),
        ("|", TokenKind.Pipe), ("<=", TokenKind.Comparison), (">=", TokenKind.Comparison), ("==", TokenKind.Comparison),
        ("!=", TokenKind.Comparison), ("<", TokenKind.Comparison), (">", TokenKind.Comparison),
        ("+", TokenKind.Additive), ("-", TokenKind.Additive), ("~", TokenKind.Additive), ("**", TokenKind.Power),
        ("*", TokenKind.Multiplicative), ("//", TokenKind.Multiplicative), ("/", TokenKind.Multiplicative),
        ("%", TokenKind.Multiplicative), ("=", TokenKind.Equals),
    ];

    public static List<JinjaToken> Tokenize(string template)
    {
        var (src, lines) = Preprocess(template);
        var tokens = new List<JinjaToken>();
        var pos = 0;
        var braceDepth = 0;

        while (pos < src.Length)
        {
            var last = tokens.Count == 0 ? (TokenKind?)null : tokens[^1].Kind;
            if (last is null or TokenKind.CloseStatement or TokenKind.CloseExpression or TokenKind.Comment)
            {
                var start = pos;
                while (pos < src.Length && !(src[pos] == '{' && pos + 1 < src.Length && src[pos + 1] is '%' or '{' or '#'))
                    pos++;
                if (pos > start)
                {
                    tokens.Add(new JinjaToken(TokenKind.Text, src[start..pos], lines[start]));
                    continue;
                }
            }

            var line = lines[pos];
            if (At("{#"))
            {
                pos += 2;
                var stripBefore = pos < src.Length && src[pos] == '-';
                if (stripBefore)
                    pos++;
                var start = pos;
                while (!(pos + 1 < src.Length && src[pos] == '#' && src[pos + 1] == '}'))
                {
                    if (pos + 2 >= src.Length)
                        throw new JinjaError("missing end of comment tag #}", line);
                    pos++;
                }
                var comment = src[start..pos];
                var stripAfter = comment.EndsWith('-');
                if (stripBefore)
                    StripTrailingWhitespace();
                tokens.Add(new JinjaToken(TokenKind.Comment, stripAfter ? comment[..^1] : comment, line));
                pos += 2;
                if (stripAfter)
                    SkipWhitespace();
                continue;
            }
            if (At("{%-"))
            {
                StripTrailingWhitespace();
                tokens.Add(new JinjaToken(TokenKind.OpenStatement, "{%", line));
                pos += 3;
                continue;
            }
            if (At("{{-"))
            {
                StripTrailingWhitespace();
                tokens.Add(new JinjaToken(TokenKind.OpenExpression, "{{", line));
                braceDepth = 0;
                pos += 3;
                continue;
            }
            while (pos < src.Length && IsJsWhitespace(src[pos]))
                pos++;
            if (pos >= src.Length)
                break;
            line = lines[pos];
            if (At("-%}"))
            {
                tokens.Add(new JinjaToken(TokenKind.CloseStatement, "%}", line));
                pos += 3;
                SkipWhitespace();
                continue;
            }
            if (At("-}}"))
            {
                tokens.Add(new JinjaToken(TokenKind.CloseExpression, "}}", line));
                pos += 3;
                SkipWhitespace();
                continue;
            }

            var c = src[pos];
            if (c is '-' or '+')
            {
                // A sign: a negative number literal or a unary operator, unless it follows an operand.
                if (tokens.Count == 0 || tokens[^1].Kind == TokenKind.Text)
                    throw new JinjaError($"unexpected character '{c}'", line);
                if (tokens[^1].Kind is not (TokenKind.Identifier or TokenKind.Number or TokenKind.String
                    or TokenKind.CloseParen or TokenKind.CloseBracket))
                {
                    pos++;
                    var num = ReadDigits();
                    if (num.Length > 0 && pos + 1 < src.Length && src[pos] == '.' && char.IsAsciiDigit(src[pos + 1]))
                    {
                        pos++;
                        num += "." + ReadDigits();
                    }
                    tokens.Add(new JinjaToken(num.Length > 0 ? TokenKind.Number : TokenKind.UnarySign, c + num, line));
                    continue;
                }
            }

            var matched = false;
            foreach (var (text, kind) in Symbols)
            {
                if (text == "}}" && braceDepth > 0)
                    continue;
                if (!At(text))
                    continue;
                tokens.Add(new JinjaToken(kind, text, line));
                if (kind == TokenKind.OpenExpression)
                    braceDepth = 0;
                else if (kind == TokenKind.OpenBrace)
                    braceDepth++;
                else if (kind == TokenKind.CloseBrace)
                    braceDepth--;
                pos += text.Length;
                matched = true;
                break;
            }
            if (matched)
                continue;

            if (c is '\'' or '"')
            {
                pos++;
                tokens.Add(new JinjaToken(TokenKind.String, ReadString(c, line), line));
                pos++;
                continue;
            }
            if (char.IsAsciiDigit(c))
            {
                var num = ReadDigits();
                // "1.5" is a float, but in "x.0.1" the digits after a dot are member indices.
                if ((tokens.Count == 0 || tokens[^1].Kind != TokenKind.Dot) && pos + 1 < src.Length && src[pos] == '.' && char.IsAsciiDigit(src[pos + 1]))
                {
                    pos++;
                    num += "." + ReadDigits();
                }
                tokens.Add(new JinjaToken(TokenKind.Number, num, line));
                continue;
            }
            if (IsWord(c))
            {
                var start = pos;
                while (pos < src.Length && IsWord(src[pos]))
                    pos++;
                tokens.Add(new JinjaToken(TokenKind.Identifier, src[start..pos], line));
                continue;
            }
            throw new JinjaError($"unexpected character '{c}'", line);
        }
        return tokens;

        bool At(string s) => pos + s.Length <= src.Length && string.CompareOrdinal(src, pos, s, 0, s.Length) == 0;

        string ReadDigits()
        {
            var start = pos;
            while (pos < src.Length && char.IsAsciiDigit(src[pos]))
                pos++;
            return src[start..pos];
        }

        string ReadString(char quote, int line)
        {
            var sb = new StringBuilder();
            while (true)
            {
                if (pos >= src.Length)
                    throw new JinjaError("unterminated string literal", line);
                var ch = src[pos];
                if (ch == quote)
                    return sb.ToString();
                if (ch == '\\')
                {
                    if (++pos >= src.Length)
                        throw new JinjaError("unexpected end of input in a string escape", line);
                    var e = src[pos++];
                    if (e is 'x' or 'u')
                    {
                        var n = e == 'x' ? 2 : 4;
                        if (pos + n > src.Length || !int.TryParse(src.AsSpan(pos, n), NumberStyles.HexNumber, null, out var code))
                            throw new JinjaError($"invalid hexadecimal escape \\{e}", line);
                        sb.Append((char)code);
                        pos += n;
                        continue;
                    }
                    sb.Append(e switch
                    {
                        'n' => '\n', 't' => '\t', 'r' => '\r', 'b' => '\b', 'f' => '\f', 'v' => '\v',
                        '\'' => '\'', '"' => '"', '\\' => '\\',
                        _ => throw new JinjaError($"unexpected escaped character '{e}'", line),
                    });
                    continue;
                }
                sb.Append(ch);
                pos++;
            }
        }

        void StripTrailingWhitespace()
        {
            if (tokens.Count > 0 && tokens[^1].Kind == TokenKind.Text)
            {
                var trimmed = JsString.TrimEnd(tokens[^1].Value);
                if (trimmed.Length == 0)
                    tokens.RemoveAt(tokens.Count - 1);
                else
                    tokens[^1] = tokens[^1] with { Value = trimmed };
            }
        }

        void SkipWhitespace()
        {
            while (pos < src.Length && IsJsWhitespace(src[pos]))
                pos++;
        }
    }

    private static bool IsWord(char c) => char.IsAsciiLetterOrDigit(c) || c == '_';

    private static bool IsJsWhitespace(char c) => JsString.IsWhitespace(c);

    private static readonly Regex LStripBlocks = new(@"^[ \t]*(?=\{[#%-])", RegexOptions.Multiline | RegexOptions.CultureInvariant);
    private static readonly Regex TrimBlocks = new(@"(?<=[#%-]\})\n", RegexOptions.CultureInvariant);
    private static readonly Regex Generation = new(@"(\s*)\{%(-?)\s*(?:end)?generation\s*(-?)%\}(\s*)", RegexOptions.CultureInvariant);

    /// <summary>The text the tokenizer reads, and for each of its chars the 1-based line it came from.</summary>
    private static (string Text, int[] Lines) Preprocess(string template)
    {
        var chars = template.ToCharArray().ToList();
        var lines = new List<int>(chars.Count);
        var line = 1;
        foreach (var c in chars)
        {
            lines.Add(line);
            if (c == '\n')
                line++;
        }
        if (chars.Count > 0 && chars[^1] == '\n')
        {
            chars.RemoveAt(chars.Count - 1);
            lines.RemoveAt(lines.Count - 1);
        }
        Delete(LStripBlocks, m => [(m.Index, m.Length)]);
        Delete(TrimBlocks, m => [(m.Index, m.Length)]);
        Delete(Generation, m =>
        {
            // The marker goes; the white space around it stays unless the marker's '-' asks to drop it.
            var before = m.Groups[1];
            var after = m.Groups[4];
            var spans = new List<(int, int)>();
            if (m.Groups[2].Length > 0)
                spans.Add((before.Index, before.Length));
            spans.Add((before.Index + before.Length, after.Index - before.Index - before.Length));
            if (m.Groups[3].Length > 0)
                spans.Add((after.Index, after.Length));
            return spans;
        });
        lines.Add(line);
        return (new string(chars.ToArray()), lines.ToArray());

        void Delete(Regex regex, Func<Match, List<(int Start, int Length)>> spans)
        {
            var text = new string(chars.ToArray());
            var remove = new bool[text.Length];
            foreach (Match m in regex.Matches(text))
                foreach (var (s, l) in spans(m))
                    for (var i = s; i < s + l; i++)
                        remove[i] = true;
            var keptChars = new List<char>(chars.Count);
            var keptLines = new List<int>(chars.Count);
            for (var i = 0; i < text.Length; i++)
            {
                if (remove[i])
                    continue;
                keptChars.Add(chars[i]);
                keptLines.Add(lines[i]);
            }
            chars = keptChars;
            lines = keptLines;
        }
    }
}
