using System.Text.Json;
using System.Text.Json.Nodes;
using Aha.IO;
using Aha.Models;
using Aha.Models.Lora;
using TorchSharp.PyBridge;
using static TorchSharp.torch;

namespace Aha.Checkpoints;

/// <summary>
/// LoRA adapters in PEFT's folder format, so <c>PeftModel.from_pretrained(base, dir)</c> loads what Aha trained and Aha
/// loads what PEFT saved: <c>adapter_config.json</c> (peft_type LORA, r, lora_alpha, lora_dropout, target_modules,
/// task_type, …) and <c>adapter_model.safetensors</c> with PEFT's key names — the model's module path under
/// <c>base_model.model.</c>, then <c>lora_A.weight</c> [r, in] or <c>lora_B.weight</c> [out, r], the adapter name
/// ("default") left out as PEFT's <c>get_peft_model_state_dict</c> does. A scalar-head model also saves its trained
/// <c>score</c> head (PEFT's <c>modules_to_save</c> for SEQ_CLS, saved without the wrapper infix:
/// <c>base_model.model.score.weight</c>). Tensors are float32, in Hugging Face's layout.
/// </summary>
public static class PeftAdapter
{
    public const string ConfigFile = "adapter_config.json";
    public const string WeightsFile = "adapter_model.safetensors";
    const string Prefix = "base_model.model.";
    const string ScoreKey = Prefix + "score.weight";

    /// <summary>Whether <paramref name="dir"/> holds a PEFT adapter (its config file).</summary>
    public static bool IsAdapterFolder(string dir) => File.Exists(Path.Combine(dir, ConfigFile));

    /// <summary>The tensors PEFT would save for <paramref name="model"/>'s adapters, by PEFT key, on the CPU; the caller disposes them.</summary>
    public static Dictionary<string, Tensor> StateDict(nn.Module model)
    {
        var lora = LoraAdapters.Of(model) ?? throw new ArgumentException("The model has no LoRA adapters.", nameof(model));
        var layout = CheckpointLayout.Of(model);
        var state = new Dictionary<string, Tensor>();
        using var _ = torch.no_grad();
        foreach (var a in lora.Adapters)
        {
            using var scope = torch.NewDisposeScope();
            var b = a.B.detach().to(ScalarType.Float32, CPU);
            state[Prefix + a.Name + ".lora_A.weight"] = a.A.detach().to(ScalarType.Float32, CPU).contiguous().MoveToOuterDisposeScope();
            state[Prefix + a.Name + ".lora_B.weight"] = (layout?.ToCheckpoint(a.Name + ".weight", b) ?? b).contiguous().MoveToOuterDisposeScope();
        }
        if (model is ScalarHeadModel head)
            state[ScoreKey] = head.get_parameter("score.weight")!.detach().to(ScalarType.Float32, CPU).contiguous();
        return state;
    }

    /// <summary>
    /// Writes <c>adapter_config.json</c> and <c>adapter_model.safetensors</c> of <paramref name="model"/>'s adapters into
    /// <paramref name="dir"/> (created if missing), each file to a temporary name first and then renamed.
    /// </summary>
    /// <param name="baseModel">base_model_name_or_path: the base model's folder or hub id; null when it has none (a random init).</param>
    public static void Save(nn.Module model, string dir, string? baseModel)
    {
        var lora = LoraAdapters.Of(model) ?? throw new ArgumentException("The model has no LoRA adapters.", nameof(model));
        Directory.CreateDirectory(dir);
        var state = StateDict(model);
        try { AtomicFile.Write(Path.Combine(dir, WeightsFile), s => Safetensors.SaveStateDict(s, state, leaveOpen: true)); }
        finally { foreach (var t in state.Values) t.Dispose(); }
        AtomicFile.WriteText(Path.Combine(dir, ConfigFile), ConfigJson(lora.Config, baseModel, model is ScalarHeadModel));
    }

    /// <summary>
    /// adapter_config.json as PEFT writes it (its LoraConfig fields with their defaults; target_modules expanded to the
    /// adapted names, as PEFT stores them after resolving <c>all-linear</c>).
    /// </summary>
    public static string ConfigJson(LoraConfig config, string? baseModel, bool sequenceClassification = false)
    {
        var json = new JsonObject
        {
            ["alpha_pattern"] = new JsonObject(),
            ["auto_mapping"] = null,
            ["base_model_name_or_path"] = baseModel,
            ["bias"] = "none",
            ["fan_in_fan_out"] = false,
            ["inference_mode"] = true,
            ["init_lora_weights"] = true,
            ["layers_pattern"] = null,
            ["layers_to_transform"] = null,
            ["lora_alpha"] = config.Alpha,
            ["lora_dropout"] = config.Dropout,
            ["modules_to_save"] = sequenceClassification ? new JsonArray("score") : null,
            ["peft_type"] = "LORA",
            ["r"] = config.R,
            ["rank_pattern"] = new JsonObject(),
            ["revision"] = null,
            ["target_modules"] = new JsonArray(config.ResolvedTargets.Select(t => (JsonNode)t).ToArray()),
            ["task_type"] = sequenceClassification ? "SEQ_CLS" : "CAUSAL_LM",
            ["use_dora"] = false,
            ["use_rslora"] = config.UseRslora,
        };
        return json.ToJsonString(new JsonSerializerOptions { WriteIndented = true }) + "\n";
    }

    /// <summary>
    /// Reads <c>adapter_config.json</c> into a <see cref="LoraConfig"/>. PEFT options Aha does not implement (DoRA, bias
    /// other than "none", fan_in_fan_out, per-layer rank/alpha patterns, layers_to_transform, regex target_modules)
    /// are errors naming the file and field.
    /// </summary>
    /// <exception cref="InvalidDataException">Missing or invalid file or field.</exception>
    public static LoraConfig ReadConfig(string dir)
    {
        var path = Path.Combine(dir, ConfigFile);
        if (!File.Exists(path)) throw new FileNotFoundException($"{path}: not found; a PEFT adapter folder holds {ConfigFile} and {WeightsFile}.", path);
        JsonObject json;
        try { json = JsonNode.Parse(File.ReadAllText(path))?.AsObject() ?? throw new InvalidDataException($"{path}: expected a JSON object."); }
        catch (JsonException e) { throw new InvalidDataException($"{path}: invalid JSON at {Aha.Data.JsonErrors.Describe(e)}", e); }
        catch (InvalidOperationException) { throw new InvalidDataException($"{path}: expected a JSON object."); }

        string? Text(string field) => json[field] is JsonValue v && v.TryGetValue(out string? s) ? s : null;
        InvalidDataException Bad(string field, string expected) =>
            new($"{path}: field '{field}' is {json[field]?.ToJsonString() ?? "missing"}; expected {expected}.");
        if (Text("peft_type") != "LORA") throw Bad("peft_type", "\"LORA\"");
        if (json["r"] is not JsonValue rv || !rv.TryGetValue(out int r)) throw Bad("r", "an integer rank");
        double alpha = json["lora_alpha"] is null ? 8 : Number("lora_alpha");
        double dropout = json["lora_dropout"] is null ? 0 : Number("lora_dropout");
        if (Text("bias") is { } bias && bias != "none") throw Bad("bias", "\"none\" (trained biases are not supported)");
        if (Flag("fan_in_fan_out")) throw Bad("fan_in_fan_out", "false (Llama/Qwen linear layers store [out, in])");
        if (Flag("use_dora")) throw Bad("use_dora", "false (DoRA is not supported)");
        foreach (var field in new[] { "rank_pattern", "alpha_pattern" })
            if (json[field] is JsonObject { Count: > 0 }) throw Bad(field, "{} (per-layer ranks are not supported)");
        if (json["layers_to_transform"] is not null) throw Bad("layers_to_transform", "null (every layer adapted)");
        IReadOnlyList<string> targets = json["target_modules"] switch
        {
            JsonArray a => a.Select(n => n is JsonValue v && v.TryGetValue(out string? s) ? s : throw Bad("target_modules", "a list of module names")).ToList(),
            JsonValue v when v.TryGetValue(out string? s) && s == LoraConfig.AllLinear => [s],
            _ => throw Bad("target_modules", $"a list of module names or \"{LoraConfig.AllLinear}\" (regular expressions are not supported)"),
        };
        var config = new LoraConfig { R = r, Alpha = alpha, Dropout = dropout, TargetModules = targets, UseRslora = Flag("use_rslora") };
        if (config.Problems().FirstOrDefault() is { } problem)
            throw new InvalidDataException($"{path}: field '{PeftField(problem.Key)}' is {problem.Value ?? "invalid"}: {problem.Message}");
        return config;

        double Number(string field) => json[field] is JsonValue v && v.TryGetValue(out double d) ? d : throw Bad(field, "a number");
        bool Flag(string field) => json[field] switch
        {
            null => false,
            JsonValue v when v.TryGetValue(out bool b) => b,
            _ => throw Bad(field, "true or false"),
        };
    }

    /// <summary>
    /// Copies an adapter folder's tensors into <paramref name="model"/>'s attached adapters (and a scalar-head model's
    /// score head). Its config must match the attached one (r, alpha, targets), and its tensors must be exactly the ones
    /// the model's adapters have, with their shapes; anything else is an error naming the file and tensor.
    /// </summary>
    public static void Load(nn.Module model, string dir)
    {
        var lora = LoraAdapters.Of(model) ?? throw new ArgumentException("The model has no LoRA adapters to load into.", nameof(model));
        var config = ReadConfig(dir);
        var configPath = Path.Combine(dir, ConfigFile);
        if (config.R != lora.Config.R) throw new InvalidDataException($"{configPath}: field 'r' is {config.R} but the model's adapters have r = {lora.Config.R}.");
        if (config.Scaling != lora.Config.Scaling)
            throw new InvalidDataException($"{configPath}: fields 'lora_alpha'/'use_rslora' give scaling {config.Scaling} but the model's adapters use {lora.Config.Scaling} (lora_alpha {lora.Config.Alpha}).");
        if (!config.ResolvedTargets.SequenceEqual(lora.Config.ResolvedTargets))
            throw new InvalidDataException($"{configPath}: field 'target_modules' is [{string.Join(", ", config.ResolvedTargets)}] but the model's adapters target [{string.Join(", ", lora.Config.ResolvedTargets)}].");

        var file = Path.Combine(dir, WeightsFile);
        if (!File.Exists(file)) throw new FileNotFoundException($"{file}: not found beside {ConfigFile}.", file);
        var entries = SafetensorsHeader.Read(file).ToDictionary(e => e.Name);
        var expected = new Dictionary<string, (Tensor Target, string? LayoutName)>();
        foreach (var a in lora.Adapters)
        {
            expected[Prefix + a.Name + ".lora_A.weight"] = (a.A, null);
            expected[Prefix + a.Name + ".lora_B.weight"] = (a.B, a.Name + ".weight");
        }
        if (model is ScalarHeadModel head) expected[ScoreKey] = (head.get_parameter("score.weight")!, null);
        if (entries.Keys.FirstOrDefault(k => !expected.ContainsKey(k)) is { } unknown)
            throw new InvalidDataException($"{file}: tensor '{unknown}' does not belong to an adapter of this model (targets [{string.Join(", ", lora.Config.ResolvedTargets)}], {lora.Adapters.Count / Math.Max(1, lora.Config.ResolvedTargets.Count)} layers).");
        if (expected.Keys.FirstOrDefault(k => !entries.ContainsKey(k)) is { } missing)
            throw new InvalidDataException($"{file}: tensor '{missing}' is missing.");
        foreach (var (name, (target, _)) in expected)
            if (!entries[name].Shape.SequenceEqual(target.shape))
                throw new InvalidDataException($"{file}: tensor '{name}' has shape [{string.Join(", ", entries[name].Shape)}]; this model's adapter expects [{string.Join(", ", target.shape)}].");

        var layout = CheckpointLayout.Of(model);
        Dictionary<string, Tensor> loaded;
        try { loaded = Safetensors.LoadStateDict(file); }
        catch (Exception e) when (e is not OutOfMemoryException) { throw new InvalidDataException($"{file}: cannot read safetensors: {e.Message}", e); }
        try
        {
            using var _ = torch.no_grad();
            foreach (var (name, (target, layoutName)) in expected)
            {
                var source = loaded[name];
                if (layout is not null && layoutName is not null) using (var converted = layout.FromCheckpoint(layoutName, source)) target.copy_(converted);
                else target.copy_(source);
            }
        }
        finally { foreach (var t in loaded.Values) t.Dispose(); }
    }

    /// <summary>Whether the adapter folder's weights include a reward/value model's <c>score</c> head (PEFT task_type SEQ_CLS).</summary>
    public static bool HasScoreHead(string dir)
    {
        var file = Path.Combine(dir, WeightsFile);
        return File.Exists(file) && SafetensorsHeader.Read(file).Any(e => e.Name == ScoreKey);
    }

    static string PeftField(string key) => key switch
    {
        "alpha" => "lora_alpha",
        "dropout" => "lora_dropout",
        _ => key,
    };
}
