using System.Text.Json;
using Aha.Checkpoints;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace Aha.Training.Offline;

/// <summary>Where an offline run stands: optimizer steps done, the training-set size and the shuffle seed.</summary>
public sealed record OfflineStateInfo(int Step, int? TrainSize, long Seed);

/// <summary>
/// Files an offline trainer writes into a checkpoint folder besides the model: <c>trainer_state.json</c> (step,
/// data size, seed), <c>optimizer.bin</c> (TorchSharp <c>save_state_dict</c>: AdamW moments and step counts) and
/// <c>rng_state.bin</c> (torch's default CPU generator). Each file is written atomically; the folder's own
/// mechanics (naming, rotation) belong to the caller.
/// </summary>
public static class OfflineState
{
    public const string StateFile = "trainer_state.json";
    public const string OptimizerFile = "optimizer.bin";
    public const string RngFile = "rng_state.bin";

    public static void Save(string dir, OptimizerHelper optimizer, OfflineStateInfo info)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(dir);
        Directory.CreateDirectory(dir);
        var optimizerPath = Path.Combine(dir, OptimizerFile);
        var temp = Path.Combine(dir, $".{OptimizerFile}.{Guid.NewGuid():N}.tmp");
        try
        {
            optimizer.save_state_dict(temp);
            File.Move(temp, optimizerPath, overwrite: true);
        }
        finally { if (File.Exists(temp)) File.Delete(temp); }

        using (var rng = torch.random.get_rng_state())
        {
            var bytes = rng.data<byte>().ToArray();
            AtomicFile.Write(Path.Combine(dir, RngFile), s => s.Write(bytes));
        }
        AtomicFile.WriteText(Path.Combine(dir, StateFile), JsonSerializer.Serialize(
            new StateJson { step = info.Step, train_size = info.TrainSize, seed = info.Seed }, new JsonSerializerOptions { WriteIndented = true }));
    }

    public static OfflineStateInfo Load(string dir, OptimizerHelper optimizer)
    {
        var statePath = Path.Combine(dir, StateFile);
        if (!File.Exists(statePath)) throw new FileNotFoundException($"No trainer state in {dir}: expected {StateFile}.", statePath);
        StateJson state;
        try
        {
            state = JsonSerializer.Deserialize<StateJson>(File.ReadAllText(statePath))
                ?? throw new InvalidDataException($"{statePath}: empty trainer state.");
        }
        catch (JsonException e) { throw new InvalidDataException($"{statePath}: invalid JSON at line {e.LineNumber + 1}: {e.Message}", e); }
        if (state.step < 0) throw new InvalidDataException($"{statePath}: field 'step' is {state.step}; expected ≥ 0.");

        var optimizerPath = Path.Combine(dir, OptimizerFile);
        if (!File.Exists(optimizerPath)) throw new FileNotFoundException($"No optimizer state in {dir}: expected {OptimizerFile}.", optimizerPath);
        optimizer.load_state_dict(optimizerPath);

        var rngPath = Path.Combine(dir, RngFile);
        if (File.Exists(rngPath))
        {
            using var rng = torch.tensor(File.ReadAllBytes(rngPath), ScalarType.Byte);
            torch.random.set_rng_state(rng);
        }
        return new OfflineStateInfo(state.step, state.train_size, state.seed);
    }

#pragma warning disable IDE1006 // JSON field names are snake_case on disk
    sealed class StateJson
    {
        public int step { get; set; }
        public int? train_size { get; set; }
        public long seed { get; set; }
    }
#pragma warning restore IDE1006
}
