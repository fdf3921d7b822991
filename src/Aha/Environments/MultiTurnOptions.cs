namespace Aha.Environments;

/// <summary>Limits of a multi-turn rollout.</summary>
public sealed record MultiTurnOptions
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

    public MultiTurnOptions Validate()
    {
        var errors = new List<string>();
        if (MaxTurns < 1) errors.Add($"max_turns must be ≥ 1 (got {MaxTurns})");
        if (MaxTotalTokens < 2) errors.Add($"max_total_tokens must be ≥ 2 (got {MaxTotalTokens})");
        if (errors.Count > 0) throw new ArgumentException("Invalid multi-turn options: " + string.Join("; ", errors) + ".");
        return this;
    }
}
