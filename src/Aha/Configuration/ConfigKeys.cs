using System.Collections;
using System.Globalization;

namespace Aha.Configuration;

/// <summary>One config key as <c>aha config keys</c> lists it.</summary>
/// <param name="Key">The dotted key, as <c>--set</c> takes it (<c>trainer.learning_rate</c>).</param>
/// <param name="Type">What a value looks like ("a number", "a list of strings", "a LoraConfig section (a mapping)").</param>
/// <param name="Default">The default value as YAML text (<c>null</c> when unset).</param>
/// <param name="Doc">The property's XML doc summary in one line ("" when it has none).</param>
public sealed record ConfigKey(string Key, string Type, string Default, string Doc);

/// <summary>
/// Every key a config record binds, with its default (read from a default instance, so the command's own defaults
/// show) and its doc (the property's XML doc summary): the one source of truth is the record itself. A section that is
/// null by default (e.g. <c>model.lora</c>) is listed, then its keys with the defaults a fresh section gets, since
/// setting one of them creates it. Dictionaries are listed as one key (their entries are free names).
/// </summary>
public static class ConfigKeys
{
    /// <summary>The keys of <paramref name="defaults"/>, in declaration order, sections depth first.</summary>
    public static IReadOnlyList<ConfigKey> Of(object defaults, ConfigValueParsers? parsers = null)
    {
        ArgumentNullException.ThrowIfNull(defaults);
        var keys = new List<ConfigKey>();
        Walk(defaults, defaults.GetType(), "", parsers ?? ConfigValueParsers.Default, keys);
        return keys;
    }

    static void Walk(object section, Type type, string prefix, ConfigValueParsers parsers, List<ConfigKey> keys)
    {
        foreach (var p in ConfigTypes.Properties(type))
        {
            var key = prefix.Length == 0 ? p.Key : $"{prefix}.{p.Key}";
            var value = p.Info.GetValue(section);
            var underlying = Nullable.GetUnderlyingType(p.Type) ?? p.Type;
            var doc = XmlDocs.Summary(p.Info) ?? (ConfigTypes.IsSection(underlying) ? XmlDocs.Summary(underlying) : null) ?? "";
            bool isSection = parsers.Find(underlying) is null && !ConfigTypes.IsBuiltInScalar(underlying) && ConfigTypes.IsSection(underlying);
            if (!isSection)
            {
                keys.Add(new ConfigKey(key, Describe(underlying, parsers), Inline(value, p.Type, parsers), doc));
                continue;
            }
            if (value is null)
            {
                keys.Add(new ConfigKey(key, ConfigTypes.Describe(underlying), "null", doc));
                value = ConfigTypes.CloneOrCreate(underlying, null);
            }
            Walk(value, value.GetType(), key, parsers, keys);
        }
    }

    static string Describe(Type t, ConfigValueParsers parsers) => parsers.Find(t)?.Expected ?? ConfigTypes.Describe(t);

    /// <summary>A value as one line of YAML flow text.</summary>
    static string Inline(object? value, Type declared, ConfigValueParsers parsers)
    {
        if (value is null) return "null";
        var type = Nullable.GetUnderlyingType(declared) ?? value.GetType();
        if (parsers.Find(type) is { } parser) return parser.Format(value);
        switch (value)
        {
            case string s: return s.Length == 0 ? "\"\"" : s;
            case bool b: return b ? "true" : "false";
            case double or float: return ConfigWriter.FormatFloat(Convert.ToDouble(value, CultureInfo.InvariantCulture));
            case int or long: return Convert.ToString(value, CultureInfo.InvariantCulture)!;
            case IDictionary dict:
                var valueType = ConfigTypes.DictionaryValue(declared) ?? typeof(object);
                return "{" + string.Join(", ", dict.Cast<DictionaryEntry>().Select(e => $"{e.Key}: {Inline(e.Value, valueType, parsers)}")) + "}";
            case IEnumerable list when ConfigTypes.ListElement(declared) is { } element:
                return "[" + string.Join(", ", list.Cast<object?>().Select(v => Inline(v, element, parsers))) + "]";
            default: return "{…}";
        }
    }
}
