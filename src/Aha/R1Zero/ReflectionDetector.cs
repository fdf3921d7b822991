using System.Text.RegularExpressions;

namespace Aha.R1Zero;

/// <summary>
/// Says whether a completion verifies or backtracks — the R1-Zero signatures counted by <c>reflection/rate</c>.
/// Patterns (case-insensitive, whole words, anywhere in the completion):
/// <list type="bullet">
/// <item>verification: <c>check</c> or <c>verify</c> followed by an equation, e.g. <c>12-3=9 check 9+3=12</c>;</item>
/// <item>backtracking (self-correction): <c>wait</c> followed by an equation, e.g. <c>12+3=15 wait 12-3=9</c>.</item>
/// </list>
/// A keyword must be followed (after spaces or a colon) by a number or an opening bracket, so the words alone
/// ("wait", "checked") and keywords inside an answer tag do not count.
/// </summary>
public static partial class ReflectionDetector
{
    [GeneratedRegex(@"\b(?:check|verify)[\s:]*[-(]?\d", RegexOptions.IgnoreCase | RegexOptions.CultureInvariant)]
    private static partial Regex VerifyPattern();

    [GeneratedRegex(@"\bwait[\s:,]*[-(]?\d", RegexOptions.IgnoreCase | RegexOptions.CultureInvariant)]
    private static partial Regex BacktrackPattern();

    /// <summary>The completion checks an intermediate result.</summary>
    public static bool Verifies(string completion) => VerifyPattern().IsMatch(completion);

    /// <summary>The completion goes back and redoes a step (a self-correction).</summary>
    public static bool Backtracks(string completion) => BacktrackPattern().IsMatch(completion);

    /// <summary>The completion verifies or backtracks.</summary>
    public static bool Reflects(string completion) => Verifies(completion) || Backtracks(completion);

    /// <summary>Number of verifications plus backtracks in the completion.</summary>
    public static int Count(string completion) => VerifyPattern().Count(completion) + BacktrackPattern().Count(completion);
}
