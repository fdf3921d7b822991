using Aha.Tracking;

namespace Aha.R1Zero;

/// <summary>
/// Forwards everything to an inner observer and, every <paramref name="every"/> steps and at the last step, adds the
/// greedy accuracy and format rate on a fixed held-out subset (<c>heldout/accuracy</c>, <c>heldout/format_rate</c>,
/// <c>heldout/completion_len</c>) to the step's metrics: the R1-Zero curve on problems RL never sees.
/// </summary>
internal sealed class HeldoutObserver(ITrainingObserver inner, Func<IReadOnlyDictionary<string, double>> evaluate, int every, int lastStep)
    : ITrainingObserver
{
    public void OnStep(int step, IReadOnlyDictionary<string, double> metrics)
    {
        if ((every > 0 && step % every == 0) || step == lastStep)
        {
            var merged = new Dictionary<string, double>(metrics);
            foreach (var (k, v) in evaluate()) merged[k] = v;
            metrics = merged;
        }
        inner.OnStep(step, metrics);
    }

    public void OnSamples(int step, IReadOnlyList<SampleRecord> samples) => inner.OnSamples(step, samples);

    public void OnMessage(TrainingMessageLevel level, string text) => inner.OnMessage(level, text);
}
