namespace Aha.Configuration;

/// <summary>Every problem found in a configuration, reported together (one per line in <see cref="Exception.Message"/>).</summary>
public sealed class ConfigException : Exception
{
    /// <summary>Creates the exception from at least one error.</summary>
    public ConfigException(IReadOnlyList<ConfigError> errors) : base(Format(errors)) => Errors = errors;

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
