namespace Aha.Rewards;

/// <summary>
/// DAPO's length penalties (arXiv:2503.14476, §3.4), in units of tokens (or characters when tokens are unknown).
/// </summary>
public static class OverlongShaping
{
    /// <summary>Hard overlong penalty: R −= λ·1[|o| &gt; L_max]. Returns the (non-positive) term to add.</summary>
    public static double Hard(int length, int maxLength, double penalty = 1.0)
    {
        Validate(length, maxLength, penalty);
        return length > maxLength ? -penalty : 0.0;
    }

    /// <summary>
    /// Soft overlong punishment (DAPO eq. 13, scaled by λ):
    /// 0 if |o| ≤ L_max − L_buf; −(|o| − (L_max − L_buf)) / L_buf · λ if L_max − L_buf &lt; |o| ≤ L_max; −λ if |o| &gt; L_max.
    /// DAPO uses L_max = 20480, L_buf = 4096, λ = 1.
    /// </summary>
    public static double Soft(int length, int maxLength, int buffer, double penalty = 1.0)
    {
        Validate(length, maxLength, penalty);
        if (buffer <= 0 || buffer > maxLength)
            throw new ArgumentException($"buffer must be in 1..maxLength ({maxLength}), got {buffer}.", nameof(buffer));
        int start = maxLength - buffer;
        if (length <= start) return 0.0;
        if (length <= maxLength) return -(double)(length - start) / buffer * penalty;
        return -penalty;
    }

    private static void Validate(int length, int maxLength, double penalty)
    {
        if (length < 0) throw new ArgumentException($"length must be ≥ 0, got {length}.", nameof(length));
        if (maxLength <= 0) throw new ArgumentException($"maxLength must be > 0, got {maxLength}.", nameof(maxLength));
        if (!double.IsFinite(penalty) || penalty < 0)
            throw new ArgumentException($"penalty λ must be finite and ≥ 0, got {penalty}.", nameof(penalty));
    }
}
