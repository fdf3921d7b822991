namespace Aha.Configuration;

/// <summary>One problem in a configuration, located as precisely as known.</summary>
/// <param name="Source">The file path, or <c>--set key=value</c> for a command-line override.</param>
/// <param name="Line">1-based line in <paramref name="Source"/>, when known.</param>
/// <param name="Column">1-based column, when known.</param>
/// <param name="KeyPath">Dotted path of the key, e.g. <c>algorithm.clip_high</c> or <c>stages[1].lr</c>.</param>
/// <param name="Message">What is wrong and what was expected.</param>
/// <param name="Value">The offending value, when the section reported one (<see cref="ConfigProblem.Value"/>).</param>
public sealed record ConfigError(string Source, int? Line, int? Column, string KeyPath, string Message, object? Value = null)
{
    /// <summary><c>file.yaml:12:3: algorithm.clip_high: message</c>.</summary>
    public override string ToString()
    {
        var where = Line is { } l ? (Column is { } c ? $"{Source}:{l}:{c}" : $"{Source}:{l}") : Source;
        return KeyPath.Length == 0 ? $"{where}: {Message}" : $"{where}: {Quote(KeyPath, 120)}: {Message}";
    }

    /// <summary>A value or key as quoted in a message: cut short, so a hostile 10 MB line does not become a 10 MB message.</summary>
    public static string Quote(string? text, int max = 60) =>
        text is null ? "" : text.Length <= max ? text : text[..max] + "…";
}
