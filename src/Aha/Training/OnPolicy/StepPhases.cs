using System.Diagnostics;
using Aha.Tracking;

namespace Aha.Training.OnPolicy;

/// <summary>The trainer-side phases of an on-policy step, each reported under veRL's <c>timing_s/*</c> name.</summary>
internal enum StepPhase { Ref, OldLogProb, Values, Adv, UpdateActor, UpdateCritic }

/// <summary>
/// Wall seconds of one step's trainer-side phases (the rollout side — generation, rewards, weight sync — is timed by
/// the rollout pipeline). Every phase is reported, 0 when it did not run, so a dashboard's columns stay put. The
/// clocks are host clocks around synchronous CPU work; on an asynchronous device they would need a sync per phase.
/// </summary>
internal sealed class StepPhases
{
    readonly double[] _seconds = new double[Enum.GetValues<StepPhase>().Length];
    readonly bool[] _ran = new bool[Enum.GetValues<StepPhase>().Length];

    public double this[StepPhase phase] => _seconds[(int)phase];

    /// <summary>Whether <paramref name="phase"/> ran this step (its passes count towards perf/mfu).</summary>
    public bool Ran(StepPhase phase) => _ran[(int)phase];

    /// <summary>Runs <paramref name="work"/> and adds its wall time to <paramref name="phase"/>.</summary>
    public T Time<T>(StepPhase phase, Func<T> work)
    {
        long start = Stopwatch.GetTimestamp();
        try { return work(); }
        finally { Add(phase, Stopwatch.GetElapsedTime(start).TotalSeconds); }
    }

    /// <summary>Adds the time since <paramref name="start"/> (a <see cref="Stopwatch.GetTimestamp"/>) to <paramref name="phase"/>.</summary>
    public void Since(StepPhase phase, long start) => Add(phase, Stopwatch.GetElapsedTime(start).TotalSeconds);

    public void Add(StepPhase phase, double seconds)
    {
        _seconds[(int)phase] += seconds;
        _ran[(int)phase] = true;
    }

    public void Report(IDictionary<string, double> metrics)
    {
        metrics[MetricNames.TimingRef] = this[StepPhase.Ref];
        metrics[MetricNames.TimingOldLogProb] = this[StepPhase.OldLogProb];
        metrics[MetricNames.TimingValues] = this[StepPhase.Values];
        metrics[MetricNames.TimingAdv] = this[StepPhase.Adv];
        metrics[MetricNames.TimingUpdateActor] = this[StepPhase.UpdateActor];
        metrics[MetricNames.TimingUpdateCritic] = this[StepPhase.UpdateCritic];
    }
}
