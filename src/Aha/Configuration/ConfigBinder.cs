using System.Collections;
using YamlDotNet.Core;
using YamlDotNet.RepresentationModel;

namespace Aha.Configuration;

/// <summary>
/// Maps a YAML node tree onto config sections (records with init properties), collecting every error instead of
/// stopping at the first. A value that fails keeps its previous (default) value so binding can go on.
/// </summary>
internal sealed class ConfigBinder(ConfigValueParsers parsers, ConfigSources sources)
{
    /// <summary>The errors found so far.</summary>
    public List<ConfigError> Errors { get; } = [];

    /// <summary>The key node of every dotted path bound, for locating validation errors.</summary>
    public Dictionary<string, YamlNode> KeyNodes { get; } = new(StringComparer.Ordinal);

    /// <summary>Binds <paramref name="map"/> onto a copy of <paramref name="current"/> (or a new <paramref name="type"/>).</summary>
    public object BindSection(YamlMappingNode map, Type type, object? current, string path)
    {
        var target = ConfigTypes.CloneOrCreate(type, current);
        var properties = ConfigTypes.Properties(target.GetType());
        var seen = new HashSet<string>(StringComparer.Ordinal);
        foreach (var (keyNode, valueNode) in map.Children)
        {
            if (keyNode is not YamlScalarNode { Value: { } rawKey })
            {
                Errors.Add(sources.Error(keyNode, path, "keys must be plain names."));
                continue;
            }
            var key = ConfigNaming.NormalizeKey(rawKey);
            var keyPath = Join(path, key);
            KeyNodes[keyPath] = keyNode;
            if (!seen.Add(key))
            {
                Errors.Add(sources.Error(keyNode, keyPath, "key given twice."));
                continue;
            }
            var property = properties.FirstOrDefault(p => p.Key == key);
            if (property is null)
            {
                Errors.Add(sources.Error(keyNode, keyPath, UnknownKey(key, properties)));
                continue;
            }
            var value = BindValue(valueNode, property.Type, property.AllowsNull, property.Info.GetValue(target), keyPath);
            property.Info.SetValue(target, value);
        }
        return target;
    }

    /// <summary>Binds any supported value; on error records it and returns <paramref name="current"/>.</summary>
    public object? BindValue(YamlNode node, Type type, bool allowsNull, object? current, string path)
    {
        var underlying = Nullable.GetUnderlyingType(type) ?? type;
        bool overrideList = sources.IsOverride(node) && ConfigTypes.ListElement(underlying) is not null;
        // --set list= means an empty list; --set list=null (or ~) is null, as in a file
        if (node is YamlScalarNode scalar && IsNull(scalar) && !(overrideList && scalar.Value is null or ""))
        {
            if (allowsNull) return null;
            return Fail(node, path, $"null is not allowed here; expected {Expected(underlying)}.", current);
        }
        if (parsers.Find(underlying) is { } parser)
        {
            if (node is not YamlScalarNode s) return Fail(node, path, $"expected {parser.Expected}, got {Shape(node)}.", current);
            try { return parser.Parse(s.Value ?? ""); }
            catch (Exception e) when (e is FormatException or ArgumentException or OverflowException)
            {
                return Fail(node, path, $"value '{ConfigError.Quote(s.Value)}' is not valid: {e.Message.TrimEnd('.')} (expected {parser.Expected}).", current);
            }
        }
        if (ConfigTypes.IsBuiltInScalar(underlying))
        {
            if (node is not YamlScalarNode s) return Fail(node, path, $"expected {ConfigTypes.Describe(underlying)}, got {Shape(node)}.", current);
            try { return ConfigTypes.ParseBuiltIn(underlying, s.Value ?? ""); }
            catch (FormatException) { return Fail(node, path, $"value '{ConfigError.Quote(s.Value)}' is not {ConfigTypes.Describe(underlying)}.", current); }
        }
        if (ConfigTypes.ListElement(underlying) is { } element) return BindList(node, underlying, element, current, path);
        if (ConfigTypes.DictionaryValue(underlying) is { } valueType) return BindDictionary(node, valueType, current, path);
        if (ConfigTypes.IsSection(underlying))
        {
            if (node is not YamlMappingNode map) return Fail(node, path, $"expected {ConfigTypes.Describe(underlying)}, got {Shape(node)}.", current);
            return BindSection(map, underlying, current, path);
        }
        throw new InvalidOperationException($"Config key '{path}' has type {type.Name}, which configuration cannot bind; register a parser for it.");
    }

    private object? BindList(YamlNode node, Type listType, Type element, object? current, string path)
    {
        IReadOnlyList<YamlNode> items;
        if (node is YamlSequenceNode sequence) items = sequence.Children.ToList();
        else if (node is YamlScalarNode s && sources.IsOverride(node))
        {
            // --set key=a,b,c: comma-separated items (YAML flow [a, b] also works).
            items = (s.Value ?? "").Length == 0 ? [] : s.Value!.Split(',')
                    .Select(part => Mark(new YamlScalarNode(part.Trim()) { Style = ScalarStyle.DoubleQuoted }, node)) // literal text, never null
                    .ToList();
        }
        // one string where a list of strings goes is a list of one (PEFT/TRL write target_modules: all-linear)
        else if (node is YamlScalarNode one && element == typeof(string)) items = [one];
        else return Fail(node, path, $"expected {ConfigTypes.Describe(listType)} ([a, b] or one '- item' per line), got {Shape(node)}.", current);

        bool elementNullable = Nullable.GetUnderlyingType(element) is not null;
        var values = new List<object?>(items.Count);
        int before = Errors.Count;
        for (int i = 0; i < items.Count; i++)
            values.Add(BindValue(items[i], element, elementNullable, null, $"{path}[{i}]"));
        return Errors.Count > before ? current : ConfigTypes.MakeList(listType, element, values);
    }

    private object? BindDictionary(YamlNode node, Type valueType, object? current, string path)
    {
        if (node is not YamlMappingNode map)
            return Fail(node, path, $"expected a mapping of names to values, got {Shape(node)}.", current);
        // Entries are merged into the current dictionary, so --set weights.format=0.2 keeps the other weights.
        var dict = ConfigTypes.MakeDictionary(valueType, current);
        bool valueNullable = Nullable.GetUnderlyingType(valueType) is not null;
        foreach (var (keyNode, valueNode) in map.Children)
        {
            if (keyNode is not YamlScalarNode { Value: { } key })
            {
                Errors.Add(sources.Error(keyNode, path, "keys must be plain names."));
                continue;
            }
            var keyPath = Join(path, key);
            KeyNodes[keyPath] = keyNode;
            var value = BindValue(valueNode, valueType, valueNullable, dict.Contains(key) ? dict[key] : null, keyPath);
            // A new key whose value failed binds to null; its error is recorded, and a non-nullable value type cannot hold it.
            if (value is not null || valueNullable) dict[key] = value;
        }
        return dict;
    }

    private YamlNode Mark(YamlNode created, YamlNode from)
    {
        sources.MarkLike(created, from);
        return created;
    }

    private object? Fail(YamlNode node, string path, string message, object? current)
    {
        Errors.Add(sources.Error(node, path, message));
        return current;
    }

    private string Expected(Type t) => parsers.Find(t)?.Expected ?? ConfigTypes.Describe(t);

    private static bool IsNull(YamlScalarNode s)
        => s.Style is ScalarStyle.Plain or ScalarStyle.Any && s.Value is null or "" or "~" or "null" or "Null" or "NULL";

    private static string Shape(YamlNode node) => node switch
    {
        YamlMappingNode => "a mapping",
        YamlSequenceNode => "a list",
        YamlScalarNode s => $"'{s.Value}'",
        _ => node.NodeType.ToString(),
    };

    private static string UnknownKey(string key, IReadOnlyList<ConfigProperty> properties)
    {
        var valid = properties.Select(p => p.Key).ToList();
        var near = ConfigNaming.Nearest(key, valid);
        var hint = near is null ? "" : $" Did you mean '{near}'?";
        return $"unknown key '{ConfigError.Quote(key)}'.{hint} Valid keys: {string.Join(", ", valid)}.";
    }

    internal static string Join(string path, string key) => path.Length == 0 ? key : $"{path}.{key}";
}
