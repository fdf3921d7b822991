using Aha.Models;

namespace Aha.Generation;

/// <summary>
/// A rollout engine that samples from its own copy of the weights (a remote server) and must be sent the policy after
/// each optimizer step. The trainer calls <see cref="SyncWeights"/> before generating whenever
/// <see cref="SyncedVersion"/> differs from its step.
/// </summary>
public interface IPolicyWeightSync
{
    /// <summary>The policy version (optimizer steps taken) the engine samples with now; null before the first sync.</summary>
    long? SyncedVersion { get; }

    /// <summary>Sends <paramref name="policy"/>'s weights to the engine as <paramref name="version"/>; returns once it serves them.</summary>
    void SyncWeights(CausalLM policy, long version);
}
