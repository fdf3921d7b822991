namespace Aha.Generation.Remote;

/// <summary>A rollout server failed for good (after retries) or answered something the engine cannot use; names the endpoint.</summary>
public sealed class RemoteEngineException(string message, Exception? inner = null) : Exception(message, inner);
