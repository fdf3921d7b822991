using Aha.IO;
using System.Text.Json;
using System.Text.Json.Nodes;
using Aha.Models;
using TorchSharp.PyBridge;
using static TorchSharp.torch;

namespace Aha.Checkpoints;

/// <summary>
/// Hugging Face checkpoint folders: <c>config.json</c> + <c>model.safetensors</c>, or a sharded
/// <c>model.safetensors.index.json</c>. Files of any float dtype load into the model's dtype. Saving writes each file
/// to a temporary name first and renames it into place, so a crash never leaves a half-written file.
/// </summary>
public static class HfCheckpoint
{
    public const string ConfigFile = "config.json";
    public const string WeightsFile = "model.safetensors";
    public const string IndexFile = "model.safetensors.index.json";

    /// <summary>Loads a causal LM (config + weights) from a folder.</summary>
    public static CausalLM LoadCausalLM(string dir, Device? device = null, ScalarType dtype = ScalarType.Float32)
    {
        var config = ModelConfig.Load(RequireDir(dir));
        var model = new CausalLM(config, device, dtype);
        LoadWeights(model, dir);
        return model;
    }

    /// <summary>
    /// Loads a scalar-head model. From a causal-LM checkpoint (no <c>score.weight</c>), the backbone is loaded and the
    /// head is initialised N(0, 1/(H+1)) as TRL does for a fresh reward/value head.
    /// </summary>
    public static ScalarHeadModel LoadScalarHeadModel(string dir, Device? device = null, ScalarType dtype = ScalarType.Float32, long seed = 0)
    {
        var config = ModelConfig.Load(RequireDir(dir));
        var model = new ScalarHeadModel(config, device, dtype);
        var missing = LoadWeights(model, dir, allowMissing: name => name == "score.weight");
        if (missing.Contains("score.weight"))
        {
            using var _ = torch.no_grad();
            var head = model.get_parameter("score.weight")!;
            head.normal_(0, 1.0 / Math.Sqrt(config.HiddenSize + 1), new Generator((ulong)seed));
        }
        return model;
    }

    /// <summary>
    /// Copies every parameter of <paramref name="module"/> from the folder's safetensors file(s), converting dtype.
    /// Tensors the module does not have (e.g. <c>lm_head.weight</c> in a tied or scalar-head model) are ignored; tensors
    /// the module holds in another layout are converted into it (<see cref="CheckpointLayout"/>).
    /// </summary>
    /// <returns>Names that were missing and allowed to be.</returns>
    public static IReadOnlyList<string> LoadWeights(nn.Module module, string dir, Func<string, bool>? allowMissing = null)
    {
        var files = WeightFiles(RequireDir(dir));
        var expected = module.named_parameters().ToDictionary(p => p.name, p => p.parameter);
        var layout = CheckpointLayout.Of(module);
        var missing = new List<string>();
        using var _ = torch.no_grad();
        foreach (var (file, names) in files)
        {
            var wanted = names.Where(expected.ContainsKey).ToList();
            if (wanted.Count == 0) continue;
            Dictionary<string, Tensor> loaded;
            try { loaded = Safetensors.LoadStateDict(file, wanted); }
            catch (Exception e) when (e is not OutOfMemoryException)
            { throw new InvalidDataException($"{file}: cannot read safetensors: {e.Message}", e); }
            foreach (var name in wanted)
            {
                if (!loaded.TryGetValue(name, out var source))
                    throw new InvalidDataException($"{file}: tensor '{name}' is listed but could not be read.");
                using (source)
                {
                    var target = expected[name];
                    if (!source.shape.SequenceEqual(target.shape))
                        throw new InvalidDataException($"{file}: tensor '{name}' has shape [{string.Join(", ", source.shape)}]; the model config expects [{string.Join(", ", target.shape)}].");
                    if (layout is null) target.copy_(source);
                    else using (var converted = layout.FromCheckpoint(name, source)) target.copy_(converted);
                }
            }
        }
        var present = files.SelectMany(f => f.Names).ToHashSet();
        foreach (var name in expected.Keys.Where(n => !present.Contains(n)))
        {
            if (allowMissing?.Invoke(name) == true) { missing.Add(name); continue; }
            var where = files.Count == 1 ? files[0].File : Path.Combine(dir, IndexFile);
            throw new InvalidDataException($"{where}: tensor '{name}' is missing (the model config requires it).");
        }
        return missing;
    }

    /// <summary>Saves config.json and model.safetensors (weights converted to <paramref name="dtype"/>) into <paramref name="dir"/>.</summary>
    public static void Save(nn.Module module, ModelConfig config, string dir, ScalarType dtype = ScalarType.Float32)
    {
        Directory.CreateDirectory(dir);
        var state = StateDict(module, dtype);
        try
        {
            AtomicFile.Write(Path.Combine(dir, WeightsFile), stream => Safetensors.SaveStateDict(stream, state, leaveOpen: true));
        }
        finally
        {
            foreach (var t in state.Values) t.Dispose();
        }
        AtomicFile.WriteText(Path.Combine(dir, ConfigFile), config.ToJson(DtypeName(dtype)));
    }

    /// <summary>
    /// The module's parameters as a checkpoint holds them: Hugging Face names and layout (<see cref="CheckpointLayout"/>),
    /// <paramref name="dtype"/>, contiguous, on the CPU — what a weight sync to another engine sends. With LoRA adapters
    /// attached, each adapted weight is merged (W + s·B·A), so the folder computes what the adapted model computes.
    /// The caller disposes them.
    /// </summary>
    public static Dictionary<string, Tensor> StateDict(nn.Module module, ScalarType dtype = ScalarType.Float32)
    {
        var layout = CheckpointLayout.Of(module);
        var adapters = Models.Lora.LoraAdapters.Of(module)?.Adapters.ToDictionary(a => a.Name + ".weight");
        var state = new Dictionary<string, Tensor>();
        using var _ = torch.no_grad();
        foreach (var (name, p) in module.named_parameters())
        {
            using var scope = torch.NewDisposeScope();
            var tensor = adapters is not null && adapters.TryGetValue(name, out var adapter)
                ? (p.detach() + adapter.Delta()).to(dtype, CPU)
                : p.detach().to(dtype, CPU);
            state[name] = (layout?.ToCheckpoint(name, tensor) ?? tensor).contiguous().MoveToOuterDisposeScope();
        }
        return state;
    }

    static string DtypeName(ScalarType dtype) => dtype switch
    {
        ScalarType.Float32 => "float32",
        ScalarType.BFloat16 => "bfloat16",
        ScalarType.Float16 => "float16",
        _ => throw new ArgumentException($"Unsupported checkpoint dtype {dtype}; use float32, bfloat16 or float16.", nameof(dtype)),
    };

    /// <summary>The names of every tensor the folder's checkpoint holds (single file or shards), read from the headers only.</summary>
    /// <exception cref="DirectoryNotFoundException">No such folder.</exception>
    public static IReadOnlyList<string> TensorNames(string dir) => WeightFiles(RequireDir(dir)).SelectMany(f => f.Names).ToList();

    static string RequireDir(string dir)
    {
        if (!Directory.Exists(dir)) throw new DirectoryNotFoundException($"Model folder not found: {dir}");
        return dir;
    }

    /// <summary>(file, tensor names in it) for a single-file or sharded checkpoint.</summary>
    static List<(string File, List<string> Names)> WeightFiles(string dir)
    {
        var index = Path.Combine(dir, IndexFile);
        if (File.Exists(index))
        {
            JsonObject weightMap;
            try
            {
                weightMap = JsonNode.Parse(File.ReadAllText(index))?["weight_map"]?.AsObject()
                    ?? throw new InvalidDataException($"{index}: missing field 'weight_map'.");
            }
            catch (JsonException e) { throw new InvalidDataException($"{index}: invalid JSON at {Aha.Data.JsonErrors.Describe(e)}", e); }
            return weightMap
                .GroupBy(kv => kv.Value?.GetValue<string>() ?? throw new InvalidDataException($"{index}: weight_map['{kv.Key}'] is not a file name."))
                .Select(g =>
                {
                    var file = Path.Combine(dir, g.Key);
                    if (!File.Exists(file)) throw new FileNotFoundException($"{index}: shard '{g.Key}' not found in {dir}.", file);
                    SafetensorsHeader.Read(file); // checks every offset against the shard before anything is read
                    return (file, g.Select(kv => kv.Key).ToList());
                })
                .ToList();
        }
        var single = Path.Combine(dir, WeightsFile);
        if (!File.Exists(single)) throw new FileNotFoundException($"No weights in {dir}: expected {WeightsFile} or {IndexFile}.", single);
        return [(single, SafetensorsHeader.TensorNames(single))];
    }
}
