using System.Text.Json.Nodes;
using Aha.Checkpoints;
using Aha.Models;
using Aha.Models.Lora;
using TorchSharp;
using TorchSharp.PyBridge;
using static TorchSharp.torch;

namespace Aha.Tests.Checkpoints;

/// <summary>
/// The adapter folder against PEFT's documented format. Expected names are written by hand from PEFT's naming:
/// <c>PeftModel</c> wraps the HF model as <c>base_model.model</c> (peft/peft_model.py, LoraModel.model), the adapted
/// Linear keeps its module path and gains <c>lora_A</c>/<c>lora_B</c> sub-layers (peft/tuners/lora/layer.py,
/// <c>update_layer</c>: <c>nn.Linear(in_features, r, bias=False)</c>, <c>nn.Linear(r, out_features, bias=False)</c>), and
/// <c>get_peft_model_state_dict</c> (peft/utils/save_and_load.py) drops the adapter name "default" from the saved keys.
/// </summary>
public sealed class PeftAdapterTests
{
    static readonly long[] Ids = [1, 5, 9, 3, 7, 2, 4, 4, 8, 12, 0, 6];

    static Tensor Logits(CausalLM model)
    {
        using var _ = torch.no_grad();
        return model.Forward(torch.tensor(Ids).view(2, 6));
    }

    static (CausalLM Model, LoraAdapters Lora) Adapted(ModelConfig config, LoraConfig lora, long seed = 3)
    {
        var model = TinyModels.Build(config, seed);
        var adapters = LoraAdapters.Attach(model, lora, seed: 1);
        var g = new Generator(9);
        using var _ = torch.no_grad();
        foreach (var a in adapters.Adapters) a.B.normal_(0, 0.3, g);
        return (model, adapters);
    }

    [Fact]
    public void Save_WritesPeftsFilesKeysShapesDtypesAndConfig()
    {
        using var dir = new TempDir();
        var (model, _) = Adapted(TinyModels.Qwen2(), new LoraConfig { R = 4, Alpha = 16, Dropout = 0.05, TargetModules = ["q_proj", "v_proj"] });
        using var _m = model;
        PeftAdapter.Save(model, dir.Path, "Qwen/Qwen2.5-0.5B");

        Assert.Equal(new[] { "adapter_config.json", "adapter_model.safetensors" }, Directory.GetFiles(dir.Path).Select(Path.GetFileName).Order());
        // tiny Qwen2: hidden 32, 4 query heads and 2 KV heads of 8 → q_proj [32 → 32], v_proj [32 → 16]; r = 4
        var expected = new Dictionary<string, long[]>
        {
            ["base_model.model.model.layers.0.self_attn.q_proj.lora_A.weight"] = [4, 32],
            ["base_model.model.model.layers.0.self_attn.q_proj.lora_B.weight"] = [32, 4],
            ["base_model.model.model.layers.0.self_attn.v_proj.lora_A.weight"] = [4, 32],
            ["base_model.model.model.layers.0.self_attn.v_proj.lora_B.weight"] = [16, 4],
            ["base_model.model.model.layers.1.self_attn.q_proj.lora_A.weight"] = [4, 32],
            ["base_model.model.model.layers.1.self_attn.q_proj.lora_B.weight"] = [32, 4],
            ["base_model.model.model.layers.1.self_attn.v_proj.lora_A.weight"] = [4, 32],
            ["base_model.model.model.layers.1.self_attn.v_proj.lora_B.weight"] = [16, 4],
        };
        var entries = SafetensorsHeader.Read(dir["adapter_model.safetensors"]);
        Assert.Equal(expected.Keys.Order(), entries.Select(e => e.Name).Order());
        foreach (var e in entries)
        {
            Assert.Equal(expected[e.Name], e.Shape);
            Assert.Equal("F32", e.Dtype);
        }

        var config = JsonNode.Parse(File.ReadAllText(dir["adapter_config.json"]))!.AsObject();
        Assert.Equal("LORA", (string?)config["peft_type"]);
        Assert.Equal("CAUSAL_LM", (string?)config["task_type"]);
        Assert.Equal(4, (int)config["r"]!);
        Assert.Equal(16.0, (double)config["lora_alpha"]!);
        Assert.Equal(0.05, (double)config["lora_dropout"]!);
        Assert.Equal(new[] { "q_proj", "v_proj" }, config["target_modules"]!.AsArray().Select(n => (string)n!));
        Assert.Equal("none", (string?)config["bias"]);
        Assert.False((bool)config["fan_in_fan_out"]!);
        Assert.False((bool)config["use_rslora"]!);
        Assert.False((bool)config["use_dora"]!);
        Assert.Equal("Qwen/Qwen2.5-0.5B", (string?)config["base_model_name_or_path"]);
        Assert.Null(config["modules_to_save"]);
    }

    [Fact]
    public void SavedTensors_AreInHuggingFaceLayout_BaseFilePlusScaledBAGivesTheAdaptedLogits()
    {
        // Independent of Aha's merge and loader: W_hf + (α/r)·B_file·A_file computed here from the raw files (PEFT's
        // merge formula, layer.py get_delta_weight), written as an ordinary checkpoint and loaded. If lora_B were saved
        // in the model's interleaved q/k row order, q_proj's and k_proj's merged rows would be scrambled.
        using var dir = new TempDir();
        var config = TinyModels.Qwen3();
        var (model, _) = Adapted(config, new LoraConfig { R = 3, Alpha = 6, TargetModules = [LoraConfig.AllLinear] });
        using var _m = model;
        var adapted = Logits(model);
        using (var plain = TinyModels.Build(config, seed: 3)) HfCheckpoint.Save(plain, config, dir["base"]);
        PeftAdapter.Save(model, dir["adapter"], null);

        var weights = Safetensors.LoadStateDict(Path.Combine(dir["base"], "model.safetensors"));
        var adapter = Safetensors.LoadStateDict(Path.Combine(dir["adapter"], "adapter_model.safetensors"));
        int merged = 0;
        foreach (var name in weights.Keys.ToList())
        {
            var module = "base_model.model." + name[..^".weight".Length];
            if (!adapter.TryGetValue(module + ".lora_A.weight", out var a)) continue;
            weights[name] = weights[name] + adapter[module + ".lora_B.weight"].matmul(a) * (6.0 / 3);
            merged++;
        }
        Assert.Equal(2 * 7, merged);
        Directory.CreateDirectory(dir["merged"]);
        File.Copy(Path.Combine(dir["base"], "config.json"), Path.Combine(dir["merged"], "config.json"));
        Safetensors.SaveStateDict(Path.Combine(dir["merged"], "model.safetensors"), weights.ToDictionary(kv => kv.Key, kv => kv.Value.contiguous()));
        using var reloaded = HfCheckpoint.LoadCausalLM(dir["merged"]);
        Assert.True(Logits(reloaded).allclose(adapted, rtol: 0, atol: 1e-5));
    }

    [Fact]
    public void SaveThenLoad_RoundTripsExactly()
    {
        using var dir = new TempDir();
        var lora = new LoraConfig { R = 4, Alpha = 8, TargetModules = [LoraConfig.AllLinear], UseRslora = true };
        var (model, _) = Adapted(TinyModels.Qwen3(), lora);
        using var _m = model;
        PeftAdapter.Save(model, dir.Path, null);
        Assert.Equal(lora.ResolvedTargets, PeftAdapter.ReadConfig(dir.Path).ResolvedTargets);

        using var fresh = TinyModels.Build(TinyModels.Qwen3(), seed: 3);
        LoraAdapters.Attach(fresh, PeftAdapter.ReadConfig(dir.Path), seed: 42);
        PeftAdapter.Load(fresh, dir.Path);
        Assert.True(Logits(fresh).equal(Logits(model)).all().item<bool>());
    }

    [Fact]
    public void RewardModelAdapter_SavesTheScoreHeadAsPeftsModulesToSave()
    {
        using var dir = new TempDir();
        using var model = new ScalarHeadModel(TinyModels.Qwen2());
        WeightInit.Initialize(model, 0.2, 1);
        LoraAdapters.Attach(model, new LoraConfig());
        PeftAdapter.Save(model, dir.Path, null);
        var names = SafetensorsHeader.TensorNames(dir["adapter_model.safetensors"]);
        Assert.Contains("base_model.model.score.weight", names);
        var config = JsonNode.Parse(File.ReadAllText(dir["adapter_config.json"]))!;
        Assert.Equal("SEQ_CLS", (string?)config["task_type"]);
        Assert.Equal("score", (string?)config["modules_to_save"]![0]);

        using var other = new ScalarHeadModel(TinyModels.Qwen2());
        LoraAdapters.Attach(other, new LoraConfig());
        PeftAdapter.Load(other, dir.Path);
        Assert.True(other.get_parameter("score.weight")!.equal(model.get_parameter("score.weight")!).all().item<bool>());
    }

    [Fact]
    public void Merge_ThenLoad_GivesTheAdaptedLogits_AndKeepsTheTokenizerFiles()
    {
        using var dir = new TempDir();
        var config = TinyModels.Qwen2(tied: false);
        var (model, _) = Adapted(config, new LoraConfig { R = 4, Alpha = 8, TargetModules = ["q_proj", "k_proj", "v_proj", "o_proj", "up_proj"] });
        using var _m = model;
        using (var plain = TinyModels.Build(config, seed: 3)) HfCheckpoint.Save(plain, config, dir["base"]);
        File.WriteAllText(Path.Combine(dir["base"], "tokenizer_config.json"), "{}");
        PeftAdapter.Save(model, dir["adapter"], dir["base"]);

        int layers = LoraMerge.Merge(dir["base"], dir["adapter"], dir["merged"]);

        Assert.Equal(2 * 5, layers);
        using var merged = HfCheckpoint.LoadCausalLM(dir["merged"]);
        Assert.True(Logits(merged).allclose(Logits(model), rtol: 0, atol: 1e-5));
        Assert.True(File.Exists(Path.Combine(dir["merged"], "tokenizer_config.json")));
        Assert.Empty(Directory.GetDirectories(dir.Path, ".tmp-*"));
    }

    [Fact]
    public void Merge_IntoAnExistingFolder_FailsAndWritesNothing()
    {
        using var dir = new TempDir();
        var config = TinyModels.Qwen2();
        var (model, _) = Adapted(config, new LoraConfig());
        using var _m = model;
        HfCheckpoint.Save(model, config, dir["base"]);
        PeftAdapter.Save(model, dir["adapter"], null);
        Directory.CreateDirectory(dir["out"]);
        File.WriteAllText(Path.Combine(dir["out"], "keep.txt"), "mine");
        var e = Assert.Throws<IOException>(() => LoraMerge.Merge(dir["base"], dir["adapter"], dir["out"]));
        Assert.Contains("not empty", e.Message);
        Assert.Equal(new[] { "keep.txt" }, Directory.GetFileSystemEntries(dir["out"]).Select(Path.GetFileName));
    }

    [Fact]
    public void Merge_OnABaseOfOtherShapes_NamesTheTensorAndWritesNothing()
    {
        using var dir = new TempDir();
        var (model, _) = Adapted(TinyModels.Qwen2(), new LoraConfig());
        using var _m = model;
        PeftAdapter.Save(model, dir["adapter"], null);
        var wider = TinyModels.Qwen2() with { HiddenSize = 64, HeadDim = 16 };
        using (var other = TinyModels.Build(wider)) HfCheckpoint.Save(other, wider, dir["base"]);
        var e = Assert.Throws<InvalidDataException>(() => LoraMerge.Merge(dir["base"], dir["adapter"], dir["out"]));
        Assert.Contains("base_model.model.model.layers.0.self_attn.q_proj.lora_A.weight", e.Message);
        Assert.Contains("[8, 32]", e.Message);
        Assert.False(Directory.Exists(dir["out"]));
        Assert.Empty(Directory.GetDirectories(dir.Path, ".tmp-*"));
    }

    public static TheoryData<string, string, string> BadConfigs => new()
    {
        { "\"peft_type\": \"LORA\"", "\"peft_type\": \"IA3\"", "field 'peft_type'" },
        { "\"use_dora\": false", "\"use_dora\": true", "field 'use_dora'" },
        { "\"bias\": \"none\"", "\"bias\": \"all\"", "field 'bias'" },
        { "\"fan_in_fan_out\": false", "\"fan_in_fan_out\": true", "field 'fan_in_fan_out'" },
        { "\"layers_to_transform\": null", "\"layers_to_transform\": [0]", "field 'layers_to_transform'" },
        { "\"rank_pattern\": {}", "\"rank_pattern\": {\"q_proj\": 4}", "field 'rank_pattern'" },
        { "\"r\": 8", "\"r\": 0", "field 'r'" },
        { "\"r\": 8", "\"r\": 4", "field 'r' is 4 but the model's adapters have r = 8" },
    };

    [Theory]
    [MemberData(nameof(BadConfigs))]
    public void Load_WithAnUnsupportedOrMismatchedConfig_NamesTheField(string from, string to, string expected)
    {
        using var dir = new TempDir();
        var (model, _) = Adapted(TinyModels.Qwen2(), new LoraConfig());
        using var _m = model;
        PeftAdapter.Save(model, dir.Path, null);
        var text = File.ReadAllText(dir["adapter_config.json"]);
        Assert.Contains(from, text);
        File.WriteAllText(dir["adapter_config.json"], text.Replace(from, to));
        var e = Assert.Throws<InvalidDataException>(() => PeftAdapter.Load(model, dir.Path));
        Assert.Contains(dir["adapter_config.json"], e.Message);
        Assert.Contains(expected, e.Message);
    }

    [Fact]
    public void Load_RegexTargetModules_OrOtherTargets_AreErrors()
    {
        using var dir = new TempDir();
        var (model, _) = Adapted(TinyModels.Qwen2(), new LoraConfig());
        using var _m = model;
        PeftAdapter.Save(model, dir.Path, null);
        var node = JsonNode.Parse(File.ReadAllText(dir["adapter_config.json"]))!;
        node["target_modules"] = ".*(q|v)_proj";
        File.WriteAllText(dir["adapter_config.json"], node.ToJsonString());
        Assert.Contains("regular expressions are not supported", Assert.Throws<InvalidDataException>(() => PeftAdapter.ReadConfig(dir.Path)).Message);
        node["target_modules"] = new JsonArray("q_proj", "k_proj");
        File.WriteAllText(dir["adapter_config.json"], node.ToJsonString());
        Assert.Contains("field 'target_modules'", Assert.Throws<InvalidDataException>(() => PeftAdapter.Load(model, dir.Path)).Message);
    }

    [Fact]
    public void Load_MissingOrForeignTensors_NameTheTensor()
    {
        using var dir = new TempDir();
        var (model, _) = Adapted(TinyModels.Qwen2(), new LoraConfig());
        using var _m = model;
        PeftAdapter.Save(model, dir.Path, null);
        var file = dir["adapter_model.safetensors"];
        var state = Safetensors.LoadStateDict(file);
        const string Gone = "base_model.model.model.layers.1.self_attn.v_proj.lora_B.weight";
        state.Remove(Gone);
        File.Delete(file);
        Safetensors.SaveStateDict(file, state);
        Assert.Contains($"tensor '{Gone}' is missing", Assert.Throws<InvalidDataException>(() => PeftAdapter.Load(model, dir.Path)).Message);

        state[Gone] = torch.zeros(16, 8);
        state["base_model.model.model.layers.2.self_attn.v_proj.lora_B.weight"] = torch.zeros(16, 8);
        File.Delete(file);
        Safetensors.SaveStateDict(file, state);
        Assert.Contains("tensor 'base_model.model.model.layers.2.self_attn.v_proj.lora_B.weight' does not belong",
            Assert.Throws<InvalidDataException>(() => PeftAdapter.Load(model, dir.Path)).Message);
    }
}
