namespace Aha.Configuration;

/// <summary>
/// A config section with rules across fields (TRL's <c>__post_init__</c>). The loader collects <see cref="Problems"/>
/// of every section of the resolved configuration, defaults included, and reports all of them together; a library
/// caller calls <see cref="ConfigValidationExtensions.Validate{T}"/> and gets one <see cref="ConfigException"/>.
/// </summary>
public interface IValidatableConfig
{
    /// <summary>
    /// The problems of this section only (nested sections report their own), as data: the key each is about, the
    /// value, the rule and the fix. Empty when the section is valid.
    /// </summary>
    IEnumerable<ConfigProblem> Problems();
}

/// <summary>Validation of a config built in code (no file): one exception listing every problem.</summary>
public static class ConfigValidationExtensions
{
    /// <summary>
    /// Returns <paramref name="config"/> when it and every section under it are valid; otherwise throws one
    /// <see cref="ConfigException"/> listing every problem (each located at its key path, e.g. <c>trainer.beta</c>).
    /// </summary>
    public static T Validate<T>(this T config) where T : class, IValidatableConfig
    {
        ArgumentNullException.ThrowIfNull(config);
        var errors = new List<ConfigError>();
        ConfigValidation.Run(config, "", new ConfigSources(typeof(T).Name), new Dictionary<string, YamlDotNet.RepresentationModel.YamlNode>(), errors);
        return errors.Count == 0 ? config : throw new ConfigException(errors);
    }
}
