namespace Aha.Rewards;

/// <summary>Why a Countdown answer scored what it did.</summary>
public enum CountdownOutcome
{
    /// <summary>Uses allowed numbers and equals the target.</summary>
    Correct,
    /// <summary>Well-formed, allowed numbers, but a different value.</summary>
    WrongValue,
    /// <summary>Well-formed, but uses a number not given, or more often than given (or not all, when required).</summary>
    InvalidNumbers,
    /// <summary>Well-formed, but divides by zero.</summary>
    DivisionByZero,
    /// <summary>Not an expression of the grammar, or over a limit.</summary>
    Malformed,
    /// <summary>Empty.</summary>
    Missing,
}

/// <summary>The verdict on one Countdown answer, with its exact value when it has one and a short reason.</summary>
public sealed record CountdownVerdict(CountdownOutcome Outcome, BigRational? Value, string Reason)
{
    public bool IsCorrect => Outcome == CountdownOutcome.Correct;

    /// <summary>The expression parsed (syntax fine), whatever else was wrong.</summary>
    public bool IsWellFormed => Outcome is not (CountdownOutcome.Malformed or CountdownOutcome.Missing);
}

/// <summary>
/// Checks a Countdown answer (TinyZero's task): an arithmetic expression over the given numbers, each used at
/// most as many times as it is given (multiset check), whose exact rational value equals the target.
/// </summary>
public static class CountdownVerifier
{
    public static CountdownVerdict Verify(
        string expression, IReadOnlyList<int> numbers, int target, bool requireAllNumbers = false, CountdownLimits? limits = null)
    {
        ArgumentNullException.ThrowIfNull(expression);
        ArgumentNullException.ThrowIfNull(numbers);
        if (string.IsNullOrWhiteSpace(expression))
            return new CountdownVerdict(CountdownOutcome.Missing, null, "empty answer");
        var parse = CountdownExpression.Parse(expression, limits);
        if (parse.Error is { } error)
            return new CountdownVerdict(CountdownOutcome.Malformed, null, error);

        if (CheckNumbers(parse.Numbers, numbers, requireAllNumbers) is { } numberError)
            return new CountdownVerdict(CountdownOutcome.InvalidNumbers, parse.Value, numberError);
        if (parse.Value is not { } value)
            return new CountdownVerdict(CountdownOutcome.DivisionByZero, null, "division by zero");
        return value == BigRational.FromInteger(target)
            ? new CountdownVerdict(CountdownOutcome.Correct, value, $"equals target {target}")
            : new CountdownVerdict(CountdownOutcome.WrongValue, value, $"equals {value}, target {target}");
    }

    /// <summary>Null if <paramref name="used"/> is a sub-multiset of <paramref name="given"/>, else the first problem.</summary>
    internal static string? CheckNumbers(IReadOnlyList<int> used, IReadOnlyList<int> given, bool requireAll)
    {
        var available = new Dictionary<int, int>();
        foreach (var n in given) available[n] = available.GetValueOrDefault(n) + 1;
        var counts = new Dictionary<int, int>();
        foreach (var n in used)
        {
            int k = counts[n] = counts.GetValueOrDefault(n) + 1;
            if (!available.TryGetValue(n, out var g))
                return $"number {n} is not in [{string.Join(", ", given)}]";
            if (k > g)
                return k == 2 && g == 1 ? $"number {n} used twice" : $"number {n} used {k} times, given {g}";
        }
        if (requireAll)
        {
            foreach (var (n, g) in available)
                if (counts.GetValueOrDefault(n) < g)
                    return $"number {n} not used";
        }
        return null;
    }
}
