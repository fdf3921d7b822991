using Aha.Data;
using Aha.Generation;

namespace Aha.Environments;

/// <summary>Why a trajectory ended.</summary>
public enum TrajectoryEnd
{
    /// <summary>The environment said done.</summary>
    Done,
    /// <summary>The policy used its <see cref="MultiTurnOptions.MaxTurns"/> turns.</summary>
    MaxTurns,
    /// <summary>The next policy token or observation would pass <see cref="MultiTurnOptions.MaxTotalTokens"/>.</summary>
    MaxTotalTokens,
}

/// <summary>
/// One multi-turn episode, token in, token out. <see cref="ResponseIds"/> is everything after the prompt: each policy
/// turn exactly as the engine sampled it, followed by the tokens of the observation that answered it. Position t
/// carries loss only when <see cref="PolicyMask"/>[t] is true (the policy's own tokens); observation tokens are context.
/// <see cref="LogProbs"/>[t] is the engine's log-probability on policy tokens and 0 on observation tokens.
/// </summary>
public sealed record Trajectory(
    PromptItem Item,
    IReadOnlyList<int> PromptIds,
    int[] ResponseIds,
    bool[] PolicyMask,
    float[] LogProbs,
    IReadOnlyList<double> StepRewards,
    IReadOnlyList<string> Actions,
    int ToolCalls,
    int ToolErrors,
    TrajectoryEnd End,
    FinishReason LastTurnFinish)
{
    /// <summary>Policy turns taken.</summary>
    public int Turns => Actions.Count;

    /// <summary>Σ of the per-step rewards (the final reward included).</summary>
    public double Reward => StepRewards.Sum();

    /// <summary>Tokens the policy sampled (the loss tokens).</summary>
    public int PolicyTokens => PolicyMask.Count(m => m);

    /// <summary>
    /// As a <see cref="Completion"/> the single-turn code paths understand: the response ids and log-probs, finishing
    /// like the last turn when the environment ended the episode and by <see cref="FinishReason.Length"/> when a limit did.
    /// </summary>
    public Completion ToCompletion() =>
        new(PromptIds, ResponseIds, LogProbs, End == TrajectoryEnd.Done ? LastTurnFinish : FinishReason.Length);
}
