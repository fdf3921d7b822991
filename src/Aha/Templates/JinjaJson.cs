using System.Globalization;
using System.Text;
using System.Text.Json;

namespace Aha.Templates;

/// <summary>
/// JSON in and out of the engine. In: a <see cref="JsonElement"/> becomes engine values (a number with no fraction
/// is an integer, as in JavaScript). Out: the <c>tojson</c> filter and the printing of lists/dicts, written as
/// @huggingface/jinja writes them — Python's separators (", " and ": "; "," with indent), strings escaped as
/// JavaScript's JSON.stringify does (non-ASCII kept unless ensure_ascii).
/// </summary>
internal static class JinjaJson
{
    public sealed record Options(int? Indent = null, bool EnsureAscii = false, bool SortKeys = false, (string Item, string Key)? Separators = null);

    public static JinjaValue FromJson(JsonElement e) => e.ValueKind switch
    {
        JsonValueKind.String => new JinjaString(e.GetString()!),
        JsonValueKind.Number => e.TryGetInt64(out var l) ? new JinjaInt(l)
            : e.GetDouble() is var d && d % 1 == 0 && Math.Abs(d) < 9.007199254740992e15 ? new JinjaInt((long)d) : new JinjaFloat(e.GetDouble()),
        JsonValueKind.True => JinjaBool.True,
        JsonValueKind.False => JinjaBool.False,
        JsonValueKind.Null => JinjaNone.Instance,
        JsonValueKind.Array => new JinjaList(e.EnumerateArray().Select(FromJson).ToList()),
        JsonValueKind.Object => new JinjaDict(ToOrdered(e)),
        _ => JinjaUndefined.Instance,
    };

    private static OrderedDictionary<string, JinjaValue> ToOrdered(JsonElement e)
    {
        var d = new OrderedDictionary<string, JinjaValue>(StringComparer.Ordinal);
        foreach (var p in e.EnumerateObject())
            d[p.Name] = FromJson(p.Value);
        return d;
    }

    public static string Write(JinjaValue value, Options options, int depth, bool undefinedAsNull = true)
    {
        var (item, key) = options.Separators ?? (options.Indent is > 0 ? (",", ": ") : (", ", ": "));
        switch (value)
        {
            case JinjaNone:
                return "null";
            case JinjaUndefined:
                return undefinedAsNull ? "null" : "undefined";
            case JinjaInt i:
                return i.Value.ToString(CultureInfo.InvariantCulture);
            case JinjaFloat f:
                return Number(f.Value);
            case JinjaBool b:
                return b.Value ? "true" : "false";
            case JinjaString s:
                return Quote(s.Value, options.EnsureAscii);
            case JinjaList list:
            {
                var indent = options.Indent is > 0 ? new string(' ', options.Indent.Value) : "";
                var basePad = "\n" + string.Concat(Enumerable.Repeat(indent, depth));
                var childPad = basePad + indent;
                var parts = list.Items.Select(x => Write(x, options, depth + 1, undefinedAsNull)).ToList();
                return options.Indent is > 0 && parts.Count > 0
                    ? "[" + childPad + string.Join(item + childPad, parts) + basePad + "]"
                    : "[" + string.Join(item, parts) + "]";
            }
            case JinjaDict dict:
            {
                var indent = options.Indent is > 0 ? new string(' ', options.Indent.Value) : "";
                var basePad = "\n" + string.Concat(Enumerable.Repeat(indent, depth));
                var childPad = basePad + indent;
                IEnumerable<KeyValuePair<string, JinjaValue>> entries = dict.Items;
                if (options.SortKeys)
                    entries = entries.OrderBy(kv => kv.Key, StringComparer.InvariantCulture);
                var parts = entries.Select(kv =>
                {
                    var v = Quote(kv.Key, options.EnsureAscii) + key + Write(kv.Value, options, depth + 1, undefinedAsNull);
                    return options.Indent is > 0 ? childPad + v : v;
                }).ToList();
                return options.Indent is > 0 && parts.Count > 0
                    ? "{" + string.Join(item, parts) + basePad + "}"
                    : "{" + string.Join(item, parts) + "}";
            }
            default:
                throw new JinjaError($"cannot convert a {value.Kind} to JSON");
        }
    }

    /// <summary>A number as JavaScript prints it (shortest round-trip digits; exponent form from 1e21).</summary>
    public static string Number(double d)
    {
        if (double.IsNaN(d) || double.IsInfinity(d))
            return "null";
        if (d % 1 == 0 && Math.Abs(d) < 1e21)
            return d.ToString("0", CultureInfo.InvariantCulture);
        var r = d.ToString("R", CultureInfo.InvariantCulture);
        var e = r.IndexOf('E');
        if (e < 0)
            return r;
        var exponent = int.Parse(r[(e + 1)..], CultureInfo.InvariantCulture);
        if (exponent is >= -6 and < 21)
            return ((decimal)d).ToString(CultureInfo.InvariantCulture);
        return r[..e] + "e" + (exponent > 0 ? "+" : "-") + Math.Abs(exponent).ToString(CultureInfo.InvariantCulture);
    }

    /// <summary>A JSON string literal as JSON.stringify writes it.</summary>
    public static string Quote(string s, bool ensureAscii = false)
    {
        var sb = new StringBuilder(s.Length + 2).Append('"');
        for (var i = 0; i < s.Length; i++)
        {
            var c = s[i];
            switch (c)
            {
                case '"': sb.Append("\\\""); break;
                case '\\': sb.Append("\\\\"); break;
                case '\b': sb.Append("\\b"); break;
                case '\f': sb.Append("\\f"); break;
                case '\n': sb.Append("\\n"); break;
                case '\r': sb.Append("\\r"); break;
                case '\t': sb.Append("\\t"); break;
                default:
                    var loneSurrogate = char.IsHighSurrogate(c) ? !(i + 1 < s.Length && char.IsLowSurrogate(s[i + 1]))
                        : char.IsLowSurrogate(c) && !(i > 0 && char.IsHighSurrogate(s[i - 1]));
                    if (c < 0x20 || loneSurrogate)
                        sb.Append("\\u").Append(((int)c).ToString("x4", CultureInfo.InvariantCulture));
                    else if (ensureAscii && c >= 0x7f)
                        sb.Append("\\u").Append(((int)c).ToString("x4", CultureInfo.InvariantCulture));
                    else
                        sb.Append(c);
                    break;
            }
        }
        return sb.Append('"').ToString();
    }
}
