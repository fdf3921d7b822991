namespace Aha.Algorithms;

/// <summary>
/// The one rule for matching an algorithm name a user wrote (a preset, an advantage estimator, a policy loss, an
/// aggregation, a KL estimator, a preference loss) against the registered names: case, surrounding whitespace and
/// '-' versus '_' are ignored, so <c>token_mean</c> finds <c>token-mean</c> and <c>DR-GRPO</c> finds <c>dr_grpo</c>.
/// </summary>
internal static class AlgorithmName
{
    /// <summary>Whether <paramref name="written"/> names <paramref name="registered"/> under this rule.</summary>
    public static bool Matches(string registered, string? written) => Key(registered) == Key(written);

    static string Key(string? name) => (name?.Trim().ToLowerInvariant() ?? "").Replace('_', '-');
}
