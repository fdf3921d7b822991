namespace Aha.Data;

/// <summary>
/// One RL prompt with its verifiable answer: what the prompt/answer JSONL readers yield and what the synthetic tasks
/// generate (same schema on disk: <c>{"id", "prompt", "answer", "metadata": {…}}</c>). Trainers consume this type
/// from both sources. <see cref="Answer"/> is null only for prompt-only data (reward-model RL).
/// Metadata values are strings (non-string JSON values are kept as their raw JSON text).
/// </summary>
public sealed record PromptItem(string Id, string Prompt, string? Answer, IReadOnlyDictionary<string, string> Metadata)
{
    public PromptItem(string id, string prompt, string? answer)
        : this(id, prompt, answer, new Dictionary<string, string>())
    {
    }
}
