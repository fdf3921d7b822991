namespace Aha.Generation.Remote;

/// <summary>A rollout server failed for good (after retries) or answered something the engine cannot use; names the endpoint.</summary>
/// <remarks>An <see cref="IOException"/>: a remote failure is an I/O failure, reported by the CLI as one line naming the endpoint (exit 2), not as a crash.</remarks>
public sealed class RemoteEngineException(string message, Exception? inner = null) : IOException(message, inner);
