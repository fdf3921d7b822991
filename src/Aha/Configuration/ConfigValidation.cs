using System.Collections;
using YamlDotNet.RepresentationModel;

namespace Aha.Configuration;

/// <summary>Collects <see cref="IValidatableConfig.Problems"/> of every section of a bound configuration, defaults included.</summary>
internal static class ConfigValidation
{
    /// <summary>Appends the problems of <paramref name="section"/> and all sections under it to <paramref name="errors"/>.</summary>
    public static void Run(object section, string path, ConfigSources sources, IReadOnlyDictionary<string, YamlNode> keyNodes, List<ConfigError> errors)
    {
        if (section is IValidatableConfig validatable)
        {
            foreach (var problem in validatable.Problems())
            {
                var keyPath = problem.Key.Length == 0 ? path : ConfigBinder.Join(path, problem.Key);
                var node = keyNodes.GetValueOrDefault(keyPath) ?? keyNodes.GetValueOrDefault(path);
                errors.Add(sources.Error(node, keyPath, problem.Message, problem.Value));
            }
        }
        foreach (var property in ConfigTypes.Properties(section.GetType()))
        {
            var value = property.Info.GetValue(section);
            var childPath = ConfigBinder.Join(path, property.Key);
            switch (value)
            {
                case null or string: break;
                case IDictionary dict:
                    foreach (DictionaryEntry entry in dict)
                        if (entry.Value is { } v && ConfigTypes.IsSection(v.GetType()))
                            Run(v, ConfigBinder.Join(childPath, (string)entry.Key), sources, keyNodes, errors);
                    break;
                case IEnumerable list:
                    int i = 0;
                    foreach (var item in list)
                    {
                        if (item is not null && ConfigTypes.IsSection(item.GetType())) Run(item, $"{childPath}[{i}]", sources, keyNodes, errors);
                        i++;
                    }
                    break;
                default:
                    if (ConfigTypes.IsSection(value.GetType())) Run(value, childPath, sources, keyNodes, errors);
                    break;
            }
        }
    }
}
