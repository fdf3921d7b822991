namespace Aha.Templates;

/// <summary>
/// Evaluates a parsed template. Semantics are @huggingface/jinja's, including where it departs from Python's Jinja,
/// because chat templates are checked byte for byte against it: <c>==</c> compares loosely (1 == true, none ==
/// undefined), <c>+</c> concatenates when either side is a string, the string methods <c>strip/lstrip/rstrip</c>
/// ignore their argument and trim white space, a for loop's variables stay in the loop. Filters, tests and string
/// methods are in <see cref="JinjaBuiltins"/>.
/// </summary>
internal sealed class JinjaInterpreter
{
    private sealed class BreakSignal : Exception;
    private sealed class ContinueSignal : Exception;

    public string Render(List<Node> body, JinjaScope scope) => Block(body, scope);

    private string Block(List<Node> body, JinjaScope scope)
    {
        var sb = new System.Text.StringBuilder();
        foreach (var node in body)
            Execute(node, scope, sb);
        return sb.ToString();
    }

    private void Execute(Node node, JinjaScope scope, System.Text.StringBuilder output)
    {
        try
        {
            switch (node)
            {
                case TextNode t:
                    output.Append(t.Text);
                    break;
                case CommentNode:
                    break;
                case OutputNode o:
                    output.Append(Eval(o.Value, scope).Print());
                    break;
                case IfNode i:
                    output.Append(Block(Eval(i.Test, scope).IsTrue ? i.Body : i.Else, scope));
                    break;
                case ForNode f:
                    output.Append(For(f, scope));
                    break;
                case SetNode s:
                    Set(s, scope);
                    break;
                case BreakNode:
                    throw new BreakSignal();
                case ContinueNode:
                    throw new ContinueSignal();
                default:
                    throw new JinjaError($"unknown node {node.GetType().Name}", node.Line);
            }
        }
        catch (JinjaError e) when (e.Line == 0)
        {
            throw new JinjaError(e.Message, node.Line);
        }
    }

    private void Set(SetNode node, JinjaScope scope)
    {
        var value = node.Value is null ? new JinjaString(Block(node.Body, scope)) : Eval(node.Value, scope);
        switch (node.Target)
        {
            case NameExpr name:
                scope.Set(name.Name, value);
                break;
            case ListExpr { IsTuple: true }:
                Bind(node.Target, value, scope);
                break;
            case MemberExpr { Computed: false, Property: NameExpr property } member:
                if (Eval(member.Object, scope) is not JinjaDict { IsNamespace: true } ns)
                    throw new JinjaError("cannot assign an attribute of something that is not a namespace");
                ns.Items[property.Name] = value;
                break;
            default:
                throw new JinjaError("invalid target of set");
        }
    }

    private string For(ForNode node, JinjaScope outer)
    {
        var scope = new JinjaScope(outer);
        var iterable = Eval(node.Iterable, scope);
        List<JinjaValue> source = iterable switch
        {
            JinjaList l => l.Items,
            JinjaDict { IsNamespace: false } d => d.Items.Keys.Select(k => (JinjaValue)new JinjaString(k)).ToList(),
            _ => throw new JinjaError($"cannot loop over a {iterable.Kind}"),
        };
        var items = new List<JinjaValue>();
        foreach (var item in source)
        {
            if (node.Filter is not null)
            {
                var test = new JinjaScope(scope);
                Bind(node.Target, item, test);
                if (!Eval(node.Filter, test).IsTrue)
                    continue;
            }
            items.Add(item);
        }

        var sb = new System.Text.StringBuilder();
        var ran = false;
        for (var i = 0; i < items.Count; i++)
        {
            var loop = new OrderedDictionary<string, JinjaValue>
            {
                ["index"] = new JinjaInt(i + 1),
                ["index0"] = new JinjaInt(i),
                ["revindex"] = new JinjaInt(items.Count - i),
                ["revindex0"] = new JinjaInt(items.Count - i - 1),
                ["first"] = JinjaBool.Of(i == 0),
                ["last"] = JinjaBool.Of(i == items.Count - 1),
                ["length"] = new JinjaInt(items.Count),
                ["previtem"] = i > 0 ? items[i - 1] : JinjaUndefined.Instance,
                ["nextitem"] = i < items.Count - 1 ? items[i + 1] : JinjaUndefined.Instance,
            };
            scope.Set("loop", new JinjaDict(loop));
            Bind(node.Target, items[i], scope);
            try
            {
                sb.Append(Block(node.Body, scope));
            }
            catch (ContinueSignal)
            {
                continue;
            }
            catch (BreakSignal)
            {
                break;
            }
            ran = true;
        }
        if (!ran)
            sb.Append(Block(node.Else, scope));
        return sb.ToString();
    }

    private static void Bind(Expr target, JinjaValue item, JinjaScope scope)
    {
        if (target is NameExpr name)
        {
            scope.Set(name.Name, item);
            return;
        }
        var tuple = (ListExpr)target;
        if (item is not JinjaList list)
            throw new JinjaError($"cannot unpack a {item.Kind}");
        if (list.Items.Count != tuple.Items.Count)
            throw new JinjaError($"too {(tuple.Items.Count > list.Items.Count ? "few" : "many")} items to unpack");
        for (var i = 0; i < tuple.Items.Count; i++)
            scope.Set((tuple.Items[i] as NameExpr ?? throw new JinjaError("can only unpack into names")).Name, list.Items[i]);
    }

    public JinjaValue Eval(Expr expr, JinjaScope scope)
    {
        try
        {
            return expr switch
            {
                LiteralExpr l => l.Value,
                NameExpr n => scope.Lookup(n.Name),
                ListExpr l => new JinjaList(l.Items.Select(x => Eval(x, scope)).ToList(), l.IsTuple),
                DictExpr d => Dict(d, scope),
                MemberExpr m => Member(m, scope),
                CallExpr c => Call(c, scope),
                BinaryExpr b => Binary(b, scope),
                UnaryExpr u => Unary(u, scope),
                FilterExpr f => JinjaBuiltins.Filter(Eval(f.Operand, scope), f.Filter, this, scope),
                TestExpr t => JinjaBool.Of(JinjaBuiltins.Test(t.Test, Eval(t.Operand, scope)) != t.Negate),
                SelectExpr s => Eval(s.Condition, scope).IsTrue ? Eval(s.Value, scope) : JinjaUndefined.Instance,
                TernaryExpr t => Eval(t.Condition, scope).IsTrue ? Eval(t.IfTrue, scope) : Eval(t.IfFalse, scope),
                _ => throw new JinjaError($"cannot evaluate {expr.GetType().Name}"),
            };
        }
        catch (JinjaError e) when (e.Line == 0)
        {
            throw new JinjaError(e.Message, expr.Line);
        }
    }

    private JinjaDict Dict(DictExpr d, JinjaScope scope)
    {
        var items = new OrderedDictionary<string, JinjaValue>(StringComparer.Ordinal);
        foreach (var (k, v) in d.Items)
        {
            if (Eval(k, scope) is not JinjaString key)
                throw new JinjaError("dict keys must be strings");
            items[key.Value] = Eval(v, scope);
        }
        return new JinjaDict(items);
    }

    /// <summary>Positional arguments, then the keyword ones as a trailing <see cref="JinjaDict.DictKind.Keywords"/> dict when any.</summary>
    public (List<JinjaValue> Positional, OrderedDictionary<string, JinjaValue> Keywords) Arguments(List<Expr> args, JinjaScope scope)
    {
        var positional = new List<JinjaValue>();
        var keywords = new OrderedDictionary<string, JinjaValue>(StringComparer.Ordinal);
        foreach (var a in args)
        {
            if (a is KeywordArgExpr kw)
            {
                if (!keywords.TryAdd(kw.Name, Eval(kw.Value, scope)))
                    throw new JinjaError($"got multiple values for keyword argument '{kw.Name}'");
            }
            else
            {
                positional.Add(Eval(a, scope));
            }
        }
        return (positional, keywords);
    }

    private JinjaValue Call(CallExpr c, JinjaScope scope)
    {
        var (args, keywords) = Arguments(c.Args, scope);
        if (keywords.Count > 0)
            args.Add(new JinjaDict(keywords, JinjaDict.DictKind.Keywords));
        var fn = Eval(c.Callee, scope);
        if (fn is not JinjaFunction function)
            throw new JinjaError($"cannot call a {fn.Kind}" + (c.Callee is NameExpr n ? $" ('{n.Name}' is not a known function)" : ""));
        return function.Invoke(args);
    }

    private JinjaValue Member(MemberExpr m, JinjaScope scope)
    {
        var obj = Eval(m.Object, scope);
        JinjaValue property;
        if (m.Computed)
        {
            if (m.Property is SliceExpr slice)
                return Slice(obj, slice, scope);
            property = Eval(m.Property, scope);
        }
        else
        {
            property = m.Property is NameExpr name ? new JinjaString(name.Name) : ((LiteralExpr)m.Property).Value;
        }

        switch (obj)
        {
            case JinjaDict dict:
                if (property is not JinjaString key)
                    throw new JinjaError($"cannot index a dict with a {property.Kind}");
                if (dict.Items.TryGetValue(key.Value, out var v))
                    return v;
                return dict.IsNamespace ? JinjaUndefined.Instance : JinjaBuiltins.DictMethod(dict, key.Value) ?? JinjaUndefined.Instance;
            case JinjaList list:
                return property switch
                {
                    JinjaInt i => At(list.Items, i.Value) ?? (JinjaValue)JinjaUndefined.Instance,
                    JinjaString s => s.Value == "length" ? new JinjaInt(list.Items.Count) : JinjaUndefined.Instance,
                    _ => throw new JinjaError($"cannot index a list with a {property.Kind}"),
                };
            case JinjaString str:
                return property switch
                {
                    JinjaInt i => At(str.Value.Select(ch => (JinjaValue)new JinjaString(ch.ToString())).ToList(), i.Value) ?? JinjaUndefined.Instance,
                    JinjaString s => JinjaBuiltins.StringMethod(str, s.Value) ?? JinjaUndefined.Instance,
                    _ => throw new JinjaError($"cannot index a string with a {property.Kind}"),
                };
            default:
                if (property is not JinjaString)
                    throw new JinjaError($"cannot index a {obj.Kind} with a {property.Kind}");
                return JinjaUndefined.Instance;
        }
    }

    private static JinjaValue? At(List<JinjaValue> items, long index)
    {
        var i = index < 0 ? items.Count + index : index;
        return i >= 0 && i < items.Count ? items[(int)i] : null;
    }

    private JinjaValue Slice(JinjaValue obj, SliceExpr slice, JinjaScope scope)
    {
        long? Part(Expr? e) => e is null ? null : Eval(e, scope) switch
        {
            JinjaInt i => i.Value,
            JinjaUndefined => null,
            var other => throw new JinjaError($"slice bounds must be integers, found a {other.Kind}"),
        };
        var (start, stop, step) = (Part(slice.Start), Part(slice.Stop), Part(slice.Step) ?? 1);
        if (step == 0)
            throw new JinjaError("slice step cannot be zero");
        switch (obj)
        {
            case JinjaList list:
                return new JinjaList(SliceOf(list.Items, start, stop, step));
            case JinjaString s:
                // By code point, as JavaScript's Array.from(string) splits.
                var points = new List<string>();
                for (var i = 0; i < s.Value.Length; i++)
                    points.Add(char.IsHighSurrogate(s.Value[i]) && i + 1 < s.Value.Length && char.IsLowSurrogate(s.Value[i + 1])
                        ? s.Value.Substring(i++, 2) : s.Value[i].ToString());
                return new JinjaString(string.Concat(SliceOf(points, start, stop, step)));
            default:
                throw new JinjaError($"cannot slice a {obj.Kind}");
        }
    }

    /// <summary>Python's slice semantics.</summary>
    private static List<T> SliceOf<T>(List<T> items, long? start, long? stop, long step)
    {
        long n = items.Count;
        long s, e;
        if (step > 0)
        {
            s = start is { } a ? (a < 0 ? Math.Max(n + a, 0) : Math.Min(a, n)) : 0;
            e = stop is { } b ? (b < 0 ? Math.Max(n + b, 0) : Math.Min(b, n)) : n;
        }
        else
        {
            s = start is { } a ? (a < 0 ? Math.Max(n + a, -1) : Math.Min(a, n - 1)) : n - 1;
            e = stop is { } b ? (b < -1 ? Math.Max(n + b, -1) : Math.Min(b, n - 1)) : -1;
        }
        var result = new List<T>();
        for (var i = s; step > 0 ? i < e : i > e; i += step)
            result.Add(items[(int)i]);
        return result;
    }

    private JinjaValue Unary(UnaryExpr u, JinjaScope scope)
    {
        var v = Eval(u.Operand, scope);
        return u.Op switch
        {
            "not" => JinjaBool.Of(!v.IsTrue),
            "-" or "+" => v switch
            {
                JinjaInt i => new JinjaInt(u.Op == "-" ? -i.Value : i.Value),
                JinjaFloat f => new JinjaFloat(u.Op == "-" ? -f.Value : f.Value),
                JinjaBool b => new JinjaInt((u.Op == "-" ? -1 : 1) * (b.Value ? 1 : 0)),
                _ => throw new JinjaError($"unary {u.Op} on a {v.Kind}"),
            },
            _ => throw new JinjaError($"unknown operator {u.Op}"),
        };
    }

    private JinjaValue Binary(BinaryExpr b, JinjaScope scope)
    {
        var left = Eval(b.Left, scope);
        if (b.Op == "and")
            return left.IsTrue ? Eval(b.Right, scope) : left;
        if (b.Op == "or")
            return left.IsTrue ? left : Eval(b.Right, scope);
        var right = Eval(b.Right, scope);
        switch (b.Op)
        {
            case "==":
                return JinjaBool.Of(JsLoose.Equal(left, right));
            case "!=":
                return JinjaBool.Of(!JsLoose.Equal(left, right));
        }
        if (left is JinjaUndefined || right is JinjaUndefined)
        {
            if (right is JinjaUndefined && b.Op is "in" or "not in")
                return JinjaBool.Of(b.Op == "not in");
            throw new JinjaError($"cannot apply '{b.Op}' to an undefined value");
        }
        if (left is JinjaNone || right is JinjaNone)
            throw new JinjaError($"cannot apply '{b.Op}' to none");
        if (b.Op == "~")
            return new JinjaString(JsLoose.ToJsString(left) + JsLoose.ToJsString(right));
        if (IsNumber(left) && IsNumber(right))
            return Arithmetic(b.Op, left, right);
        if (left is JinjaList ll && right is JinjaList rl && b.Op == "+")
            return new JinjaList([.. ll.Items, .. rl.Items]);
        if (right is JinjaList list && b.Op is "in" or "not in")
            return JinjaBool.Of(list.Items.Any(x => JsLoose.StrictEqual(x, left)) == (b.Op == "in"));
        if ((left is JinjaString || right is JinjaString) && b.Op == "+")
            return new JinjaString(JsLoose.ToJsString(left) + JsLoose.ToJsString(right));
        if (left is JinjaString ls && right is JinjaString rs && b.Op is "in" or "not in")
            return JinjaBool.Of(rs.Value.Contains(ls.Value, StringComparison.Ordinal) == (b.Op == "in"));
        if (left is JinjaString key && right is JinjaDict { IsNamespace: false } dict && b.Op is "in" or "not in")
            return JinjaBool.Of(dict.Items.ContainsKey(key.Value) == (b.Op == "in"));
        throw new JinjaError($"unknown operator '{b.Op}' between a {left.Kind} and a {right.Kind}");
    }

    private static bool IsNumber(JinjaValue v) => v is JinjaInt or JinjaFloat;

    private static JinjaValue Arithmetic(string op, JinjaValue left, JinjaValue right)
    {
        var isFloat = left is JinjaFloat || right is JinjaFloat;
        double a = left is JinjaInt li ? li.Value : ((JinjaFloat)left).Value;
        double c = right is JinjaInt ri ? ri.Value : ((JinjaFloat)right).Value;
        JinjaValue Num(double r) => isFloat ? new JinjaFloat(r) : new JinjaInt((long)r);
        return op switch
        {
            "+" => Num(a + c),
            "-" => Num(a - c),
            "*" => Num(a * c),
            "/" => new JinjaFloat(a / c),
            "//" => Num(Math.Floor(a / c)),
            "%" => Num(a % c),
            "**" => isFloat || c < 0 ? new JinjaFloat(Math.Pow(a, c)) : new JinjaInt((long)Math.Pow(a, c)),
            "<" => JinjaBool.Of(a < c),
            ">" => JinjaBool.Of(a > c),
            "<=" => JinjaBool.Of(a <= c),
            ">=" => JinjaBool.Of(a >= c),
            _ => throw new JinjaError($"unknown operator '{op}' between numbers"),
        };
    }
}
