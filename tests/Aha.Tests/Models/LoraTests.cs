using Aha.Models;
using Aha.Models.Lora;
using Aha.Training;
using TorchSharp;
using static TorchSharp.torch;

namespace Aha.Tests.Models;

/// <summary>
/// LoRA on the decoder's linear layers: y = W·x + (α/r)·B·A·x with A, B as PEFT initialises them (A ~ U(±1/√in), B = 0),
/// the base frozen, adapters switched off per thread. Expected outputs come from a second model whose weights the test
/// sets to W + (α/r)·B·A itself.
/// </summary>
public sealed class LoraTests
{
    static readonly long[][] Batch = [[1, 5, 9, 3, 7, 2], [4, 4, 8, 12, 0, 6]];

    static Tensor Logits(CausalLM model)
    {
        using var _ = torch.no_grad();
        return model.Forward(torch.tensor(Batch.SelectMany(r => r).ToArray()).view(2, 6));
    }

    /// <summary>Gives every adapter a random B (a fresh one is 0, which would hide a wrong forward).</summary>
    static void Randomize(LoraAdapters lora, long seed = 5)
    {
        var g = new Generator((ulong)seed);
        using var _ = torch.no_grad();
        foreach (var a in lora.Adapters) a.B.normal_(0, 0.3, g);
    }

    public static TheoryData<string, string[]> Models => new()
    {
        { "qwen2", ["q_proj", "v_proj"] },
        { "qwen3", [LoraConfig.AllLinear] },
        { "qwen2-untied", ["k_proj", "o_proj", "gate_proj", "down_proj"] },
    };

    static ModelConfig ConfigOf(string name) => name switch
    {
        "qwen2" => TinyModels.Qwen2(),
        "qwen3" => TinyModels.Qwen3(),
        _ => TinyModels.Qwen2(tied: false),
    };

    [Theory]
    [MemberData(nameof(Models))]
    public void AdaptedForward_EqualsTheModelWithWPlusScaledBA(string family, string[] targets)
    {
        var config = ConfigOf(family);
        using var adapted = TinyModels.Build(config, seed: 3);
        using var expected = TinyModels.Build(config, seed: 3);
        var lora = LoraAdapters.Attach(adapted, new LoraConfig { R = 4, Alpha = 12, TargetModules = targets }, seed: 1);
        Randomize(lora);
        using (torch.no_grad())
            foreach (var a in lora.Adapters)
                expected.get_parameter(a.Name + ".weight")!.add_(a.B.matmul(a.A) * (12.0 / 4)); // W + (α/r)·B·A, both in the model's row order

        var actual = Logits(adapted);
        var reference = Logits(expected);
        Assert.True(actual.allclose(reference, rtol: 0, atol: 1e-5), $"max |Δ| {(actual - reference).abs().max().item<float>()}");
    }

    [Fact]
    public void FreshAdapters_LeaveTheOutputExactlyUnchanged_AndDisabledAdaptersGiveTheBaseExactly()
    {
        using var model = TinyModels.Build(TinyModels.Qwen3(), seed: 2);
        var baseLogits = Logits(model);
        var lora = LoraAdapters.Attach(model, new LoraConfig { TargetModules = [LoraConfig.AllLinear] });
        Assert.True(Logits(model).equal(baseLogits).all().item<bool>(), "B = 0 must add exactly nothing");

        Randomize(lora);
        Assert.False(Logits(model).allclose(baseLogits, rtol: 0, atol: 1e-3), "a random B must change the logits");
        using (lora.Disable())
        {
            using (lora.Disable()) Assert.True(Logits(model).equal(baseLogits).all().item<bool>());
            Assert.True(Logits(model).equal(baseLogits).all().item<bool>(), "nested Disable: still off until the outer one ends");
        }
        Assert.False(Logits(model).allclose(baseLogits, rtol: 0, atol: 1e-3), "adapters back on after Disable ends");
    }

    [Fact]
    public void Disable_IsPerThread_AnotherThreadStillSeesTheAdapters()
    {
        using var model = TinyModels.Build(TinyModels.Qwen2(), seed: 2);
        var baseLogits = Logits(model);
        var lora = LoraAdapters.Attach(model, new LoraConfig());
        Randomize(lora);
        var adapted = Logits(model);
        using (lora.Disable())
        {
            Tensor? other = null;
            var thread = new Thread(() => other = Logits(model));
            thread.Start();
            thread.Join();
            Assert.True(other!.equal(adapted).all().item<bool>(), "the other thread's forward keeps its adapters");
            Assert.True(Logits(model).equal(baseLogits).all().item<bool>());
        }
    }

    [Fact]
    public void Attach_InitialisesAsPeft_FreezesTheBase_AndOnlyAdaptersAreTrainable()
    {
        using var model = TinyModels.Build(TinyModels.Qwen2(), seed: 2);
        var lora = LoraAdapters.Attach(model, new LoraConfig { R = 8, TargetModules = ["q_proj", "v_proj", "down_proj"] }, seed: 4);

        // hand-written from the tiny config: 2 layers × (q_proj, v_proj, down_proj); q: 4 heads × 8, v: 2 × 8, down: 48 → 32
        Assert.Equal(new[]
        {
            "model.layers.0.self_attn.q_proj", "model.layers.0.self_attn.v_proj", "model.layers.0.mlp.down_proj",
            "model.layers.1.self_attn.q_proj", "model.layers.1.self_attn.v_proj", "model.layers.1.mlp.down_proj",
        }, lora.Adapters.Select(a => a.Name));
        var shapes = lora.Adapters.Take(3).Select(a => (a.A.shape, a.B.shape)).ToList();
        Assert.Equal(new long[] { 8, 32 }, shapes[0].Item1); Assert.Equal(new long[] { 32, 8 }, shapes[0].Item2);
        Assert.Equal(new long[] { 8, 32 }, shapes[1].Item1); Assert.Equal(new long[] { 16, 8 }, shapes[1].Item2);
        Assert.Equal(new long[] { 8, 48 }, shapes[2].Item1); Assert.Equal(new long[] { 32, 8 }, shapes[2].Item2);
        foreach (var a in lora.Adapters)
        {
            double bound = 1 / Math.Sqrt(a.A.shape[1]); // kaiming_uniform_(a=√5): √3 · √(2/(1+5)) / √in = 1/√in
            Assert.True(a.A.abs().max().item<float>() <= bound);
            Assert.True(a.A.abs().max().item<float>() > 0.5 * bound, "A is drawn, not zero");
            Assert.Equal(0f, a.B.abs().max().item<float>());
            Assert.True(a.A.requires_grad && a.B.requires_grad);
        }
        Assert.All(model.parameters(), p => Assert.False(p.requires_grad));
        var trainable = TrainableWeights.Of(model);
        Assert.Equal(12, trainable.Length);
        Assert.True(trainable.All(p => lora.Parameters.Any(q => ReferenceEquals(p, q))));
        Assert.Equal(1.0, lora.Adapters[0].Scaling); // α/r with PEFT's defaults α = 8, r = 8
    }

    [Fact]
    public void ScalarHeadModel_KeepsItsScoreHeadTrainable()
    {
        using var model = new ScalarHeadModel(TinyModels.Qwen2());
        WeightInit.Initialize(model, 0.2, 1);
        LoraAdapters.Attach(model, new LoraConfig());
        var trainable = TrainableWeights.Of(model);
        Assert.Equal(1 + 2 * 2 * 2, trainable.Length); // score.weight + (A, B) × (q_proj, v_proj) × 2 layers
        Assert.True(model.get_parameter("score.weight")!.requires_grad);
        Assert.False(model.get_parameter("model.layers.0.self_attn.q_proj.weight")!.requires_grad);
    }

    [Fact]
    public void Dropout_OnlyWhileTraining()
    {
        using var model = TinyModels.Build(TinyModels.Qwen2(), seed: 2);
        var lora = LoraAdapters.Attach(model, new LoraConfig { Dropout = 0.5, TargetModules = [LoraConfig.AllLinear] });
        Randomize(lora);
        model.eval();
        Assert.True(Logits(model).equal(Logits(model)).all().item<bool>(), "eval: deterministic");
        model.train();
        Assert.False(Logits(model).equal(Logits(model)).all().item<bool>(), "train: dropout on the adapter input");
    }

    [Fact]
    public void MergeAndUnload_GivesTheAdaptedLogitsWithoutAdapters()
    {
        using var model = TinyModels.Build(TinyModels.Qwen3(), seed: 2);
        var lora = LoraAdapters.Attach(model, new LoraConfig { R = 2, Alpha = 4, TargetModules = [LoraConfig.AllLinear] });
        Randomize(lora);
        var adapted = Logits(model);
        lora.MergeAndUnload();
        Assert.Null(LoraAdapters.Of(model));
        Assert.True(Logits(model).allclose(adapted, rtol: 0, atol: 1e-5));
    }

    [Theory]
    [InlineData(0, 8, 0.0, "q_proj", "r")]
    [InlineData(8, -1, 0.0, "q_proj", "alpha")]
    [InlineData(8, 8, 1.0, "q_proj", "dropout")]
    [InlineData(8, 8, 0.0, "lm_head", "target_modules")]
    [InlineData(8, 8, 0.0, "query", "target_modules")]
    public void BadConfig_NamesTheKey(int r, double alpha, double dropout, string target, string key)
    {
        var config = new LoraConfig { R = r, Alpha = alpha, Dropout = dropout, TargetModules = [target] };
        var problems = config.Problems().ToList();
        Assert.Single(problems);
        Assert.Equal(key, problems[0].Key);
        using var model = TinyModels.Build(TinyModels.Qwen2());
        var e = Assert.Throws<Aha.Configuration.ConfigException>(() => LoraAdapters.Attach(model, config));
        Assert.Contains(key, e.Message);
        Assert.True(model.parameters().All(p => p.requires_grad), "nothing frozen by a rejected config");
        Assert.Null(LoraAdapters.Of(model));
    }
}
