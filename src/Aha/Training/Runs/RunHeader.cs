using System.Globalization;
using Aha.Tracking;
using static TorchSharp.torch;

namespace Aha.Training.Runs;

/// <summary>
/// The lines a training command prints once when its run folder opens (console and <c>log.txt</c>), so a run's log says
/// what it trains before the first step line: the command and run folder, the model with its parameter count, the data
/// and its size, the algorithm as resolved from the preset and overrides, the device and thread count.
/// </summary>
internal static class RunHeader
{
    /// <summary>Writes the header through the run's tracker.</summary>
    /// <param name="run">The run, its folder open.</param>
    /// <param name="command">The command, e.g. <c>dpo</c>.</param>
    /// <param name="model">The trained model (its parameters are counted; trainable = requires_grad, so LoRA shows its adapters).</param>
    /// <param name="data">The run's data section.</param>
    /// <param name="trainCount">Training examples (prompts, pairs, …).</param>
    /// <param name="evalCount">Evaluation examples.</param>
    /// <param name="algorithm">What the trainer optimises, resolved (preset → estimator, loss, …).</param>
    public static void Write(RunContext run, string command, nn.Module model, DataSection data, int trainCount, int evalCount, string algorithm)
    {
        foreach (var line in Lines(run, command, model, data, trainCount, evalCount, algorithm))
            run.Session.Tracker.OnMessage(TrainingMessageLevel.Info, line);
    }

    static IEnumerable<string> Lines(RunContext run, string command, nn.Module model, DataSection data, int trainCount, int evalCount, string algorithm)
    {
        var session = run.Session;
        yield return $"aha {command} → {session.Dir.Path}{(session.ResumeStep is int s ? $" (resumed at step {s})" : "")}";
        long all = 0, trainable = 0;
        foreach (var p in model.parameters())
        {
            all += p.numel();
            if (p.requires_grad) trainable += p.numel();
        }
        var m = run.ModelConfig;
        yield return $"model: {ModelSource(run.Model)} ({m.Family}, {m.NumLayers} layers, hidden {m.HiddenSize}, vocab {m.VocabSize}) · " +
                     $"{Count(all)} parameters, {Count(trainable)} trainable{(run.Model.ActiveLora is { } l ? $" (LoRA r={l.R}, alpha={l.Alpha})" : "")}";
        var source = data.ResolvedTask is { } task
            ? $"task {task}{(data.Difficulty is int d ? $" (difficulty {d})" : "")}"
            : string.Join(", ", data.Train);
        yield return $"data: {source} · {trainCount} train, {evalCount} eval";
        yield return $"algorithm: {algorithm}";
        yield return $"device: {run.Device.type.ToString().ToLowerInvariant()}{(run.Device.index >= 0 ? $":{run.Device.index}" : "")} · {get_num_threads()} threads";
    }

    /// <summary>An on-policy algorithm as resolved, e.g. <c>preset dapo → estimator grpo, loss vanilla (ε 0.2/0.28),
    /// aggregation token-mean, no KL, dynamic sampling, overlong shaping</c>.</summary>
    public static string Describe(string preset, Algorithms.AlgorithmSpec a)
    {
        var parts = new List<string>
        {
            $"estimator {a.Estimator.Name}",
            $"loss {a.PolicyLoss.Name} (ε {F(a.Loss.ClipLow)}/{F(a.Loss.ClipHigh)}{(a.Loss.DualClip is double c ? $", dual clip {F(c)}" : "")})",
            $"aggregation {a.Aggregation.Name}",
            a.KlPlacement == Algorithms.KlPlacement.None ? "no KL" : $"KL {a.Kl.Name} in {a.KlPlacement.ToString().ToLowerInvariant()} β {F(a.Beta)}",
        };
        if (a.DynamicSampling) parts.Add("dynamic sampling");
        if (a.OverlongShaping) parts.Add("overlong shaping");
        return $"preset {preset} → {string.Join(", ", parts)}";
    }

    static string F(double x) => x.ToString("G4", CultureInfo.InvariantCulture);

    static string ModelSource(ModelSection model) =>
        model.Path ?? (model.Pretrain is not null ? "pretrained synthetic base" : $"init {model.ResolvedInit} (seed {model.InitSeed})");

    static string Count(long n) => n.ToString("N0", CultureInfo.InvariantCulture);
}
