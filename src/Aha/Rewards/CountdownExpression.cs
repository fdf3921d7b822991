using System.Globalization;

namespace Aha.Rewards;

/// <summary>Bounds that keep the Countdown parser fast on hostile input. Defaults fit 3–6 numbers comfortably.</summary>
public sealed record CountdownLimits
{
    /// <summary>Longest expression accepted, in characters (checked before anything else). Default 512.</summary>
    public int MaxLength { get; init; } = 512;

    /// <summary>Deepest parenthesis nesting accepted. Default 32.</summary>
    public int MaxDepth { get; init; } = 32;

    /// <summary>Most digits in one number. Default 9 (fits an int).</summary>
    public int MaxNumberDigits { get; init; } = 9;

    /// <summary>Most numbers in one expression. Default 32.</summary>
    public int MaxNumbers { get; init; } = 32;

    public static readonly CountdownLimits Default = new();
}

/// <summary>
/// The outcome of parsing a Countdown expression: either a syntax <see cref="Error"/>, or the numbers it uses (in
/// order) and its exact value (null when it divides by zero).
/// </summary>
public sealed record CountdownParse(string? Error, IReadOnlyList<int> Numbers, BigRational? Value)
{
    public bool IsWellFormed => Error is null;
}

/// <summary>
/// A hand-written recursive-descent parser and exact evaluator for Countdown answers — never an evaluator of
/// arbitrary code. Grammar (binary operators only; no unary minus, no decimals):
/// <code>
/// answer := expr [ '=' NUMBER ]          (a trailing "= 125" is allowed and ignored)
/// expr   := term { ('+' | '-') term }
/// term   := factor { ('*' | '/') factor }
/// factor := NUMBER | '(' expr ')'
/// NUMBER := ASCII digits 0-9 only
/// </code>
/// Operator spellings: + ; - − (U+2212) ; * × · ; / ÷. Length, depth, digit and number-count limits
/// (<see cref="CountdownLimits"/>) are enforced as tokens are read, so every input is handled in linear time.
/// </summary>
public static class CountdownExpression
{
    private enum Kind { Number, Plus, Minus, Times, Divide, Open, Close, Equals, End }

    private readonly record struct Token(Kind Kind, int Value, int Position);

    public static CountdownParse Parse(string expression, CountdownLimits? limits = null)
    {
        ArgumentNullException.ThrowIfNull(expression);
        limits ??= CountdownLimits.Default;
        if (expression.Length > limits.MaxLength)
            return Fail($"expression longer than {limits.MaxLength} characters ({expression.Length})");
        if (string.IsNullOrWhiteSpace(expression)) return Fail("empty expression");

        var tokens = new List<Token>();
        if (Tokenize(expression, limits, tokens) is { } tokenError) return Fail(tokenError);
        var parser = new Parser(tokens, limits);
        return parser.ParseAnswer();
    }

    private static CountdownParse Fail(string error) => new(error, Array.Empty<int>(), null);

    private static string? Tokenize(string s, CountdownLimits limits, List<Token> tokens)
    {
        int numbers = 0;
        for (int i = 0; i < s.Length;)
        {
            char c = s[i];
            if (c is >= '0' and <= '9')
            {
                int start = i;
                while (i < s.Length && s[i] is >= '0' and <= '9') i++;
                if (i - start > limits.MaxNumberDigits)
                    return $"number at position {start} has more than {limits.MaxNumberDigits} digits";
                if (i < s.Length && (s[i] == '.' || s[i] == ','))
                    return $"only whole numbers are allowed ('{s[i]}' at position {i})";
                if (++numbers > limits.MaxNumbers) return $"more than {limits.MaxNumbers} numbers";
                tokens.Add(new Token(Kind.Number, int.Parse(s.AsSpan(start, i - start), NumberStyles.None, CultureInfo.InvariantCulture), start));
                continue;
            }
            Kind? kind = c switch
            {
                '+' => Kind.Plus,
                '-' or '\u2212' => Kind.Minus,
                '*' or '×' or '·' => Kind.Times,
                '/' or '÷' => Kind.Divide,
                '(' => Kind.Open,
                ')' => Kind.Close,
                '=' => Kind.Equals,
                _ => null,
            };
            if (kind is { } k) tokens.Add(new Token(k, 0, i));
            else if (!char.IsWhiteSpace(c))
                return char.IsDigit(c) || char.IsNumber(c)
                    ? $"non-ASCII digit '{c}' (U+{(int)c:X4}) at position {i}"
                    : $"unexpected character '{c}' at position {i}";
            i++;
        }
        tokens.Add(new Token(Kind.End, 0, s.Length));
        return null;
    }

    private sealed class SyntaxError(string message) : Exception(message);

    private sealed class Parser(List<Token> tokens, CountdownLimits limits)
    {
        private int _pos;
        private int _depth;
        private bool _divideByZero;
        private readonly List<int> _numbers = new();

        private Token Peek => tokens[_pos];

        public CountdownParse ParseAnswer()
        {
            try
            {
                var value = Expr();
                if (Peek.Kind == Kind.Equals)
                {
                    _pos++;
                    if (Peek.Kind != Kind.Number) throw Error("a number after '='");
                    _pos++;
                }
                if (Peek.Kind != Kind.End) throw Error("an operator or the end");
                return new CountdownParse(null, _numbers, _divideByZero ? null : value);
            }
            catch (SyntaxError e)
            {
                return Fail(e.Message);
            }
        }

        private BigRational Expr()
        {
            var left = Term();
            while (Peek.Kind is Kind.Plus or Kind.Minus)
            {
                var op = tokens[_pos++].Kind;
                var right = Term();
                left = op == Kind.Plus ? left + right : left - right;
            }
            return left;
        }

        private BigRational Term()
        {
            var left = Factor();
            while (Peek.Kind is Kind.Times or Kind.Divide)
            {
                var op = tokens[_pos++].Kind;
                var right = Factor();
                if (op == Kind.Times) left *= right;
                else if (right.IsZero) _divideByZero = true;
                else left /= right;
            }
            return left;
        }

        private BigRational Factor()
        {
            var t = Peek;
            switch (t.Kind)
            {
                case Kind.Number:
                    _pos++;
                    _numbers.Add(t.Value);
                    return BigRational.FromInteger(t.Value);
                case Kind.Open:
                    if (++_depth > limits.MaxDepth)
                        throw new SyntaxError($"parentheses nested deeper than {limits.MaxDepth}");
                    _pos++;
                    var inner = Expr();
                    if (Peek.Kind != Kind.Close) throw Error("')'");
                    _pos++;
                    _depth--;
                    return inner;
                case Kind.Minus or Kind.Plus:
                    throw new SyntaxError($"unary '{(t.Kind == Kind.Minus ? '-' : '+')}' at position {t.Position} is not allowed");
                default:
                    throw Error("a number or '('");
            }
        }

        private SyntaxError Error(string expected)
        {
            var t = Peek;
            var found = t.Kind == Kind.End ? "end of expression" : $"'{Describe(t.Kind)}' at position {t.Position}";
            return new SyntaxError($"expected {expected}, found {found}");
        }

        private static string Describe(Kind k) => k switch
        {
            Kind.Plus => "+", Kind.Minus => "-", Kind.Times => "*", Kind.Divide => "/",
            Kind.Open => "(", Kind.Close => ")", Kind.Equals => "=", Kind.Number => "number", _ => "end",
        };
    }
}
