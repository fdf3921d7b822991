namespace Aha.Environments;

/// <summary>
/// What turns an on-policy run multi-turn: the environments, how observations are rendered, and the limits. The
/// trainer builds its <see cref="MultiTurnRollout"/> from this over its own rollout engine.
/// </summary>
public sealed record MultiTurnEnvironment(IEnvironmentFactory Environments, ITurnFormat Format, MultiTurnOptions Options);
