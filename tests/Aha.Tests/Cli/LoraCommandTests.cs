using System.Text.Json.Nodes;
using Aha.Checkpoints;
using Aha.Cli.Commands;
using Aha.Models;
using Aha.Models.Lora;
using Aha.Training.Runs;
using static TorchSharp.torch;

namespace Aha.Tests.Cli;

/// <summary>LoRA from the command line: the <c>model.lora</c> section and TRL's keys, PEFT folders in runs, <c>aha model merge-lora</c>.</summary>
public sealed class LoraCommandTests : IDisposable
{
    readonly TempDir _dir = new();
    public void Dispose() => _dir.Dispose();

    string Runs => _dir["runs"];

    (int Code, string Output, string Error) Aha(params string[] args) => AhaCli.Run([.. args, "--out", Runs, "--threads", "1"]);

    string SftData() => _dir.File("sft.jsonl", string.Join("\n", Enumerable.Range(0, 6).Select(i =>
        $"{{\"prompt\": \"{i}+1=\", \"completion\": \"{i + 1}\"}}")) + "\n");

    [Fact]
    public void Sft_WithTheLoraSection_CheckpointsAndFinalHoldPeftAdapters_AndMergeReproducesFinal()
    {
        var (code, _, error) = Aha("sft", "--name", "l", "--set", $"data.train={SftData()}", "--set", "trainer.max_steps=2",
            "--set", "trainer.batch_size=2", "--set", "checkpointing.every=1", "--set", "trainer.learning_rate=0.01",
            "--set", "model.lora.r=4", "--set", "model.lora.alpha=8", "--set", "model.lora.target_modules=[q_proj, down_proj]");
        Assert.True(code == 0, error);
        var run = Path.Combine(Runs, "l");
        var checkpoint = Path.Combine(run, "checkpoints", "step-000002");
        Assert.True(File.Exists(Path.Combine(checkpoint, PeftAdapter.WeightsFile)));
        Assert.False(File.Exists(Path.Combine(checkpoint, HfCheckpoint.WeightsFile)));
        var adapter = Path.Combine(run, "final", "adapter");
        var config = JsonNode.Parse(File.ReadAllText(Path.Combine(adapter, PeftAdapter.ConfigFile)))!;
        Assert.Equal(4, (int)config["r"]!);
        Assert.Equal(new[] { "q_proj", "down_proj" }, config["target_modules"]!.AsArray().Select(n => (string)n!));

        // final/ is the merged model; merging final/adapter into the same random base (init: tiny, seed 0) gives it back
        using (var final = HfCheckpoint.LoadCausalLM(Path.Combine(run, "final")))
        {
            var tiny = global::Aha.Training.Runs.RunModels.TinyConfig(final.Config.VocabSize);
            using var basis = new CausalLM(tiny);
            WeightInit.Initialize(basis, tiny.InitializerRange, 0);
            HfCheckpoint.Save(basis, tiny, _dir["base"]);
        }
        var merged = AhaCli.Run("model", "merge-lora", "--base", _dir["base"], "--adapter", adapter, "--out", _dir["merged"]);
        Assert.True(merged.ExitCode == 0, merged.Error);
        Assert.Contains("merged 4 LoRA layers", merged.Output);
        var expected = HfCheckpoint.StateDict(HfCheckpoint.LoadCausalLM(Path.Combine(run, "final")));
        var actual = HfCheckpoint.StateDict(HfCheckpoint.LoadCausalLM(_dir["merged"]));
        foreach (var (name, t) in expected) Assert.True(t.allclose(actual[name], rtol: 0, atol: 1e-6), name);
    }

    [Fact]
    public void TrlKeys_TurnLoraOn_AndUsePeftFalseTurnsItOff()
    {
        var (code, _, error) = Aha("sft", "--name", "trl", "--set", $"data.train={SftData()}", "--set", "max_steps=1",
            "--set", "per_device_train_batch_size=2", "--set", "use_peft=true", "--set", "lora_r=2", "--set", "lora_alpha=4",
            "--set", "lora_dropout=0.05", "--set", "lora_target_modules=[v_proj]");
        Assert.True(code == 0, error);
        var config = JsonNode.Parse(File.ReadAllText(Path.Combine(Runs, "trl", "final", "adapter", PeftAdapter.ConfigFile)))!;
        Assert.Equal((2, 4.0, 0.05, "v_proj"), ((int)config["r"]!, (double)config["lora_alpha"]!, (double)config["lora_dropout"]!, (string)config["target_modules"]![0]!));

        (code, _, error) = Aha("sft", "--name", "off", "--set", $"data.train={SftData()}", "--set", "max_steps=1",
            "--set", "use_peft=false", "--set", "lora_r=2");
        Assert.True(code == 0, error);
        Assert.False(Directory.Exists(Path.Combine(Runs, "off", "final", "adapter")));
    }

    [Fact]
    public void ConfigFile_TrlRecipeKeys_WithAllLinearAsOneString()
    {
        // as a TRL SFT recipe writes them: lora_target_modules: all-linear is one string, not a list
        var config = _dir.File("trl.yaml", $$"""
            data: {train: [{{SftData()}}]}
            max_steps: 1
            use_peft: true
            lora_r: 2
            lora_target_modules: all-linear
            """);
        var (code, _, error) = Aha("sft", "--name", "al", "--config", config);
        Assert.True(code == 0, error);
        var adapter = JsonNode.Parse(File.ReadAllText(Path.Combine(Runs, "al", "final", "adapter", PeftAdapter.ConfigFile)))!;
        Assert.Equal(7, adapter["target_modules"]!.AsArray().Count);
    }

    [Theory]
    [InlineData("model.lora.r=0", "model.lora.r")]
    [InlineData("model.lora.target_modules=[lm_head]", "model.lora.target_modules")]
    [InlineData("lora_dropout=1.5", "model.lora.dropout")]
    public void BadLoraConfig_ExitsTwo_NamingTheKey(string set, string key)
    {
        var (code, _, error) = Aha("sft", "--name", "bad", "--set", $"data.train={SftData()}", "--set", set);
        Assert.Equal(2, code);
        Assert.Contains(key, error);
        Assert.DoesNotContain("   at ", error);
    }

    [Fact]
    public void MergeLora_WithAMismatchedAdapter_ExitsTwo_NamingTheTensor()
    {
        var small = TinyModels.Qwen2();
        using (var m = TinyModels.Build(small))
        {
            global::Aha.Models.Lora.LoraAdapters.Attach(m, new global::Aha.Models.Lora.LoraConfig());
            PeftAdapter.Save(m, _dir["adapter"], null);
        }
        var wide = small with { HiddenSize = 64, HeadDim = 16 };
        using (var m = TinyModels.Build(wide)) HfCheckpoint.Save(m, wide, _dir["base"]);
        var (code, _, error) = AhaCli.Run("model", "merge-lora", "--base", _dir["base"], "--adapter", _dir["adapter"], "--out", _dir["out"]);
        Assert.Equal(2, code);
        Assert.Contains("lora_A.weight' has shape [8, 32]", error);
        Assert.False(Directory.Exists(_dir["out"]));

        (code, _, error) = AhaCli.Run("model", "merge-lora", "--base", _dir["base"], "--adapter", _dir["nothing"], "--out", _dir["out"]);
        Assert.Equal(2, code);
        Assert.Contains("--adapter", error);
    }

    static readonly string[] Lora = ["--set", "model.lora.r=4", "--set", "model.lora.alpha=8", "--set", "model.lora.target_modules=[q_proj, down_proj]"];

    static Tensor Logits(CausalLM model)
    {
        using var _ = no_grad();
        model.eval();
        var ids = tensor(new long[] { 3, 17, 5, 9, 21, 2, 11, 30, 4, 8, 13, 1 }, dtype: ScalarType.Int64).view(2, 6);
        return model.Forward(ids).detach().clone();
    }

    [Fact]
    public void NewRunFromTheAdapter_StartsWithTheSavedAdaptedModel_AndAMismatchIsAConfigError()
    {
        // run A: 2 LoRA steps from the tiny random base; final/ holds the merged model, final/adapter the PEFT adapter
        var (code, _, error) = Aha(["sft", "--name", "a", "--set", $"data.train={SftData()}", "--set", "trainer.max_steps=2",
            "--set", "trainer.batch_size=2", "--set", "trainer.learning_rate=0.05", .. Lora]);
        Assert.True(code == 0, error);
        var finalA = Path.Combine(Runs, "a", "final");
        var adapter = Path.Combine(finalA, RunModels.AdapterDir);
        using var saved = HfCheckpoint.LoadCausalLM(finalA);
        var expected = Logits(saved);

        // the policy a new run builds from the same base and the adapter: base + (alpha/r)·B·A, before any update
        var section = new ModelSection { Lora = new LoraConfig { R = 4, Alpha = 8, TargetModules = ["q_proj", "down_proj"], Adapter = adapter } };
        using (var start = RunModels.Policy(section, RunModels.TinyConfig(saved.Config.VocabSize), CPU))
        {
            var logits = Logits(start);
            Assert.True(logits.allclose(expected, rtol: 0, atol: 1e-5), $"max |Δ| = {(logits - expected).abs().max().item<float>()}");
            using var basis = HfBase(saved.Config.VocabSize);
            Assert.False(logits.allclose(Logits(basis), rtol: 0, atol: 1e-4), "the adapter must change the base's logits");
        }

        // run B through the CLI: one AdamW step moves each weight by about the learning rate (|m̂/√v̂| ≤ 1), so at
        // 1e-12 (0 is refused) the weights it saves are the ones it started from, to far below 1e-5 in the logits
        (code, var output, error) = Aha(["sft", "--name", "b", "--set", $"data.train={SftData()}", "--set", "trainer.max_steps=1",
            "--set", "trainer.batch_size=2", "--set", "trainer.learning_rate=1e-12", "--set", $"model.lora.adapter={adapter}", .. Lora]);
        Assert.True(code == 0, error);
        Assert.Contains("model: init tiny (seed 0)", output);   // the start-up header
        using (var finalB = HfCheckpoint.LoadCausalLM(Path.Combine(Runs, "b", "final")))
        {
            var logits = Logits(finalB);
            Assert.True(logits.allclose(expected, rtol: 0, atol: 1e-5), $"max |Δ| = {(logits - expected).abs().max().item<float>()}");
        }

        // an adapter of another rank is a config error naming the key and the adapter's value; no run folder is made
        (code, _, error) = Aha(["sft", "--name", "c", "--set", $"data.train={SftData()}", "--set", "trainer.max_steps=1",
            "--set", $"model.lora.adapter={adapter}", "--set", "model.lora.r=8", "--set", "model.lora.alpha=8",
            "--set", "model.lora.target_modules=[q_proj, down_proj]"]);
        Assert.Equal(CliRun.UserError, code);
        Assert.Contains("model.lora.r", error);
        Assert.Contains("has r = 4", error);
        Assert.False(Directory.Exists(Path.Combine(Runs, "c")));

        (code, _, error) = Aha(["sft", "--name", "d", "--set", $"data.train={SftData()}", "--set", $"model.lora.adapter={_dir["nowhere"]}", .. Lora]);
        Assert.Equal(CliRun.UserError, code);
        Assert.Contains("model.lora.adapter", error);
        Assert.Contains("not a PEFT adapter folder", error);
    }

    static CausalLM HfBase(int vocab)
    {
        var tiny = RunModels.TinyConfig(vocab);
        var model = new CausalLM(tiny);
        WeightInit.Initialize(model, tiny.InitializerRange, 0);
        return model;
    }
}
