using Aha.Environments;
using Aha.Rewards;
using Aha.Tracking;

namespace Aha.Training.OnPolicy;

/// <summary>
/// What a multi-turn run adds to the on-policy trainer: the environment's reward as a reward component, and the
/// metrics <c>turns/mean</c>, <c>tool_calls/mean</c>, <c>tool_errors/frac</c>, <c>reward/environment/mean</c> over
/// every trajectory sampled in the step.
/// </summary>
public static class MultiTurnMetrics
{
    /// <summary>Mean policy turns per trajectory.</summary>
    public const string TurnsMean = "turns/mean";
    /// <summary>Mean tool calls per trajectory (well-formed or not).</summary>
    public const string ToolCallsMean = "tool_calls/mean";
    /// <summary>Failed tool calls ÷ tool calls (malformed, unknown tool, threw, timed out, server died); 0 without calls.</summary>
    public const string ToolErrorsFrac = "tool_errors/frac";
    /// <summary>Name of the environment's reward component (Σ of its step rewards).</summary>
    public const string EnvironmentReward = "environment";

    /// <summary>The scorer's reward plus the trajectory's environment reward, as one more component of weight 1.</summary>
    public static SampleReward WithEnvironmentReward(SampleReward scored, Trajectory trajectory)
    {
        double r = trajectory.Reward;
        var component = new ComponentScore(EnvironmentReward, 1.0, r, null, "sum of the environment's step rewards", null);
        return new SampleReward(scored.Total + r, true, [.. scored.Components, component]);
    }

    /// <summary>Adds the multi-turn metrics of <paramref name="trajectories"/> (nothing when there are none).</summary>
    public static void Add(IDictionary<string, double> metrics, IReadOnlyCollection<Trajectory> trajectories)
    {
        if (trajectories.Count == 0) return;
        int calls = trajectories.Sum(t => t.ToolCalls);
        metrics[TurnsMean] = trajectories.Average(t => (double)t.Turns);
        metrics[ToolCallsMean] = calls / (double)trajectories.Count;
        metrics[ToolErrorsFrac] = calls == 0 ? 0 : trajectories.Sum(t => t.ToolErrors) / (double)calls;
        metrics[MetricNames.RewardFunctionMean(EnvironmentReward)] = trajectories.Average(t => t.Reward);
    }
}
