using Aha.Training.Checkpointing;
using TorchSharp.Modules;

namespace Aha.Training.Offline;

/// <summary>Where an offline run stands: optimizer steps done, the training-set size and the shuffle seed.</summary>
public sealed record OfflineStateInfo(int Step, int? TrainSize, long Seed);

/// <summary>
/// Files an offline trainer writes into a checkpoint folder besides the model: <c>trainer_state.json</c> (step,
/// data size, seed), <c>optimizer.bin</c> (AdamW moments and step counts) and <c>rng_state.bin</c> (torch's default
/// CPU generator), each written atomically through <see cref="TrainingStateFiles"/> and <see cref="TrainerState"/>.
/// The folder's own mechanics (naming, rotation) belong to <see cref="CheckpointManager"/>.
/// </summary>
public static class OfflineState
{
    public const string RngFile = "rng_state.bin";

    public static void Save(string dir, OptimizerHelper optimizer, OfflineStateInfo info)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(dir);
        Directory.CreateDirectory(dir);
        TrainingStateFiles.SaveOptimizer(optimizer, Path.Combine(dir, TrainingStateFiles.OptimizerFile));
        TrainingStateFiles.SaveGlobalGenerator(Path.Combine(dir, RngFile));
        new TrainerState { Step = info.Step }.With("train_size", info.TrainSize).With("seed", info.Seed).Save(dir);
    }

    public static OfflineStateInfo Load(string dir, OptimizerHelper optimizer)
    {
        var statePath = Path.Combine(dir, TrainerState.FileName);
        if (!File.Exists(statePath)) throw new FileNotFoundException($"No trainer state in {dir}: expected {TrainerState.FileName}.", statePath);
        var state = TrainerState.Load(dir);
        if (state.Step < 0) throw new InvalidDataException($"{statePath}: field 'step' is {state.Step}; expected ≥ 0.");
        TrainingStateFiles.LoadOptimizer(optimizer, Path.Combine(dir, TrainingStateFiles.OptimizerFile));
        var rngPath = Path.Combine(dir, RngFile);
        if (File.Exists(rngPath)) TrainingStateFiles.LoadGlobalGenerator(rngPath);
        return new OfflineStateInfo(state.Step, state.Get<int?>("train_size"), state.Get<long>("seed"));
    }
}
