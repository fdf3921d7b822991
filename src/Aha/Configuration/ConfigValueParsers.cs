using System.Collections.Immutable;
using Aha.Algorithms;

namespace Aha.Configuration;

/// <summary>
/// Per-type parsers for scalar config values (text → value, value → text for <c>resolved_config.yaml</c>). Immutable:
/// <see cref="With{T}"/> returns a new registry. <see cref="Default"/> knows the algorithm enums by the names users
/// type (<c>seq-mean-token-mean</c>, <c>dr_grpo</c>, <c>k3</c>, …); any other enum is matched against the snake_case of
/// its member names. Enum matching ignores case and treats <c>-</c> and <c>_</c> alike, so <c>token-mean</c>,
/// <c>token_mean</c> and <c>TokenMean</c> all parse.
/// </summary>
public sealed class ConfigValueParsers
{
    private readonly ImmutableDictionary<Type, ConfigValueParser> _entries;

    private ConfigValueParsers(ImmutableDictionary<Type, ConfigValueParser> entries) => _entries = entries;

    /// <summary>No custom parsers: built-in scalars and enums by snake_case member names only.</summary>
    public static ConfigValueParsers Empty { get; } = new(ImmutableDictionary<Type, ConfigValueParser>.Empty);

    /// <summary>The algorithm enums (<see cref="AlgorithmNames"/>) by their user-facing names.</summary>
    public static ConfigValueParsers Default { get; } = Empty
        .WithEnumNames<AggregationMode>(AlgorithmNames.ToName)
        .WithEnumNames<KlEstimator>(AlgorithmNames.ToName)
        .WithEnumNames<KlPlacement>(AlgorithmNames.ToName);

    /// <summary>A registry that also parses <typeparamref name="T"/>.</summary>
    /// <param name="parse">Text → value; throws <see cref="ArgumentException"/> or <see cref="FormatException"/> with a
    /// message saying what was expected.</param>
    /// <param name="format">Value → text that <paramref name="parse"/> reads back.</param>
    /// <param name="expected">What a valid value looks like, for error messages (e.g. "a device: cpu or cuda[:n]").</param>
    public ConfigValueParsers With<T>(Func<string, T> parse, Func<T, string> format, string expected) where T : notnull
    {
        ArgumentNullException.ThrowIfNull(parse);
        ArgumentNullException.ThrowIfNull(format);
        return new(_entries.SetItem(typeof(T), new ConfigValueParser(s => parse(s), v => format((T)v), expected)));
    }

    /// <summary>A registry that parses and writes the enum <typeparamref name="T"/> by the names <paramref name="name"/> gives.</summary>
    public ConfigValueParsers WithEnumNames<T>(Func<T, string> name) where T : struct, Enum
    {
        ArgumentNullException.ThrowIfNull(name);
        var table = Enum.GetValues<T>().Select(v => ((object)v, name(v))).ToArray();
        return new(_entries.SetItem(typeof(T), EnumParser(table)));
    }

    /// <summary>The parser for <paramref name="type"/> (registered, or the snake_case one for an enum), if any.</summary>
    internal ConfigValueParser? Find(Type type)
    {
        if (_entries.TryGetValue(type, out var entry)) return entry;
        if (type.IsEnum)
            return EnumParser(Enum.GetValues(type).Cast<object>().Select(v => (v, ConfigNaming.ToSnakeCase(v.ToString()!))).ToArray());
        return null;
    }

    private static ConfigValueParser EnumParser((object Value, string Name)[] table)
    {
        var expected = "one of: " + string.Join(", ", table.Select(t => t.Name));
        return new ConfigValueParser(
            text =>
            {
                var key = Squash(text);
                foreach (var (value, name) in table)
                    if (Squash(name) == key) return value;
                throw new FormatException("unknown name");
            },
            value => table.First(t => t.Value.Equals(value)).Name,
            expected);
    }

    private static string Squash(string s) => new(s.Trim().Where(c => c is not ('_' or '-' or ' ')).Select(char.ToLowerInvariant).ToArray());
}

/// <summary>One registered scalar type: parse, format, and a description of valid values.</summary>
internal sealed record ConfigValueParser(Func<string, object> Parse, Func<object, string> Format, string Expected);
