using Aha.Data;
using Aha.Tokenization;

namespace Aha.Environments;

/// <summary>
/// A multi-turn environment the policy talks to (gym-style reset/step over chat messages). One instance serves one
/// trajectory at a time; <see cref="MultiTurnRollout"/> asks its <see cref="IEnvironmentFactory"/> for a fresh one per
/// trajectory, so implementations need no locking.
/// </summary>
public interface IEnvironment : IDisposable
{
    /// <summary>Starts an episode on <paramref name="item"/>; returns the first observation (the prompt messages).</summary>
    IReadOnlyList<ChatMessage> Reset(PromptItem item);

    /// <summary>
    /// Takes the policy's turn (its decoded text, special tokens removed) and returns what the policy sees next, the
    /// reward for this step, and whether the episode is over. Invalid actions are observations, never exceptions.
    /// </summary>
    EnvironmentStep Step(string action);
}

/// <summary>Makes one environment per trajectory.</summary>
public interface IEnvironmentFactory
{
    IEnvironment Create();
}

/// <summary>
/// One environment step. <see cref="Reward"/> is the per-step reward (a final reward is the reward of the step that
/// returns <see cref="Done"/>); a trajectory's reward is their sum. <see cref="Observation"/> is ignored when
/// <see cref="Done"/> is true. <see cref="ToolCalls"/> and <see cref="ToolErrors"/> feed the
/// <c>tool_calls/mean</c> and <c>tool_errors/frac</c> metrics.
/// </summary>
public sealed record EnvironmentStep(IReadOnlyList<ChatMessage> Observation, double Reward, bool Done)
{
    /// <summary>Tool calls the action made (well-formed or not).</summary>
    public int ToolCalls { get; init; }

    /// <summary>Tool calls that failed: malformed, unknown tool, the tool threw, timed out or its server died.</summary>
    public int ToolErrors { get; init; }

    /// <summary>The episode ends here with <paramref name="reward"/>.</summary>
    public static EnvironmentStep Final(double reward) => new([], reward, true);
}
