using System.Collections;
using System.Collections.Concurrent;
using System.Globalization;
using System.Reflection;

namespace Aha.Configuration;

/// <summary>A settable property of a config section and its YAML key.</summary>
internal sealed record ConfigProperty(string Key, PropertyInfo Info, bool AllowsNull)
{
    public Type Type => Info.PropertyType;
}

/// <summary>What config binding can map: scalars, lists, string-keyed dictionaries, and sections (records).</summary>
internal static class ConfigTypes
{
    private static readonly ConcurrentDictionary<Type, IReadOnlyList<ConfigProperty>> PropertyCache = new();

    private static readonly Type[] ListShapes =
        [typeof(List<>), typeof(IList<>), typeof(IReadOnlyList<>), typeof(IEnumerable<>), typeof(ICollection<>), typeof(IReadOnlyCollection<>)];

    private static readonly Type[] DictionaryShapes = [typeof(Dictionary<,>), typeof(IDictionary<,>), typeof(IReadOnlyDictionary<,>)];

    /// <summary>string, bool, int, long, float and double (nullable or not) are built in.</summary>
    public static bool IsBuiltInScalar(Type t)
        => t == typeof(string) || t == typeof(bool) || t == typeof(int) || t == typeof(long) || t == typeof(double) || t == typeof(float);

    /// <summary>The element type of an array or list-like type, else null.</summary>
    public static Type? ListElement(Type t)
    {
        if (t.IsArray && t.GetArrayRank() == 1) return t.GetElementType();
        if (t.IsGenericType && ListShapes.Contains(t.GetGenericTypeDefinition())) return t.GetGenericArguments()[0];
        return null;
    }

    /// <summary>The value type of a string-keyed dictionary type, else null.</summary>
    public static Type? DictionaryValue(Type t)
    {
        if (!t.IsGenericType || !DictionaryShapes.Contains(t.GetGenericTypeDefinition())) return null;
        var args = t.GetGenericArguments();
        return args[0] == typeof(string) ? args[1] : null;
    }

    /// <summary>A class (not string, list or dictionary) bound from a YAML mapping.</summary>
    public static bool IsSection(Type t) => t.IsClass && t != typeof(string) && ListElement(t) is null && DictionaryValue(t) is null;

    /// <summary>The public settable (set or init) instance properties of a section, in declaration order.</summary>
    /// <exception cref="InvalidOperationException">Two properties map to the same key (a bug in the config type).</exception>
    public static IReadOnlyList<ConfigProperty> Properties(Type section) => PropertyCache.GetOrAdd(section, static type =>
    {
        var nullability = new NullabilityInfoContext();
        var props = type.GetProperties(BindingFlags.Public | BindingFlags.Instance)
            .Where(p => p.SetMethod is { IsPublic: true } && p.GetIndexParameters().Length == 0)
            .OrderBy(p => p.MetadataToken)
            .Select(p => new ConfigProperty(ConfigNaming.ToSnakeCase(p.Name), p,
                Nullable.GetUnderlyingType(p.PropertyType) is not null
                || (!p.PropertyType.IsValueType && nullability.Create(p).WriteState != NullabilityState.NotNull)))
            .ToList();
        var clash = props.GroupBy(p => p.Key).FirstOrDefault(g => g.Count() > 1);
        if (clash is not null)
            throw new InvalidOperationException($"{type.Name}: properties {string.Join(", ", clash.Select(p => p.Info.Name))} all map to key '{clash.Key}'.");
        return props;
    });

    /// <summary>A fresh copy of a record (its compiler-made clone), so defaults shared by reference are never mutated.</summary>
    public static object CloneOrCreate(Type type, object? current)
    {
        if (current is not null)
        {
            var clone = current.GetType().GetMethod("<Clone>$", BindingFlags.Public | BindingFlags.Instance, Type.EmptyTypes);
            return clone is not null ? clone.Invoke(current, null)! : current;
        }
        if (type.IsAbstract || type.GetConstructor(Type.EmptyTypes) is null)
            throw new InvalidOperationException($"Config section type {type.Name} needs a public parameterless constructor.");
        return Activator.CreateInstance(type)!;
    }

    /// <summary>An array or <see cref="List{T}"/> (whichever <paramref name="listType"/> accepts) holding <paramref name="items"/>.</summary>
    public static object MakeList(Type listType, Type element, IReadOnlyList<object?> items)
    {
        if (listType.IsArray)
        {
            var array = Array.CreateInstance(element, items.Count);
            for (int i = 0; i < items.Count; i++) array.SetValue(items[i], i);
            return array;
        }
        var list = (IList)Activator.CreateInstance(typeof(List<>).MakeGenericType(element))!;
        foreach (var item in items) list.Add(item);
        return list;
    }

    /// <summary>A new <see cref="Dictionary{TKey,TValue}"/> (string keys, ordinal) with <paramref name="current"/>'s entries.</summary>
    public static IDictionary MakeDictionary(Type value, object? current)
    {
        var dict = (IDictionary)Activator.CreateInstance(typeof(Dictionary<,>).MakeGenericType(typeof(string), value), StringComparer.Ordinal)!;
        if (current is IEnumerable entries)
            foreach (var entry in entries)
            {
                var t = entry.GetType();
                dict[(string)t.GetProperty("Key")!.GetValue(entry)!] = t.GetProperty("Value")!.GetValue(entry);
            }
        return dict;
    }

    /// <summary>Parses a built-in scalar (invariant culture; YAML's <c>.inf</c>/<c>.nan</c>; <c>_</c> digit separators in integers).</summary>
    /// <exception cref="FormatException">Not a valid value of <paramref name="t"/>.</exception>
    public static object ParseBuiltIn(Type t, string text)
    {
        var s = text.Trim();
        if (t == typeof(string)) return text;
        if (t == typeof(bool))
        {
            if (s.Equals("true", StringComparison.OrdinalIgnoreCase)) return true;
            if (s.Equals("false", StringComparison.OrdinalIgnoreCase)) return false;
        }
        else if (t == typeof(int) && int.TryParse(s.Replace("_", ""), NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out var i)) return i;
        else if (t == typeof(long) && long.TryParse(s.Replace("_", ""), NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out var l)) return l;
        else if (t == typeof(double) && TryParseFloat(s, out var d)) return d;
        else if (t == typeof(float) && TryParseFloat(s, out var f)) return (float)f;
        throw new FormatException($"'{text}' is not {Describe(t)}.");
    }

    /// <summary>How a value of <paramref name="t"/> is described to users: "an integer", "a number", "true or false", …</summary>
    public static string Describe(Type t)
    {
        t = Nullable.GetUnderlyingType(t) ?? t;
        if (t == typeof(string)) return "a string";
        if (t == typeof(bool)) return "true or false";
        if (t == typeof(int)) return "an integer (int)";
        if (t == typeof(long)) return "an integer (long)";
        if (t == typeof(double) || t == typeof(float)) return "a number";
        if (ListElement(t) is { } e) return $"a list of {Plural(e)}";
        if (DictionaryValue(t) is { } v) return $"a mapping of names to {Plural(v)}";
        return $"a {t.Name} section (a mapping)";
    }

    private static string Plural(Type t)
    {
        var d = Describe(t);
        return d.StartsWith("a ", StringComparison.Ordinal) ? d[2..] : d.StartsWith("an ", StringComparison.Ordinal) ? d[3..] : d;
    }

    private static bool TryParseFloat(string s, out double value)
    {
        switch (s.ToLowerInvariant())
        {
            case ".inf" or "+.inf" or "inf" or "infinity": value = double.PositiveInfinity; return true;
            case "-.inf" or "-inf" or "-infinity": value = double.NegativeInfinity; return true;
            case ".nan" or "nan": value = double.NaN; return true;
        }
        return double.TryParse(s, NumberStyles.Float, CultureInfo.InvariantCulture, out value);
    }
}
