namespace Aha.Generation;

/// <summary>When a step's rollouts are generated relative to the optimizer step (the <c>rollout.mode</c> key).</summary>
public enum RolloutMode
{
    /// <summary>Generate, then update, in turn: every sample comes from the weights being trained (staleness 0).</summary>
    Sync,

    /// <summary>
    /// veRL's one-step-off-policy: while step t updates the policy, batch t + 1 is generated with the weights of step t,
    /// so every batch after the first is exactly one step stale. Deterministic (same samples run to run).
    /// </summary>
    OneStepOff,

    /// <summary>
    /// Bounded-staleness streaming (prime-rl's <c>max_async_level</c>): a generator keeps producing batches and may run
    /// up to <see cref="RolloutSchedule.MaxStaleness"/> steps ahead of the trainer; weights are pushed after every
    /// update and servers apply them between requests, so which version a batch gets depends on timing.
    /// </summary>
    Async,
}

/// <summary>
/// How rollouts overlap training: the <see cref="Mode"/>, and <see cref="MaxStaleness"/> k — a sample drawn with the
/// weights of version v and trained at step t is dropped (with its whole group) when t − v &gt; k. Off-policy gaps
/// that remain are corrected by the rollout-correction losses (<c>rollout_is</c> / <c>rollout_rs</c>, π_old against
/// π_rollout).
/// </summary>
/// <param name="Mode">The default value is sync.</param>
/// <param name="MaxStaleness">k ≥ 1. The default value is 1 (one-step-off).</param>
public sealed record RolloutSchedule(RolloutMode Mode = RolloutMode.Sync, int MaxStaleness = 1)
{
    /// <summary>Whether generation overlaps the optimizer step (and so needs an engine with its own weights).</summary>
    public bool Overlapped => Mode != RolloutMode.Sync;
}
