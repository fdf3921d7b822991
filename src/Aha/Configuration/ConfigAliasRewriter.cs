using YamlDotNet.RepresentationModel;

namespace Aha.Configuration;

/// <summary>
/// Moves the top-level alias keys of a parsed config (file and <c>--set</c> already merged) to the keys they mean, so
/// binding and validation see only our own names and report problems at the alias's line. An alias and the key it
/// targets given together is an error (which one wins would be a guess).
/// </summary>
internal static class ConfigAliasRewriter
{
    public static void Apply(YamlMappingNode root, IReadOnlyList<ConfigAlias> aliases, ConfigSources sources, List<ConfigError> errors)
    {
        var byKey = aliases.ToDictionary(a => a.Key, StringComparer.Ordinal);
        var found = root.Children
            .Where(e => e.Key is YamlScalarNode { Value: { } k } && byKey.ContainsKey(ConfigNaming.NormalizeKey(k)))
            .ToList();
        var deferred = new List<(ConfigAlias Alias, YamlNode Value)>();
        foreach (var (keyNode, valueNode) in found)
        {
            root.Children.Remove(keyNode);
            var alias = byKey[ConfigNaming.NormalizeKey(((YamlScalarNode)keyNode).Value!)];
            if (alias.Target is null)
            {
                errors.Add(sources.Error(keyNode, alias.Key, $"'{alias.Key}' is a TRL setting with no equivalent here: {alias.Reason}"));
                continue;
            }
            if (Translate(alias, keyNode, valueNode, sources, errors) is not { } value || alias.IsFixed) continue;
            var aliasIsOverride = sources.IsOverride(keyNode);
            if (!Place(root, alias.Target, value, keyNode, sources, existingKey =>
                    // --set comes after the file, whichever of the two names either uses.
                    aliasIsOverride == sources.IsOverride(existingKey) ? Occupied.Conflict
                    : aliasIsOverride ? Occupied.Overwrite : Occupied.Keep))
            {
                errors.Add(sources.Error(keyNode, alias.Key,
                    $"'{alias.Key}' is TRL's name for '{alias.Target}', which is given too; keep one of them."));
                continue;
            }
            if (alias.AlsoTarget is not null) deferred.Add((alias, value));
        }
        // Second targets last, so that an explicit key (or another alias placed above) takes precedence.
        foreach (var (alias, value) in deferred)
        {
            var copy = Copy(value);
            sources.MarkLike(copy, value);
            Place(root, alias.AlsoTarget!, copy, value, sources, _ => Occupied.Keep);
        }
    }

    static YamlNode? Translate(ConfigAlias alias, YamlNode keyNode, YamlNode value, ConfigSources sources, List<ConfigError> errors)
    {
        if (alias.Values is null) return value;
        var accepted = string.Join(", ", alias.Values.Keys);
        if (value is not YamlScalarNode { Value: { } text })
        {
            errors.Add(sources.Error(keyNode, alias.Key, $"expected one of: {accepted}."));
            return null;
        }
        if (!alias.Values.TryGetValue(text.Trim().ToLowerInvariant(), out var ours))
        {
            errors.Add(sources.Error(value, alias.Key,
                $"TRL's {alias.Key} '{text}' has no equivalent here; accepted: {accepted}.{(alias.Reason is null ? "" : " " + alias.Reason)}"));
            return null;
        }
        var translated = new YamlScalarNode(ours);
        sources.MarkLike(translated, value);
        return translated;
    }

    private enum Occupied { Overwrite, Keep, Conflict }

    /// <summary>
    /// Sets <paramref name="path"/> (dotted) to <paramref name="value"/>, the nodes it creates located like
    /// <paramref name="locatedLike"/>; when the key is already set, <paramref name="whenOccupied"/> (given the existing
    /// key node) decides. False on a conflict.
    /// </summary>
    static bool Place(YamlMappingNode root, string path, YamlNode value, YamlNode locatedLike, ConfigSources sources,
        Func<YamlNode, Occupied> whenOccupied)
    {
        var segments = path.Split('.');
        var map = root;
        foreach (var segment in segments[..^1])
        {
            if (ConfigOverrides.Find(map, segment) is { } child)
            {
                if (child.Value is not YamlMappingNode m) return false;
                map = m;
            }
            else
            {
                var created = new YamlMappingNode();
                var createdKey = new YamlScalarNode(segment);
                sources.MarkLike(createdKey, locatedLike);
                sources.MarkLike(created, locatedLike);
                map.Children.Add(createdKey, created);
                map = created;
            }
        }
        if (ConfigOverrides.Find(map, segments[^1]) is { } existing)
        {
            switch (whenOccupied(existing.Key))
            {
                case Occupied.Conflict: return false;
                case Occupied.Keep: return true;
            }
            map.Children.Remove(existing.Key);
        }
        var key = new YamlScalarNode(segments[^1]);
        sources.MarkLike(key, locatedLike);
        map.Children.Add(key, value);
        return true;
    }

    static YamlNode Copy(YamlNode node) => node switch
    {
        YamlScalarNode s => new YamlScalarNode(s.Value) { Style = s.Style },
        YamlSequenceNode q => new YamlSequenceNode(q.Children.Select(Copy)),
        YamlMappingNode m => new YamlMappingNode(m.Children.Select(e => new KeyValuePair<YamlNode, YamlNode>(Copy(e.Key), Copy(e.Value)))),
        _ => node,
    };
}
