using Aha.Configuration;

namespace Aha.Environments;

/// <summary>Limits of a multi-turn rollout.</summary>
public sealed record MultiTurnOptions : IValidatableConfig
{
    /// <summary>Most policy turns per trajectory. The default value is 4.</summary>
    public int MaxTurns { get; init; } = 4;

    /// <summary>Most tokens per trajectory, prompt and observations included. The default value is 1024.</summary>
    public int MaxTotalTokens { get; init; } = 1024;

    /// <summary>
    /// Stop strings added to every policy turn so a turn ends where its tool call does. The default value is
    /// ["&lt;/tool_call&gt;"].
    /// </summary>
    public IReadOnlyList<string> TurnStopStrings { get; init; } = ["</tool_call>"];

    /// <summary>The rules each field must meet, as data (key in snake_case, the rule, the value found).</summary>
    public IEnumerable<ConfigProblem> Problems()
    {
        if (MaxTurns < 1) yield return new ConfigProblem("max_turns", $"must be ≥ 1 (got {MaxTurns}).", MaxTurns);
        if (MaxTotalTokens < 2) yield return new ConfigProblem("max_total_tokens", $"must be ≥ 2: a prompt token and a generated one (got {MaxTotalTokens}).", MaxTotalTokens);
    }

    /// <summary>Returns this when valid.</summary>
    /// <exception cref="ConfigException">Every problem of <see cref="Problems"/>, listed together.</exception>
    public MultiTurnOptions Validate() => Problems().ToList() is { Count: > 0 } problems ? throw new ConfigException(nameof(MultiTurnOptions), problems) : this;
}
