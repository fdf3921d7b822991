using System.Text.Json.Nodes;
using Aha.Checkpoints;
using Aha.IO;
using Aha.Models;
using TorchSharp;
using static TorchSharp.torch;

namespace Aha.Tests.Checkpoints;

public sealed class HfCheckpointTests
{
    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public void SaveThenLoad_IsBitExact(bool tied)
    {
        using var dir = new TempDir();
        var config = tied ? TinyModels.Qwen2(tied: true) : TinyModels.Qwen3();
        using var model = TinyModels.Build(config, seed: 7);
        HfCheckpoint.Save(model, config, dir.Path);
        using var loaded = HfCheckpoint.LoadCausalLM(dir.Path);

        var original = model.named_parameters().ToDictionary(p => p.name, p => p.parameter);
        var reloaded = loaded.named_parameters().ToDictionary(p => p.name, p => p.parameter);
        Assert.Equal(original.Keys.OrderBy(k => k), reloaded.Keys.OrderBy(k => k));
        foreach (var (name, p) in original)
            Assert.True(p.eq(reloaded[name]).all().item<bool>(), name);
        Assert.Equal(config.TieWordEmbeddings, !File.ReadAllText(dir["model.safetensors"]).Contains("lm_head.weight"));
    }

    [Fact]
    public void TiedCheckpoint_StaysTiedWhileTraining()
    {
        using var dir = new TempDir();
        var config = TinyModels.Qwen2(tied: true);
        using (var m = TinyModels.Build(config)) HfCheckpoint.Save(m, config, dir.Path);
        using var model = HfCheckpoint.LoadCausalLM(dir.Path);
        var optimizer = torch.optim.AdamW(model.parameters(), lr: 0.05);
        using var ids = torch.tensor(new long[,] { { 1, 2, 3, 4, 5, 6 } });
        for (int step = 0; step < 3; step++)
        {
            using var scope = torch.NewDisposeScope();
            optimizer.zero_grad();
            var logits = model.Forward(ids);
            var loss = nn.functional.cross_entropy(logits[0, ..^1], ids[0, 1..]);
            loss.backward();
            optimizer.step();
        }
        // The head reads the embedding matrix itself: logits at any position = h · Eᵀ with the *current* E.
        using var _ = torch.no_grad();
        var hidden = model.Backbone.Forward(ids);
        var viaEmbedding = hidden.matmul(model.Backbone.EmbeddingWeight.t());
        Assert.True(model.Head(hidden).allclose(viaEmbedding, rtol: 0, atol: 1e-6));
        Assert.DoesNotContain(model.named_parameters(), p => p.name == "lm_head.weight");
    }

    [Fact]
    public void Bf16Save_LoadsIntoFp32Model_WithBf16Rounding()
    {
        using var dir = new TempDir();
        var config = TinyModels.Qwen2();
        using var model = TinyModels.Build(config);
        HfCheckpoint.Save(model, config, dir.Path, ScalarType.BFloat16);
        using var loaded = HfCheckpoint.LoadCausalLM(dir.Path);
        var w = model.get_parameter("model.layers.0.mlp.up_proj.weight")!;
        var l = loaded.get_parameter("model.layers.0.mlp.up_proj.weight")!;
        Assert.Equal(ScalarType.Float32, l.dtype);
        Assert.True(l.eq(w.to_type(ScalarType.BFloat16).to_type(ScalarType.Float32)).all().item<bool>());
        Assert.Contains("\"torch_dtype\": \"bfloat16\"", File.ReadAllText(dir["config.json"]));
    }

    [Fact]
    public void MissingFolder_And_MissingWeights_NameThePath()
    {
        using var dir = new TempDir();
        var e1 = Assert.Throws<DirectoryNotFoundException>(() => HfCheckpoint.LoadCausalLM(dir["nope"]));
        Assert.Contains("nope", e1.Message);
        File.WriteAllText(dir["config.json"], TinyModels.Qwen2().ToJson());
        var e2 = Assert.Throws<FileNotFoundException>(() => HfCheckpoint.LoadCausalLM(dir.Path));
        Assert.Contains("model.safetensors", e2.Message);
    }

    [Fact]
    public void UnknownModelType_IsNamedWithTheFile()
    {
        using var dir = new TempDir();
        var json = JsonNode.Parse(TinyModels.Qwen2().ToJson())!.AsObject();
        json["model_type"] = "gpt2";
        File.WriteAllText(dir["config.json"], json.ToJsonString());
        var e = Assert.Throws<InvalidDataException>(() => ModelConfig.Load(dir.Path));
        Assert.Contains("config.json", e.Message);
        Assert.Contains("'model_type' is 'gpt2'", e.Message);
    }

    [Fact]
    public void WrongTypedField_IsNamed()
    {
        var json = JsonNode.Parse(TinyModels.Qwen2().ToJson())!.AsObject();
        json["hidden_size"] = "big";
        var e = Assert.Throws<InvalidDataException>(() => ModelConfig.FromJson(json, "x/config.json"));
        Assert.Contains("'hidden_size'", e.Message);
        Assert.Contains("integer", e.Message);
    }

    [Fact]
    public void MissingTensor_And_WrongShape_NameFileAndTensor()
    {
        using var dir = new TempDir();
        var config = TinyModels.Qwen2();
        using var model = TinyModels.Build(config);
        HfCheckpoint.Save(model, config, dir.Path);

        // A config with a larger intermediate size: every MLP tensor in the file has the wrong shape.
        File.WriteAllText(dir["config.json"], (config with { IntermediateSize = 64 }).ToJson());
        var shape = Assert.Throws<InvalidDataException>(() => HfCheckpoint.LoadCausalLM(dir.Path));
        Assert.Contains("model.safetensors", shape.Message);
        Assert.Contains("mlp", shape.Message);
        Assert.Contains("[48, 32]", shape.Message);

        // An untied config needs lm_head.weight, which the tied file lacks.
        File.WriteAllText(dir["config.json"], (config with { TieWordEmbeddings = false }).ToJson());
        var missing = Assert.Throws<InvalidDataException>(() => HfCheckpoint.LoadCausalLM(dir.Path));
        Assert.Contains("'lm_head.weight' is missing", missing.Message);
        Assert.Contains("model.safetensors", missing.Message);
    }

    [Fact]
    public void FailedSave_LeavesPreviousCheckpointLoadable()
    {
        using var dir = new TempDir();
        var config = TinyModels.Qwen2();
        using var model = TinyModels.Build(config, seed: 1);
        HfCheckpoint.Save(model, config, dir.Path);
        var before = File.ReadAllBytes(dir["model.safetensors"]);

        Assert.Throws<IOException>(() => AtomicFile.Write(dir["model.safetensors"], s =>
        {
            s.Write(new byte[100]);
            throw new IOException("simulated crash mid-write");
        }));
        Assert.Equal(before, File.ReadAllBytes(dir["model.safetensors"]));
        Assert.Equal(["config.json", "model.safetensors"], Directory.GetFiles(dir.Path).Select(Path.GetFileName).Order());
        using var reloaded = HfCheckpoint.LoadCausalLM(dir.Path);
    }

    [Fact]
    public void ScalarHead_FromCausalCheckpoint_LoadsBackbone_AndInitialisesHead()
    {
        using var dir = new TempDir();
        var config = TinyModels.Qwen3();
        using var lm = TinyModels.Build(config);
        HfCheckpoint.Save(lm, config, dir.Path);
        using var rm = HfCheckpoint.LoadScalarHeadModel(dir.Path);
        Assert.True(rm.Backbone.EmbeddingWeight.eq(lm.Backbone.EmbeddingWeight).all().item<bool>());
        Assert.True(rm.get_parameter("score.weight")!.abs().sum().item<float>() > 0);
    }
}
