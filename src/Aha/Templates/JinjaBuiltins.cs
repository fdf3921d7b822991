using System.Globalization;
using System.Text.RegularExpressions;

namespace Aha.Templates;

/// <summary>
/// The filters, tests, string and dict methods and globals that Hugging Face chat templates use, with
/// @huggingface/jinja's behaviour. An unknown filter or test fails naming it.
/// </summary>
internal static class JinjaBuiltins
{
    /// <summary>Globals every template sees: true/false/none (and Python spellings), namespace, range, raise_exception.</summary>
    public static void AddGlobals(JinjaScope scope)
    {
        scope.Set("true", JinjaBool.True);
        scope.Set("false", JinjaBool.False);
        scope.Set("none", JinjaNone.Instance);
        scope.Set("True", JinjaBool.True);
        scope.Set("False", JinjaBool.False);
        scope.Set("None", JinjaNone.Instance);
        scope.Set("raise_exception", new JinjaFunction("raise_exception", args =>
            throw new JinjaError("the template raised: " + string.Join(",", args.Select(a => a.Print())))));
        scope.Set("namespace", new JinjaFunction("namespace", Namespace));
        scope.Set("range", new JinjaFunction("range", Range));
    }

    private static JinjaValue Namespace(List<JinjaValue> args)
    {
        var items = new OrderedDictionary<string, JinjaValue>(StringComparer.Ordinal);
        var positional = args.ToList();
        if (positional.Count > 0 && positional[^1] is JinjaDict { Sort: JinjaDict.DictKind.Keywords } kw)
        {
            positional.RemoveAt(positional.Count - 1);
            foreach (var (k, v) in kw.Items)
                items[k] = v;
        }
        if (positional.Count > 1)
            throw new JinjaError($"namespace expected at most 1 positional argument, got {positional.Count}");
        if (positional.Count == 1)
        {
            if (positional[0] is not JinjaDict source)
                throw new JinjaError($"namespace() takes a dict, not a {positional[0].Kind}");
            var merged = new OrderedDictionary<string, JinjaValue>(source.Items, StringComparer.Ordinal);
            foreach (var (k, v) in items)
                merged[k] = v;
            items = merged;
        }
        return new JinjaDict(items, JinjaDict.DictKind.Namespace);
    }

    private static JinjaValue Range(List<JinjaValue> args)
    {
        var n = args.Select(a => a is JinjaInt i ? i.Value : throw new JinjaError("range() takes integers")).ToList();
        var (start, stop, step) = n.Count switch
        {
            1 => (0L, n[0], 1L),
            2 => (n[0], n[1], 1L),
            3 => (n[0], n[1], n[2]),
            _ => throw new JinjaError("range() takes 1 to 3 arguments"),
        };
        if (step == 0)
            throw new JinjaError("range() step must not be zero");
        var items = new List<JinjaValue>();
        for (var i = start; step > 0 ? i < stop : i > stop; i += step)
            items.Add(new JinjaInt(i));
        return new JinjaList(items);
    }

    /// <summary>The test <paramref name="name"/>; <paramref name="arg"/> is the second operand of equalto/eq (from selectattr).</summary>
    public static bool Test(string name, JinjaValue v, JinjaValue? arg = null) => name switch
    {
        "equalto" or "eq" => JsLoose.StrictEqual(v, arg ?? JinjaUndefined.Instance),
        "defined" => v is not JinjaUndefined,
        "undefined" => v is JinjaUndefined,
        "none" => v is JinjaNone,
        "string" => v is JinjaString,
        "number" => v is JinjaInt or JinjaFloat,
        "integer" => v is JinjaInt,
        "boolean" => v is JinjaBool,
        "true" => v is JinjaBool { Value: true },
        "false" => v is JinjaBool { Value: false },
        "iterable" => v is JinjaList { IsTuple: false } or JinjaString,
        "mapping" => v is JinjaDict { IsNamespace: false },
        "sequence" => v is JinjaList or JinjaDict { IsNamespace: false } or JinjaString,
        "callable" => v is JinjaFunction,
        "odd" => v is JinjaInt o ? o.Value % 2 != 0 : throw new JinjaError($"cannot test a {v.Kind} for odd"),
        "even" => v is JinjaInt e ? e.Value % 2 == 0 : throw new JinjaError($"cannot test a {v.Kind} for even"),
        "lower" => v is JinjaString l && l.Value == l.Value.ToLowerInvariant(),
        "upper" => v is JinjaString u && u.Value == u.Value.ToUpperInvariant(),
        _ => throw new JinjaError($"unknown test '{name}'"),
    };

    /// <summary><c>value | filter</c> or <c>value | filter(args)</c>.</summary>
    public static JinjaValue Filter(JinjaValue v, Expr filter, JinjaInterpreter interpreter, JinjaScope scope)
    {
        if (filter is NameExpr simple)
            return SimpleFilter(v, simple.Name);
        var call = (CallExpr)filter;
        var name = ((NameExpr)call.Callee).Name;
        var (args, kw) = interpreter.Arguments(call.Args, scope);
        JinjaValue? Arg(int i, string key) => i < args.Count ? args[i] : kw.GetValueOrDefault(key);
        switch (name)
        {
            case "tojson":
                var indent = kw.GetValueOrDefault("indent") ?? JinjaNone.Instance;
                if (indent is not (JinjaInt or JinjaNone))
                    throw new JinjaError("tojson: indent must be an integer");
                (string, string)? separators = null;
                if (kw.GetValueOrDefault("separators") is JinjaList { Items: [JinjaString a, JinjaString b] })
                    separators = (a.Value, b.Value);
                return new JinjaString(JinjaJson.Write(v, new JinjaJson.Options(
                    indent is JinjaInt n ? (int)n.Value : null,
                    kw.GetValueOrDefault("ensure_ascii") is JinjaBool { Value: true },
                    kw.GetValueOrDefault("sort_keys") is JinjaBool { Value: true },
                    separators), 0));
            case "join":
                var sep = Arg(0, "separator") ?? new JinjaString("");
                if (sep is not JinjaString separator)
                    throw new JinjaError("join: separator must be a string");
                return new JinjaString(v switch
                {
                    JinjaString s => string.Join(separator.Value, s.Value.Select(c => c.ToString())),
                    JinjaList l => string.Join(separator.Value, l.Items.Select(JsLoose.ToJsString)),
                    _ => throw new JinjaError($"cannot join a {v.Kind}"),
                });
            case "default":
                var fallback = args.Count > 0 ? args[0] : new JinjaString("");
                var boolean = (args.Count > 1 ? args[1] : kw.GetValueOrDefault("boolean")) is JinjaBool { Value: true };
                return v is JinjaUndefined || (boolean && !v.IsTrue) ? fallback : v;
            case "indent" when v is JinjaString text:
                var width = Arg(0, "width") is JinjaInt w ? (int)w.Value : 4;
                var first = Arg(1, "first") is JinjaBool { Value: true };
                var blank = Arg(2, "blank") is JinjaBool { Value: true };
                var pad = new string(' ', width);
                return new JinjaString(string.Join("\n", text.Value.Split('\n').Select((line, i) =>
                    (!first && i == 0) || (!blank && line.Length == 0) ? line : pad + line)));
            case "replace" when v is JinjaString text:
                return StringMethod(text, "replace") is JinjaFunction f
                    ? f.Invoke([.. args, new JinjaDict(kw, JinjaDict.DictKind.Keywords)])
                    : JinjaUndefined.Instance;
            case "selectattr" or "rejectattr" when v is JinjaList list:
                var attr = args.Count > 0 && args[0] is JinjaString at ? at.Value : throw new JinjaError($"{name}: expected an attribute name");
                var test = args.Count > 1 && args[1] is JinjaString tn ? tn.Value : null;
                var operand = args.Count > 2 ? args[2] : null;
                var kept = list.Items.Where(item =>
                {
                    if (item is not JinjaDict d)
                        throw new JinjaError($"{name} can only be applied to a list of dicts");
                    // As @huggingface/jinja: an item without the attribute never passes the test, whatever the test.
                    var result = d.Items.GetValueOrDefault(attr) is { } value
                        && (test is null ? value.IsTrue : Test(test, value, operand));
                    return name == "selectattr" ? result : !result;
                }).ToList();
                return new JinjaList(kept);
            case "map" when v is JinjaList list:
                if (kw.GetValueOrDefault("attribute") is not JinjaString mapAttr)
                    throw new JinjaError("map is supported only with attribute=");
                return new JinjaList(list.Items.Select(item => item is JinjaDict d
                    ? d.Items.GetValueOrDefault(mapAttr.Value) ?? kw.GetValueOrDefault("default") ?? JinjaUndefined.Instance
                    : throw new JinjaError("map: items must be dicts")).ToList());
            case "int" or "float":
                var dflt = Arg(0, "default") ?? (name == "int" ? new JinjaInt(0) : new JinjaFloat(0));
                return v switch
                {
                    JinjaString s when name == "int" => ParseIntPrefix(s.Value) is { } i ? new JinjaInt(i) : dflt,
                    JinjaString s => double.TryParse(s.Value, NumberStyles.Float, CultureInfo.InvariantCulture, out var d) ? new JinjaFloat(d) : dflt,
                    JinjaInt or JinjaFloat => v,
                    JinjaBool flag => name == "int" ? new JinjaInt(flag.Value ? 1 : 0) : new JinjaFloat(flag.Value ? 1 : 0),
                    _ => throw new JinjaError($"cannot apply {name} to a {v.Kind}"),
                };
            default:
                if (v is JinjaDict dict && DictMethod(dict, name) is JinjaFunction method)
                    return method.Invoke(kw.Count > 0 ? [.. args, new JinjaDict(kw, JinjaDict.DictKind.Keywords)] : args);
                throw new JinjaError($"the filter '{name}(…)' is not supported on a {v.Kind}");
        }
    }

    private static long? ParseIntPrefix(string s)
    {
        var m = Regex.Match(JsString.TrimStart(s), @"^[+-]?\d+");
        return m.Success && long.TryParse(m.Value, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out var i) ? i : null;
    }

    private static JinjaValue SimpleFilter(JinjaValue v, string name)
    {
        if (name == "safe")
            return v;
        if (name == "tojson")
            return new JinjaString(JinjaJson.Write(v, new JinjaJson.Options(), 0));
        switch (v)
        {
            case JinjaList list:
                return name switch
                {
                    "list" => list,
                    "first" => list.Items.Count > 0 ? list.Items[0] : JinjaUndefined.Instance,
                    "last" => list.Items.Count > 0 ? list.Items[^1] : JinjaUndefined.Instance,
                    "length" or "count" when name == "length" => new JinjaInt(list.Items.Count),
                    "reverse" => new JinjaList(Enumerable.Reverse(list.Items).ToList()),
                    "join" => new JinjaString(string.Concat(list.Items.Select(JsLoose.ToJsString))),
                    "string" => new JinjaString(JinjaJson.Write(list, new JinjaJson.Options(), 0, undefinedAsNull: false)),
                    _ => throw new JinjaError($"the filter '{name}' is not supported on a list"),
                };
            case JinjaString s:
                return name switch
                {
                    "length" => new JinjaInt(s.Value.Length),
                    "upper" => new JinjaString(s.Value.ToUpperInvariant()),
                    "lower" => new JinjaString(s.Value.ToLowerInvariant()),
                    "title" => new JinjaString(Regex.Replace(s.Value, @"\b\w", m => m.Value.ToUpperInvariant())),
                    "capitalize" => new JinjaString(s.Value.Length == 0 ? "" : char.ToUpperInvariant(s.Value[0]) + s.Value[1..]),
                    "trim" => new JinjaString(JsString.Trim(s.Value)),
                    "indent" => new JinjaString(string.Join("\n", s.Value.Split('\n').Select((x, i) => i == 0 || x.Length == 0 ? x : "    " + x))),
                    "join" or "string" => s,
                    "int" => new JinjaInt(ParseIntPrefix(s.Value) ?? 0),
                    "float" => new JinjaFloat(double.TryParse(s.Value, NumberStyles.Float, CultureInfo.InvariantCulture, out var d) ? d : 0),
                    _ => throw new JinjaError($"the filter '{name}' is not supported on a string"),
                };
            case JinjaInt or JinjaFloat:
                return name switch
                {
                    "abs" => v is JinjaInt i ? new JinjaInt(Math.Abs(i.Value)) : new JinjaFloat(Math.Abs(((JinjaFloat)v).Value)),
                    "int" => v is JinjaInt ? v : new JinjaInt((long)Math.Floor(((JinjaFloat)v).Value)),
                    "float" => new JinjaFloat(v is JinjaInt n ? n.Value : ((JinjaFloat)v).Value),
                    "string" => new JinjaString(v.Print()),
                    _ => throw new JinjaError($"the filter '{name}' is not supported on a number"),
                };
            case JinjaDict { IsNamespace: false } dict:
                return name switch
                {
                    "items" => Items(dict),
                    "length" => new JinjaInt(dict.Items.Count),
                    _ => DictMethod(dict, name) is JinjaFunction f ? f.Invoke([])
                        : throw new JinjaError($"the filter '{name}' is not supported on a dict"),
                };
            case JinjaBool b:
                return name switch
                {
                    "bool" => b,
                    "int" => new JinjaInt(b.Value ? 1 : 0),
                    "float" => new JinjaFloat(b.Value ? 1 : 0),
                    "string" => new JinjaString(b.Value ? "true" : "false"),
                    _ => throw new JinjaError($"the filter '{name}' is not supported on a boolean"),
                };
            default:
                throw new JinjaError($"cannot apply the filter '{name}' to a {v.Kind}");
        }
    }

    private static JinjaList Items(JinjaDict dict) =>
        new(dict.Items.Select(kv => (JinjaValue)new JinjaList([new JinjaString(kv.Key), kv.Value])).ToList());

    /// <summary><c>dict.get(k, default)</c>, <c>items()</c>, <c>keys()</c>, <c>values()</c>; null when no such method.</summary>
    public static JinjaValue? DictMethod(JinjaDict dict, string name) => name switch
    {
        "get" => new JinjaFunction("get", args =>
        {
            if (args.Count == 0 || args[0] is not JinjaString key)
                throw new JinjaError("dict.get() takes a string key");
            return dict.Items.GetValueOrDefault(key.Value) ?? (args.Count > 1 ? args[1] : JinjaNone.Instance);
        }),
        "items" => new JinjaFunction("items", _ => Items(dict)),
        "keys" => new JinjaFunction("keys", _ => new JinjaList(dict.Items.Keys.Select(k => (JinjaValue)new JinjaString(k)).ToList())),
        "values" => new JinjaFunction("values", _ => new JinjaList(dict.Items.Values.ToList())),
        _ => null,
    };

    /// <summary>String methods; strip/lstrip/rstrip trim white space whatever their argument, as @huggingface/jinja does.</summary>
    public static JinjaValue? StringMethod(JinjaString s, string name) => name switch
    {
        "length" => new JinjaInt(s.Value.Length),
        "upper" => Fn(_ => new JinjaString(s.Value.ToUpperInvariant())),
        "lower" => Fn(_ => new JinjaString(s.Value.ToLowerInvariant())),
        "strip" => Fn(_ => new JinjaString(JsString.Trim(s.Value))),
        "lstrip" => Fn(_ => new JinjaString(JsString.TrimStart(s.Value))),
        "rstrip" => Fn(_ => new JinjaString(JsString.TrimEnd(s.Value))),
        "title" => Fn(_ => new JinjaString(Regex.Replace(s.Value, @"\b\w", m => m.Value.ToUpperInvariant()))),
        "capitalize" => Fn(_ => new JinjaString(s.Value.Length == 0 ? "" : char.ToUpperInvariant(s.Value[0]) + s.Value[1..])),
        "startswith" => Fn(args => JinjaBool.Of(Affix(args, "startswith").Any(p => s.Value.StartsWith(p, StringComparison.Ordinal)))),
        "endswith" => Fn(args => JinjaBool.Of(Affix(args, "endswith").Any(p => s.Value.EndsWith(p, StringComparison.Ordinal)))),
        "split" => Fn(args => Split(s.Value, args)),
        "replace" => Fn(args => Replace(s.Value, args)),
        _ => null,
    };

    private static JinjaFunction Fn(Func<List<JinjaValue>, JinjaValue> f) => new("method", f);

    private static IEnumerable<string> Affix(List<JinjaValue> args, string method) => args.Count == 0
        ? throw new JinjaError($"{method}() requires an argument")
        : args[0] switch
        {
            JinjaString p => [p.Value],
            JinjaList l => l.Items.Select(x => x is JinjaString xs ? xs.Value : throw new JinjaError($"{method}() tuple elements must be strings")),
            _ => throw new JinjaError($"{method}() takes a string or a tuple of strings"),
        };

    private static JinjaList Split(string s, List<JinjaValue> args)
    {
        var sep = args.Count > 0 ? args[0] : JinjaNone.Instance;
        var max = args.Count > 1 ? args[1] is JinjaInt m ? m.Value : throw new JinjaError("split(): maxsplit must be an integer") : -1;
        var parts = new List<string>();
        if (sep is JinjaNone)
        {
            var text = JsString.TrimStart(s);
            foreach (Match word in Regex.Matches(text, @"\S+"))
            {
                if (max != -1 && parts.Count >= max)
                {
                    parts.Add(word.Value + text[(word.Index + word.Length)..]);
                    break;
                }
                parts.Add(word.Value);
            }
        }
        else if (sep is JinjaString separator)
        {
            if (separator.Value.Length == 0)
                throw new JinjaError("split(): empty separator");
            parts = s.Split(separator.Value).ToList();
            if (max != -1 && parts.Count > max)
            {
                var tail = string.Join(separator.Value, parts.Skip((int)max));
                parts = [.. parts.Take((int)max), tail];
            }
        }
        else
        {
            throw new JinjaError("split(): the separator must be a string or none");
        }
        return new JinjaList(parts.Select(p => (JinjaValue)new JinjaString(p)).ToList());
    }

    private static JinjaString Replace(string s, List<JinjaValue> args)
    {
        if (args.Count < 2 || args[0] is not JinjaString old || args[1] is not JinjaString replacement)
            throw new JinjaError("replace() takes two strings");
        var countArg = args.Count > 2 ? args[2] is JinjaDict { Sort: JinjaDict.DictKind.Keywords } kw
            ? kw.Items.GetValueOrDefault("count") ?? JinjaNone.Instance : args[2] : JinjaNone.Instance;
        var count = countArg switch
        {
            JinjaInt i => i.Value,
            JinjaNone => -1,
            _ => throw new JinjaError("replace(): count must be an integer"),
        };
        if (count == 0)
            return new JinjaString(s);
        if (old.Value.Length == 0)
            throw new JinjaError("replace() with an empty pattern is not supported");
        var remaining = count < 0 ? long.MaxValue : count;
        var sb = new System.Text.StringBuilder();
        var pos = 0;
        while (remaining > 0)
        {
            var at = s.IndexOf(old.Value, pos, StringComparison.Ordinal);
            if (at < 0)
                break;
            sb.Append(s, pos, at - pos).Append(replacement.Value);
            pos = at + old.Value.Length;
            remaining--;
        }
        return new JinjaString(sb.Append(s, pos, s.Length - pos).ToString());
    }
}
