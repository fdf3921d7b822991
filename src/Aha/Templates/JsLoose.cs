using System.Globalization;

namespace Aha.Templates;

/// <summary>
/// JavaScript's comparisons and string conversion on engine values, which @huggingface/jinja applies to the values
/// inside them: <c>==</c> is JavaScript's <c>==</c> (none == undefined, 1 == true, "1" == 1; lists and dicts only
/// equal themselves), <c>in</c> on a list is <c>===</c>, and <c>"a" + x</c> uses JavaScript's String(x).
/// </summary>
internal static class JsLoose
{
    public static bool Equal(JinjaValue a, JinjaValue b)
    {
        var aNullish = a is JinjaNone or JinjaUndefined;
        var bNullish = b is JinjaNone or JinjaUndefined;
        if (aNullish || bNullish)
            return aNullish && bNullish;
        if (a is JinjaString sa && b is JinjaString sb)
            return sa.Value == sb.Value;
        if (a is JinjaList or JinjaDict or JinjaFunction || b is JinjaList or JinjaDict or JinjaFunction)
            return ReferenceEquals(a, b);
        return ToNumber(a) == ToNumber(b);
    }

    public static bool StrictEqual(JinjaValue a, JinjaValue b) => (a, b) switch
    {
        (JinjaNone or JinjaUndefined, JinjaNone or JinjaUndefined) => true,
        (JinjaString x, JinjaString y) => x.Value == y.Value,
        (JinjaInt or JinjaFloat, JinjaInt or JinjaFloat) => ToNumber(a) == ToNumber(b),
        (JinjaBool x, JinjaBool y) => x.Value == y.Value,
        _ => ReferenceEquals(a, b),
    };

    private static double ToNumber(JinjaValue v) => v switch
    {
        JinjaInt i => i.Value,
        JinjaFloat f => f.Value,
        JinjaBool b => b.Value ? 1 : 0,
        JinjaString s => JsString.Trim(s.Value) is var t && t.Length == 0 ? 0
            : double.TryParse(t, NumberStyles.Float, CultureInfo.InvariantCulture, out var d) ? d : double.NaN,
        _ => double.NaN,
    };

    /// <summary>JavaScript's String(x) of the value inside: numbers without ".0", lists as their items joined by ",".</summary>
    public static string ToJsString(JinjaValue v) => v switch
    {
        JinjaString s => s.Value,
        JinjaInt i => i.Value.ToString(CultureInfo.InvariantCulture),
        JinjaFloat f => JinjaJson.Number(f.Value),
        JinjaBool b => b.Value ? "true" : "false",
        JinjaList l => string.Join(",", l.Items.Select(x => x.Print())),
        JinjaDict => "[object Map]",
        _ => "",
    };
}
