using YamlDotNet.RepresentationModel;

namespace Aha.Configuration;

/// <summary>Where each YAML node came from: the config file (with its line) or a <c>--set</c> override.</summary>
internal sealed class ConfigSources(string fileSource)
{
    private readonly Dictionary<YamlNode, string> _overrides = new(ReferenceEqualityComparer.Instance);
    private readonly Dictionary<YamlNode, YamlNode> _locatedAt = new(ReferenceEqualityComparer.Instance);

    /// <summary>The config file's path, or <c>(defaults)</c> when there is none.</summary>
    public string FileSource { get; } = fileSource;

    /// <summary>Marks <paramref name="node"/> and everything under it as coming from <paramref name="origin"/>.</summary>
    public void MarkOverride(YamlNode node, string origin)
    {
        _overrides[node] = origin;
        foreach (var child in node.AllNodes) _overrides[child] = origin;
    }

    /// <summary>
    /// Gives <paramref name="created"/> (and everything under it) the origin of <paramref name="from"/>: its override, or
    /// its place in the file — a node built while rewriting (an alias's target key) has no position of its own.
    /// </summary>
    public void MarkLike(YamlNode created, YamlNode from)
    {
        if (_overrides.TryGetValue(from, out var origin))
        {
            MarkOverride(created, origin);
            return;
        }
        var at = _locatedAt.GetValueOrDefault(from, from);
        _locatedAt[created] = at;
        foreach (var child in created.AllNodes) _locatedAt[child] = at;
    }

    /// <summary>True for nodes created by a <c>--set</c> override.</summary>
    public bool IsOverride(YamlNode node) => _overrides.ContainsKey(node);

    /// <summary>An error located at <paramref name="node"/> (file line/column, or the override), or at the file when null.</summary>
    public ConfigError Error(YamlNode? node, string keyPath, string message, object? value = null)
    {
        if (node is not null && _locatedAt.TryGetValue(node, out var at)) node = at;
        if (node is not null && _overrides.TryGetValue(node, out var origin)) return new ConfigError(origin, null, null, keyPath, message, value);
        if (node is not null && node.Start.Line > 0)
            return new ConfigError(FileSource, (int)node.Start.Line, (int)node.Start.Column, keyPath, message, value);
        return new ConfigError(FileSource, null, null, keyPath, message, value);
    }
}
