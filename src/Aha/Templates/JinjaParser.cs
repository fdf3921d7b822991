using System.Globalization;

namespace Aha.Templates;

/// <summary>
/// Tokens → a tree, with the operator precedence of @huggingface/jinja (from loosest): conditional
/// (<c>a if c else b</c>), <c>or</c>, <c>and</c>, <c>not</c>, comparisons and <c>in</c>, <c>+ - ~</c>,
/// <c>* / // %</c>, <c>**</c>, <c>is</c> tests, <c>|</c> filters, unary sign, calls/members/literals.
/// Statements: <c>if/elif/else</c>, <c>for</c> (tuple targets, <c>if</c> filter, <c>else</c>), <c>set</c> (also
/// namespace attributes and block form), <c>break</c>, <c>continue</c>. Anything else fails naming its line.
/// </summary>
internal sealed class JinjaParser
{
    private readonly List<JinjaToken> _tokens;
    private int _pos;

    private JinjaParser(List<JinjaToken> tokens) => _tokens = tokens;

    public static List<Node> Parse(List<JinjaToken> tokens)
    {
        var parser = new JinjaParser(tokens);
        var body = new List<Node>();
        while (parser._pos < tokens.Count)
            body.Add(parser.ParseAny());
        return body;
    }

    private JinjaToken Current => _pos < _tokens.Count ? _tokens[_pos]
        : throw new JinjaError("unexpected end of template", _tokens.Count == 0 ? 1 : _tokens[^1].Line);

    private int Line => _pos < _tokens.Count ? _tokens[_pos].Line : _tokens.Count == 0 ? 1 : _tokens[^1].Line;

    private bool Is(TokenKind kind) => _pos < _tokens.Count && _tokens[_pos].Kind == kind;

    private bool IsName(string name, int offset = 0) =>
        _pos + offset < _tokens.Count && _tokens[_pos + offset].Kind == TokenKind.Identifier && _tokens[_pos + offset].Value == name;

    private bool IsStatement(params string[] names) =>
        Is(TokenKind.OpenStatement) && _pos + 1 < _tokens.Count && _tokens[_pos + 1].Kind == TokenKind.Identifier
        && names.Contains(_tokens[_pos + 1].Value);

    private JinjaToken Expect(TokenKind kind, string what)
    {
        var t = Current;
        if (t.Kind != kind)
            throw new JinjaError($"expected {what}, found {Describe(t)}", t.Line);
        _pos++;
        return t;
    }

    private void ExpectName(string name)
    {
        if (!IsName(name))
            throw new JinjaError($"expected '{name}', found {Describe(Current)}", Line);
        _pos++;
    }

    private static string Describe(JinjaToken t) => t.Kind switch
    {
        TokenKind.Text => "template text",
        TokenKind.String => $"the string '{t.Value}'",
        _ => $"'{t.Value}'",
    };

    private Node ParseAny()
    {
        var t = Current;
        switch (t.Kind)
        {
            case TokenKind.Comment:
                _pos++;
                return new CommentNode(t.Line);
            case TokenKind.Text:
                _pos++;
                return new TextNode(t.Value, t.Line);
            case TokenKind.OpenStatement:
                return ParseStatement();
            case TokenKind.OpenExpression:
                _pos++;
                var value = ParseExpression();
                Expect(TokenKind.CloseExpression, "'}}'");
                return new OutputNode(value, t.Line);
            default:
                throw new JinjaError($"unexpected {Describe(t)}", t.Line);
        }
    }

    private List<Node> ParseBodyUntil(params string[] ends)
    {
        var body = new List<Node>();
        while (!IsStatement(ends))
        {
            if (_pos >= _tokens.Count)
                throw new JinjaError($"missing {{% {ends[^1]} %}}", _tokens.Count == 0 ? 1 : _tokens[^1].Line);
            body.Add(ParseAny());
        }
        return body;
    }

    private Node ParseStatement()
    {
        var open = Expect(TokenKind.OpenStatement, "'{%'");
        var name = Current;
        if (name.Kind != TokenKind.Identifier)
            throw new JinjaError($"expected a statement name after '{{%', found {Describe(name)}", name.Line);
        _pos++;
        switch (name.Value)
        {
            case "set":
                return ParseSet(open.Line);
            case "if":
                var node = ParseIf(open.Line);
                Expect(TokenKind.OpenStatement, "'{%'");
                ExpectName("endif");
                Expect(TokenKind.CloseStatement, "'%}'");
                return node;
            case "for":
                var loop = ParseFor(open.Line);
                Expect(TokenKind.OpenStatement, "'{%'");
                ExpectName("endfor");
                Expect(TokenKind.CloseStatement, "'%}'");
                return loop;
            case "break":
                Expect(TokenKind.CloseStatement, "'%}'");
                return new BreakNode(open.Line);
            case "continue":
                Expect(TokenKind.CloseStatement, "'%}'");
                return new ContinueNode(open.Line);
            default:
                throw new JinjaError($"the statement '{name.Value}' is not supported (supported: if, for, set, break, continue)", name.Line);
        }
    }

    private SetNode ParseSet(int line)
    {
        var target = ParseExpressionSequence(primary: false);
        if (Is(TokenKind.Equals))
        {
            _pos++;
            var value = ParseExpressionSequence(primary: false);
            Expect(TokenKind.CloseStatement, "'%}'");
            return new SetNode(target, value, [], line);
        }
        Expect(TokenKind.CloseStatement, "'=' or '%}'");
        var body = ParseBodyUntil("endset");
        Expect(TokenKind.OpenStatement, "'{%'");
        ExpectName("endset");
        Expect(TokenKind.CloseStatement, "'%}'");
        return new SetNode(target, null, body, line);
    }

    private IfNode ParseIf(int line)
    {
        var test = ParseExpression();
        Expect(TokenKind.CloseStatement, "'%}'");
        var body = ParseBodyUntil("elif", "else", "endif");
        var alternate = new List<Node>();
        if (IsStatement("elif"))
        {
            var elifLine = Current.Line;
            _pos += 2;
            alternate.Add(ParseIf(elifLine));
        }
        else if (IsStatement("else"))
        {
            _pos += 2;
            Expect(TokenKind.CloseStatement, "'%}'");
            alternate = ParseBodyUntil("endif");
        }
        return new IfNode(test, body, alternate, line);
    }

    private ForNode ParseFor(int line)
    {
        var target = ParseExpressionSequence(primary: true);
        if (target is not (NameExpr or ListExpr { IsTuple: true }))
            throw new JinjaError("expected a name or a tuple of names as the loop variable", line);
        ExpectName("in");
        var iterable = ParseExpression();
        Expr? filter = null;
        if (iterable is SelectExpr select)
            (iterable, filter) = (select.Value, select.Condition);
        Expect(TokenKind.CloseStatement, "'%}'");
        var body = ParseBodyUntil("endfor", "else");
        var alternative = new List<Node>();
        if (IsStatement("else"))
        {
            _pos += 2;
            Expect(TokenKind.CloseStatement, "'%}'");
            alternative = ParseBodyUntil("endfor");
        }
        return new ForNode(target, iterable, filter, body, alternative, line);
    }

    private Expr ParseExpressionSequence(bool primary)
    {
        var line = Line;
        var first = primary ? ParsePrimary() : ParseExpression();
        if (!Is(TokenKind.Comma))
            return first;
        var items = new List<Expr> { first };
        while (Is(TokenKind.Comma))
        {
            _pos++;
            items.Add(primary ? ParsePrimary() : ParseExpression());
        }
        return new ListExpr(items, IsTuple: true, line);
    }

    private Expr ParseExpression()
    {
        var line = Line;
        var value = ParseOr();
        if (!IsName("if"))
            return value;
        _pos++;
        var condition = ParseOr();
        if (!IsName("else"))
            return new SelectExpr(value, condition, line);
        _pos++;
        return new TernaryExpr(condition, value, ParseExpression(), line);
    }

    private Expr ParseOr()
    {
        var left = ParseAnd();
        while (IsName("or"))
        {
            var line = Line;
            _pos++;
            left = new BinaryExpr("or", left, ParseAnd(), line);
        }
        return left;
    }

    private Expr ParseAnd()
    {
        var left = ParseNot();
        while (IsName("and"))
        {
            var line = Line;
            _pos++;
            left = new BinaryExpr("and", left, ParseNot(), line);
        }
        return left;
    }

    private Expr ParseNot()
    {
        if (!IsName("not"))
            return ParseComparison();
        var line = Line;
        _pos++;
        return new UnaryExpr("not", ParseNot(), line);
    }

    private Expr ParseComparison()
    {
        var left = ParseAdditive();
        while (true)
        {
            var line = Line;
            string op;
            if (IsName("not") && IsName("in", 1))
            {
                op = "not in";
                _pos += 2;
            }
            else if (IsName("in"))
            {
                op = "in";
                _pos++;
            }
            else if (Is(TokenKind.Comparison))
            {
                op = Current.Value;
                _pos++;
            }
            else
            {
                return left;
            }
            left = new BinaryExpr(op, left, ParseAdditive(), line);
        }
    }

    private Expr ParseAdditive()
    {
        var left = ParseMultiplicative();
        while (Is(TokenKind.Additive))
        {
            var t = Current;
            _pos++;
            left = new BinaryExpr(t.Value, left, ParseMultiplicative(), t.Line);
        }
        return left;
    }

    private Expr ParseMultiplicative()
    {
        var left = ParsePower();
        while (Is(TokenKind.Multiplicative))
        {
            var t = Current;
            _pos++;
            left = new BinaryExpr(t.Value, left, ParsePower(), t.Line);
        }
        return left;
    }

    private Expr ParsePower()
    {
        var left = ParseTest();
        while (Is(TokenKind.Power))
        {
            var t = Current;
            _pos++;
            left = new BinaryExpr("**", left, ParseTest(), t.Line);
        }
        return left;
    }

    private Expr ParseTest()
    {
        var operand = ParseFilter();
        while (IsName("is"))
        {
            var line = Line;
            _pos++;
            var negate = IsName("not");
            if (negate)
                _pos++;
            if (ParsePrimary() is not NameExpr test)
                throw new JinjaError("expected a test name after 'is'", line);
            operand = new TestExpr(operand, negate, test.Name, line);
        }
        return operand;
    }

    private Expr ParseFilter()
    {
        var operand = ParseUnarySign();
        while (Is(TokenKind.Pipe))
        {
            var line = Line;
            _pos++;
            Expr filter = ParsePrimary() as NameExpr ?? throw new JinjaError("expected a filter name after '|'", line);
            if (Is(TokenKind.OpenParen))
                filter = ParseCall(filter);
            operand = new FilterExpr(operand, filter, line);
        }
        return operand;
    }

    private Expr ParseUnarySign()
    {
        if ((Is(TokenKind.UnarySign) || Is(TokenKind.Additive)) && Current.Value is "-" or "+")
        {
            var t = Current;
            _pos++;
            return new UnaryExpr(t.Value, ParseUnarySign(), t.Line);
        }
        var member = ParseMember(ParsePrimary());
        return Is(TokenKind.OpenParen) ? ParseCall(member) : member;
    }

    private Expr ParseCall(Expr callee)
    {
        Expr call = new CallExpr(callee, ParseArgs(), callee.Line);
        call = ParseMember(call);
        return Is(TokenKind.OpenParen) ? ParseCall(call) : call;
    }

    private List<Expr> ParseArgs()
    {
        Expect(TokenKind.OpenParen, "'('");
        var args = new List<Expr>();
        var sawKeyword = false;
        while (!Is(TokenKind.CloseParen))
        {
            var line = Line;
            if (Is(TokenKind.Power) || (Is(TokenKind.Multiplicative) && Current.Value == "*"))
                throw new JinjaError("argument unpacking (* / **) is not supported", line);
            var argument = ParseExpression();
            if (Is(TokenKind.Equals))
            {
                _pos++;
                if (argument is not NameExpr name)
                    throw new JinjaError("expected a name before '=' in a keyword argument", line);
                argument = new KeywordArgExpr(name.Name, ParseExpression(), line);
                sawKeyword = true;
            }
            else if (sawKeyword)
            {
                throw new JinjaError("positional arguments must come before keyword arguments", line);
            }
            args.Add(argument);
            if (Is(TokenKind.Comma))
                _pos++;
        }
        Expect(TokenKind.CloseParen, "')'");
        return args;
    }

    private Expr ParseMember(Expr obj)
    {
        while (Is(TokenKind.Dot) || Is(TokenKind.OpenBracket))
        {
            var op = Current;
            _pos++;
            if (op.Kind == TokenKind.OpenBracket)
            {
                var property = ParseSubscript(op.Line);
                Expect(TokenKind.CloseBracket, "']'");
                obj = new MemberExpr(obj, property, Computed: true, op.Line);
            }
            else
            {
                var property = ParsePrimary();
                if (property is not (NameExpr or LiteralExpr { Value: JinjaInt }))
                    throw new JinjaError("expected a name or an integer after '.'", op.Line);
                obj = new MemberExpr(obj, property, Computed: false, op.Line);
            }
        }
        return obj;
    }

    private Expr ParseSubscript(int line)
    {
        var parts = new List<Expr?>();
        var isSlice = false;
        while (!Is(TokenKind.CloseBracket))
        {
            if (Is(TokenKind.Colon))
            {
                parts.Add(null);
                _pos++;
                isSlice = true;
            }
            else
            {
                parts.Add(ParseExpression());
                if (Is(TokenKind.Colon))
                {
                    _pos++;
                    isSlice = true;
                }
            }
        }
        if (parts.Count == 0)
            throw new JinjaError("expected an index or a slice inside '[]'", line);
        if (!isSlice)
            return parts[0]!;
        if (parts.Count > 3)
            throw new JinjaError("a slice takes at most three parts", line);
        return new SliceExpr(parts[0], parts.Count > 1 ? parts[1] : null, parts.Count > 2 ? parts[2] : null, line);
    }

    private Expr ParsePrimary()
    {
        var t = Current;
        _pos++;
        switch (t.Kind)
        {
            case TokenKind.Number:
                return t.Value.Contains('.')
                    ? new LiteralExpr(new JinjaFloat(double.Parse(t.Value, CultureInfo.InvariantCulture)), t.Line)
                    : new LiteralExpr(new JinjaInt(long.Parse(t.Value, CultureInfo.InvariantCulture)), t.Line);
            case TokenKind.String:
                var text = t.Value;
                while (Is(TokenKind.String))
                    text += _tokens[_pos++].Value;
                return new LiteralExpr(new JinjaString(text), t.Line);
            case TokenKind.Identifier:
                return new NameExpr(t.Value, t.Line);
            case TokenKind.OpenParen:
                var inner = ParseExpressionSequence(primary: false);
                Expect(TokenKind.CloseParen, "')'");
                return inner;
            case TokenKind.OpenBracket:
                var items = new List<Expr>();
                while (!Is(TokenKind.CloseBracket))
                {
                    items.Add(ParseExpression());
                    if (Is(TokenKind.Comma))
                        _pos++;
                }
                _pos++;
                return new ListExpr(items, IsTuple: false, t.Line);
            case TokenKind.OpenBrace:
                var pairs = new List<(Expr, Expr)>();
                while (!Is(TokenKind.CloseBrace))
                {
                    var key = ParseExpression();
                    Expect(TokenKind.Colon, "':' between key and value");
                    pairs.Add((key, ParseExpression()));
                    if (Is(TokenKind.Comma))
                        _pos++;
                }
                _pos++;
                return new DictExpr(pairs, t.Line);
            default:
                throw new JinjaError($"unexpected {Describe(t)}", t.Line);
        }
    }
}
