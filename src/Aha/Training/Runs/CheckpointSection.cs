using Aha.Configuration;

namespace Aha.Training.Runs;

/// <summary>How often a run saves a checkpoint (model + optimizer + RNG + data position + step) into
/// <c>checkpoints/step-N/</c>, and how many it keeps.</summary>
public sealed record CheckpointSection : IValidatableConfig
{
    /// <summary>Save every this many optimizer steps; 0 saves none (the final model is always saved). The default value is 0.</summary>
    public int Every { get; init; }

    /// <summary>Keep the newest K checkpoints. The default value is 2.</summary>
    public int KeepLast { get; init; } = 2;

    public IEnumerable<ConfigProblem> Problems()
    {
        if (Every < 0) yield return new ConfigProblem("every", $"must be ≥ 0; 0 saves no checkpoints (got {Every}).", Every);
        if (KeepLast < 1) yield return new ConfigProblem("keep_last", $"must be ≥ 1 (got {KeepLast}).", KeepLast);
    }
}
