namespace Aha.Data;

/// <summary>
/// One unpaired preference example (TRL's unpaired preference / KTO format): a prompt, one completion and a binary
/// label, true when the completion is desirable. Prompt and completion are both text, or both message lists.
/// </summary>
public sealed record UnpairedExample(string Id, TextOrMessages Prompt, TextOrMessages Completion, bool Label);
