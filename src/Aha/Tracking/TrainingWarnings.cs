using System.Globalization;

namespace Aha.Tracking;

/// <summary>
/// Watches the metric stream for the instabilities practice names and reports them to a sink as
/// <see cref="TrainingMessageLevel.Warning"/> messages: KL explosion, entropy collapse, most groups zero-variance, and
/// reward rising while accuracy falls (reward hacking). Each warning fires once when its condition starts to hold and
/// again only after the condition has cleared and returned.
/// </summary>
public sealed class TrainingWarnings : ITrainingObserver
{
    private readonly TrainingWarningOptions _options;
    private readonly ITrainingObserver _sink;
    private readonly Dictionary<string, Queue<double>> _recent = new(StringComparer.Ordinal);
    private readonly Queue<(double Reward, double Accuracy)> _pairs = new();
    private readonly HashSet<string> _active = new(StringComparer.Ordinal);

    /// <summary>Watches with <paramref name="options"/> and reports to <paramref name="sink"/>.</summary>
    /// <param name="options">Thresholds; validated here.</param>
    /// <param name="sink">Receives the warnings through <see cref="ITrainingObserver.OnMessage"/>.</param>
    public TrainingWarnings(TrainingWarningOptions options, ITrainingObserver sink)
    {
        _options = (options ?? throw new ArgumentNullException(nameof(options))).Validate();
        _sink = sink ?? throw new ArgumentNullException(nameof(sink));
    }

    /// <summary>Checks every condition after adding this step's metrics.</summary>
    public void OnStep(int step, IReadOnlyDictionary<string, double> metrics)
    {
        var o = _options;
        if (Smoothed(metrics, MetricNames.Kl) is { } kl)
            Check("kl", step, kl > o.KlMax, () =>
                $"KL to the reference is {F(kl)} nats/token (mean of the last {o.Smoothing} steps), above {F(o.KlMax)}: " +
                "the policy is drifting fast. Lower the learning rate or raise beta.");
        if (Smoothed(metrics, MetricNames.Entropy) is { } entropy)
            Check("entropy", step, entropy < o.EntropyMin, () =>
                $"Policy entropy fell to {F(entropy)} nats/token, below {F(o.EntropyMin)}: entropy collapse, a group's " +
                "samples become identical and stop teaching. Raise the temperature, use clip-higher (DAPO clip_high 0.28) or an entropy bonus.");
        if (Smoothed(metrics, MetricNames.FracZeroStdGroups) is { } zeroStd)
            Check("zero_std", step, zeroStd > o.ZeroStdGroupsMax, () =>
                $"{Pct(zeroStd)} of groups have zero reward variance (above {Pct(o.ZeroStdGroupsMax)}): most of the batch carries " +
                "no signal, the task is too easy or too hard for the model. Use dynamic sampling, change the difficulty or raise num_generations.");
        CheckHacking(step, metrics);
    }

    /// <summary>Not used by the checks.</summary>
    public void OnSamples(int step, IReadOnlyList<SampleRecord> samples) { }

    /// <summary>Not used by the checks.</summary>
    public void OnMessage(TrainingMessageLevel level, string text) { }

    private void CheckHacking(int step, IReadOnlyDictionary<string, double> metrics)
    {
        if (!metrics.TryGetValue(MetricNames.RewardMean, out var reward) || !double.IsFinite(reward)) return;
        if (!metrics.TryGetValue(MetricNames.Accuracy, out var accuracy) || !double.IsFinite(accuracy)) return;
        int window = _options.HackingWindow, half = window / 2;
        _pairs.Enqueue((reward, accuracy));
        if (_pairs.Count > window) _pairs.Dequeue();
        if (_pairs.Count < window) return;
        var all = _pairs.ToArray();
        double rewardRise = all[half..].Average(p => p.Reward) - all[..half].Average(p => p.Reward);
        double accuracyDrop = all[..half].Average(p => p.Accuracy) - all[half..].Average(p => p.Accuracy);
        Check("hacking", step, rewardRise >= _options.HackingRewardRise && accuracyDrop >= _options.HackingAccuracyDrop, () =>
            $"Reward rose by {F(rewardRise)} while accuracy fell by {F(accuracyDrop)} over the last {window} steps: " +
            $"possible reward hacking. Read {RunFiles.CompletionsJsonl} and check the reward functions (format reward too generous?).");
    }

    /// <summary>Trailing mean of the last <see cref="TrainingWarningOptions.Smoothing"/> finite values; null if absent this step.</summary>
    private double? Smoothed(IReadOnlyDictionary<string, double> metrics, string name)
    {
        if (!metrics.TryGetValue(name, out var value) || !double.IsFinite(value)) return null;
        if (!_recent.TryGetValue(name, out var queue)) _recent[name] = queue = new Queue<double>();
        queue.Enqueue(value);
        if (queue.Count > _options.Smoothing) queue.Dequeue();
        return queue.Average();
    }

    private void Check(string condition, int step, bool holds, Func<string> message)
    {
        if (!holds)
        {
            _active.Remove(condition);
            return;
        }
        if (_active.Add(condition)) _sink.OnMessage(TrainingMessageLevel.Warning, $"step {step}: {message()}");
    }

    private static string F(double v) => v.ToString("G3", CultureInfo.InvariantCulture);

    private static string Pct(double v) => (v * 100).ToString("F0", CultureInfo.InvariantCulture) + "%";
}
