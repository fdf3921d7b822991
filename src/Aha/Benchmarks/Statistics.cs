namespace Aha.Benchmarks;

/// <summary>The summaries the benchmarks report.</summary>
public static class Statistics
{
    /// <summary>The middle value, or the mean of the two middle ones: robust to the occasional run a shared host slows down.</summary>
    public static double Median(IEnumerable<double> values)
    {
        var sorted = values.Order().ToArray();
        int mid = sorted.Length / 2;
        return sorted.Length % 2 == 1 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2;
    }
}
