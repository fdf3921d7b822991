using Aha.Configuration;
using Aha.Tracking;

namespace Aha.Training.Runs;

/// <summary>A run config whose metrics also go to other trackers (TRL's <c>report_to</c>).</summary>
public interface IReportTargets
{
    /// <summary>Trackers besides the run folder's files: <c>tensorboard</c>. Empty by default.</summary>
    IReadOnlyList<string> ReportTo { get; }
}

internal static class ReportTargets
{
    /// <summary>The problems of a <c>report_to</c> list: each unknown target, naming the valid ones.</summary>
    public static IEnumerable<ConfigProblem> Problems(IReadOnlyList<string> reportTo)
    {
        foreach (var target in reportTo)
            if (!RunTrackerOptions.ReportTargets.Contains(target, StringComparer.Ordinal))
                yield return new ConfigProblem("report_to", $"unknown target '{target}'; expected one of {string.Join(", ", RunTrackerOptions.ReportTargets)} (or an empty list).", target);
    }
}
