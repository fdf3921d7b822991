using YamlDotNet.Core;
using YamlDotNet.RepresentationModel;

namespace Aha.Configuration;

/// <summary>
/// Merges <c>--set a.b.c=value</c> overrides into the YAML tree before binding, so they are checked exactly like file
/// keys (unknown keys, types) and their errors name the override. A value starting with <c>[</c>, <c>{</c> or a quote
/// is read as YAML flow (<c>[1, 2]</c>, <c>"text: with colon"</c>); anything else is taken verbatim as one scalar, and
/// a list-typed key also accepts comma-separated items (<c>stop=a,b</c>). Lists are replaced whole; dictionary
/// entries (<c>reward_weights.format=0.2</c>) are merged.
/// </summary>
internal static class ConfigOverrides
{
    public static void Apply(YamlMappingNode root, IEnumerable<string> overrides, ConfigSources sources, List<ConfigError> errors)
    {
        foreach (var text in overrides)
        {
            var origin = $"--set {text}";
            int eq = text.IndexOf('=');
            var segments = eq > 0 ? text[..eq].Split('.').Select(ConfigNaming.NormalizeKey).ToArray() : [];
            if (eq <= 0 || segments.Any(s => s.Length == 0))
            {
                errors.Add(new ConfigError(origin, null, null, "", "expected key=value with a dotted key, e.g. --set optim.lr=1e-5."));
                continue;
            }
            var value = ParseValue(text[(eq + 1)..], origin, errors);
            if (value is null) continue;
            var map = root;
            foreach (var segment in segments[..^1])
            {
                if (Find(map, segment) is { Value: YamlMappingNode child }) map = child;
                else map = (YamlMappingNode)Replace(map, segment, new YamlMappingNode(), sources, origin);
            }
            Replace(map, segments[^1], value, sources, origin);
        }
    }

    private static YamlNode? ParseValue(string text, string origin, List<ConfigError> errors)
    {
        var trimmed = text.TrimStart();
        if (trimmed.Length == 0 || trimmed[0] is not ('[' or '{' or '"' or '\'')) return new YamlScalarNode(text) { Style = ScalarStyle.Plain };
        try
        {
            var stream = new YamlStream();
            stream.Load(new StringReader(text));
            return stream.Documents[0].RootNode;
        }
        catch (YamlException e)
        {
            errors.Add(new ConfigError(origin, null, null, "", $"value is not valid YAML flow: {e.Message}"));
            return null;
        }
    }

    /// <summary>The entry of <paramref name="map"/> whose key normalises to <paramref name="key"/>, if any.</summary>
    internal static KeyValuePair<YamlNode, YamlNode>? Find(YamlMappingNode map, string key)
    {
        foreach (var entry in map.Children)
            if (entry.Key is YamlScalarNode { Value: { } k } && ConfigNaming.NormalizeKey(k) == key) return entry;
        return null;
    }

    private static YamlNode Replace(YamlMappingNode map, string key, YamlNode value, ConfigSources sources, string origin)
    {
        if (Find(map, key) is { } existing) map.Children.Remove(existing.Key);
        var keyNode = new YamlScalarNode(key);
        sources.MarkOverride(keyNode, origin);
        sources.MarkOverride(value, origin);
        map.Children.Add(keyNode, value);
        return value;
    }
}
