using TorchSharp;

namespace Aha.Tracking;

/// <summary>
/// Writes every step's metrics as TensorBoard scalars (<c>report_to: tensorboard</c>, as TRL) into
/// <c>&lt;run&gt;/tensorboard/events.out.tfevents.*</c> through TorchSharp's <c>SummaryWriter</c>, one event per metric
/// with the metric's name as its tag, the step as its step and the wall time in whole seconds since the epoch
/// (TorchSharp's writer takes it as an integer); values are rounded to float32, as TensorBoard stores scalars. A resumed run opens a new event file beside the old one; TensorBoard merges them by step.
/// </summary>
public sealed class TensorBoardWriter
{
    /// <summary>The folder inside the run folder that holds the event files.</summary>
    public const string DirName = "tensorboard";

    readonly TorchSharp.Modules.SummaryWriter _writer;
    readonly TimeProvider _time;

    public TensorBoardWriter(string runDir, TimeProvider? time = null)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(runDir);
        LogDir = Path.Combine(runDir, DirName);
        _writer = torch.utils.tensorboard.SummaryWriter(LogDir);
        _time = time ?? TimeProvider.System;
    }

    /// <summary>The folder TensorBoard should be pointed at (<c>tensorboard --logdir …</c>).</summary>
    public string LogDir { get; }

    /// <summary>Appends one scalar event per metric of <paramref name="step"/>.</summary>
    public void Write(int step, IReadOnlyDictionary<string, double> metrics)
    {
        long wallTime = _time.GetUtcNow().ToUnixTimeSeconds();
        foreach (var (name, value) in metrics.OrderBy(m => m.Key, StringComparer.Ordinal))
            _writer.add_scalar(name, (float)value, step, wallTime);
    }
}
