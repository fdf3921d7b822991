using YamlDotNet.Core;
using YamlDotNet.RepresentationModel;

namespace Aha.Configuration;

/// <summary>
/// Loads a configuration: defaults (a new config record, or a given instance such as a preset's) ← the YAML
/// file ← <c>--set key=value</c> overrides, then validates every section. YAML keys are the snake_case of the C#
/// property names (<c>MaxNewTokens</c> ↔ <c>max_new_tokens</c>; kebab-case is accepted too); nested records are
/// nested mappings. A config record that implements <see cref="IConfigAliases"/> also accepts another tool's top-level
/// keys (TRL's <c>max_steps</c>, …). All problems are collected and thrown together as one <see cref="ConfigException"/>.
/// </summary>
public static class ConfigLoader
{
    /// <summary>Loads <typeparamref name="T"/> from its defaults, an optional file and overrides.</summary>
    /// <param name="path">YAML file, or null for defaults plus overrides only.</param>
    /// <param name="overrides">Items of the form <c>a.b=value</c> (from <c>--set</c>), applied in order after the file.</param>
    /// <param name="parsers">Scalar parsers; <see cref="ConfigValueParsers.Default"/> when null.</param>
    /// <exception cref="ConfigException">Every problem found: unreadable file, YAML syntax, unknown keys, wrong types, failed validation.</exception>
    public static T Load<T>(string? path, IEnumerable<string>? overrides = null, ConfigValueParsers? parsers = null) where T : class, new()
        => Apply(new T(), path, overrides, parsers);

    /// <summary>Applies a file and overrides on top of <paramref name="defaults"/> (which is not modified).</summary>
    /// <inheritdoc cref="Load{T}" path="/param[@name='path'] | /param[@name='overrides'] | /param[@name='parsers'] | /exception"/>
    public static T Apply<T>(T defaults, string? path, IEnumerable<string>? overrides = null, ConfigValueParsers? parsers = null) where T : class
    {
        ArgumentNullException.ThrowIfNull(defaults);
        if (path is null) return ApplyText(defaults, null, "(defaults)", overrides, parsers);
        string text;
        try { text = File.ReadAllText(path); }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw new ConfigException([new ConfigError(path, null, null, "", $"cannot read the config file: {e.Message}")]);
        }
        return ApplyText(defaults, text, path, overrides, parsers);
    }

    /// <summary>Applies YAML text (named <paramref name="sourceName"/> in errors) and overrides on top of <paramref name="defaults"/>.</summary>
    /// <inheritdoc cref="Load{T}" path="/param[@name='overrides'] | /param[@name='parsers'] | /exception"/>
    public static T ApplyText<T>(T defaults, string? yaml, string sourceName, IEnumerable<string>? overrides = null,
        ConfigValueParsers? parsers = null) where T : class
    {
        ArgumentNullException.ThrowIfNull(defaults);
        var sources = new ConfigSources(sourceName);
        var errors = new List<ConfigError>();
        var root = Parse(yaml, sources, errors);
        ConfigOverrides.Apply(root, overrides ?? [], sources, errors);
        if (defaults is IConfigAliases aliased) ConfigAliasRewriter.Apply(root, aliased.ConfigAliases(), sources, errors);
        var binder = new ConfigBinder(parsers ?? ConfigValueParsers.Default, sources);
        var result = (T)binder.BindSection(root, defaults.GetType(), defaults, "");
        errors.AddRange(binder.Errors);
        ConfigValidation.Run(result, "", sources, binder.KeyNodes, errors);
        if (errors.Count > 0) throw new ConfigException(errors);
        return result;
    }

    /// <summary>The file's top-level mapping; null <paramref name="yaml"/> (no file) is an empty one, an empty file an error.</summary>
    private static YamlMappingNode Parse(string? yaml, ConfigSources sources, List<ConfigError> errors)
    {
        if (yaml is null) return new YamlMappingNode();
        const string empty = "the config file is empty (no keys); expected a mapping of keys to values, e.g. 'steps: 10' (or drop --config for the defaults).";
        try
        {
            if (FirstTooDeep(yaml) is { } deep)
            {
                errors.Add(new ConfigError(sources.FileSource, (int)deep.Line, (int)deep.Column, "",
                    $"YAML nested deeper than {MaxDepth} levels; a config needs a few."));
                return new YamlMappingNode();
            }
            var stream = new YamlStream();
            stream.Load(new StringReader(yaml));
            if (stream.Documents.Count == 0 || stream.Documents[0].RootNode is YamlScalarNode { Value: null or "" or "~" or "null" })
            {
                errors.Add(new ConfigError(sources.FileSource, null, null, "", empty));
                return new YamlMappingNode();
            }
            if (stream.Documents.Count > 1)
                errors.Add(sources.Error(stream.Documents[1].RootNode, "", "a config file holds one YAML document; found more."));
            var root = stream.Documents[0].RootNode;
            if (root is YamlMappingNode map) return map;
            errors.Add(sources.Error(root, "", "the top level of a config file must be a mapping of keys to values."));
        }
        catch (YamlException e)
        {
            errors.Add(new ConfigError(sources.FileSource, (int)e.Start.Line, (int)e.Start.Column, "", $"YAML syntax error: {e.Message}"));
        }
        catch (InvalidOperationException)
        {
            // YamlDotNet's scanner throws this, without a position, on some unterminated flow collections ("[1, 2").
            errors.Add(new ConfigError(sources.FileSource, null, null, "", "YAML syntax error: unterminated [ ] or { } collection."));
        }
        return new YamlMappingNode();
    }

    /// <summary>Deepest nesting of mappings and sequences accepted in a config file.</summary>
    public const int MaxDepth = 64;

    /// <summary>
    /// Where the YAML first nests deeper than <see cref="MaxDepth"/>, or null. YamlStream builds its node tree
    /// recursively, so a hostile file nested thousands deep would overflow the stack, which no catch can stop;
    /// YamlDotNet's event parser keeps its own state stack, so the depth is measured on the events first.
    /// </summary>
    private static Mark? FirstTooDeep(string yaml)
    {
        var parser = new Parser(new StringReader(yaml));
        int depth = 0;
        while (parser.MoveNext())
        {
            switch (parser.Current)
            {
                case YamlDotNet.Core.Events.MappingStart or YamlDotNet.Core.Events.SequenceStart:
                    if (++depth > MaxDepth) return parser.Current.Start;
                    break;
                case YamlDotNet.Core.Events.MappingEnd or YamlDotNet.Core.Events.SequenceEnd:
                    depth--;
                    break;
            }
        }
        return null;
    }
}
