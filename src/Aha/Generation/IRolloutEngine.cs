namespace Aha.Generation;

/// <summary>
/// Samples completions for a batch of tokenised prompts. The local engine runs the policy in-process with a KV cache;
/// a remote engine (an OpenAI-compatible server such as vLLM) can take its place, as in veRL.
/// </summary>
public interface IRolloutEngine
{
    /// <returns>One completion per prompt, in order.</returns>
    IReadOnlyList<Completion> Generate(IReadOnlyList<IReadOnlyList<int>> prompts, SamplingParams sampling);
}
