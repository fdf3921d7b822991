namespace Aha.Rewards;

/// <summary>
/// Everything a reward function may look at for one completion.
/// </summary>
/// <param name="Prompt">The prompt the completion answers.</param>
/// <param name="Completion">The generated text (special tokens such as EOS already removed).</param>
/// <param name="GroundTruth">Reference answer (e.g. "72", or the Countdown target), if the data has one.</param>
/// <param name="Metadata">Extra per-item fields, e.g. Countdown's "numbers" = "3,7,25" and "target" = "125".</param>
/// <param name="CompletionTokens">Completion length in tokens, when the caller knows it (length shaping uses it).</param>
public sealed record RewardSample(
    string Prompt,
    string Completion,
    string? GroundTruth = null,
    IReadOnlyDictionary<string, string>? Metadata = null,
    int? CompletionTokens = null)
{
    /// <summary>The metadata value for <paramref name="key"/>, or null.</summary>
    public string? Meta(string key) => Metadata is not null && Metadata.TryGetValue(key, out var v) ? v : null;
}
