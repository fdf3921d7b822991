namespace Aha.Configuration;

/// <summary>
/// Every problem found in a configuration, reported together (one per line in <see cref="Exception.Message"/>), each
/// as data in <see cref="Errors"/>. An <see cref="ArgumentException"/>: a config built in code is an argument.
/// </summary>
public sealed class ConfigException : ArgumentException
{
    /// <summary>Creates the exception from at least one error.</summary>
    public ConfigException(IReadOnlyList<ConfigError> errors) : base(Format(errors)) => Errors = errors;

    /// <summary>The problems of a config built in code (no file): each located at its key under <paramref name="section"/>.</summary>
    /// <param name="section">What the config is, e.g. <c>OnPolicyConfig</c>; the <see cref="ConfigError.Source"/> of each error.</param>
    /// <param name="problems">At least one problem.</param>
    public ConfigException(string section, IEnumerable<ConfigProblem> problems)
        : this(problems.Select(p => new ConfigError(section, null, null, p.Key, p.Message, p.Value)).ToList()) { }

    /// <summary>The errors, in the order found.</summary>
    public IReadOnlyList<ConfigError> Errors { get; }

    private static string Format(IReadOnlyList<ConfigError> errors)
    {
        ArgumentNullException.ThrowIfNull(errors);
        if (errors.Count == 0) throw new ArgumentException("A ConfigException needs at least one error.", nameof(errors));
        var head = errors.Count == 1 ? "Invalid configuration:" : $"Invalid configuration ({errors.Count} errors):";
        return head + string.Concat(errors.Select(e => "\n  " + e));
    }
}
