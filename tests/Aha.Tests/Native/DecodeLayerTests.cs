using Aha.Models;
using Aha.Models.Lora;
using Aha.Native;
using TorchSharp;
using static TorchSharp.torch;

namespace Aha.Tests.Native;

/// <summary>
/// The native decode block (Native/Kernels/aha_decode.c) against the same block run op by op by libtorch: decode steps
/// of left-padded batches, hidden states and the KV cache it writes, for each family's variant of the block (Qwen2's
/// qkv bias, Qwen3's q/k norms, Llama's output and MLP biases), every parameter random so that a gain, bias or norm
/// left out shows. Float32 rounding of two blocks differs by ~1e-6 here; a wrong rotation, head group, mask or cache slot
/// by orders of magnitude more.
/// </summary>
public sealed class DecodeLayerTests
{
    public static TheoryData<string> Families => new() { "qwen2", "qwen3", "llama" };

    // Blocks whose gate/up weight (2 048 × 128 = 2¹⁸ floats) the few-row kernel streams, so the native block takes them.
    static ModelConfig Config(string family) => family switch
    {
        "qwen2" => Base(),
        "qwen3" => Base() with { Family = ModelFamily.Qwen3, QkvBias = false, QkNorm = true, TieWordEmbeddings = false },
        "llama" => Base() with { Family = ModelFamily.Llama, QkvBias = true, OutputBias = true, MlpBias = true, TieWordEmbeddings = false },
        _ => throw new ArgumentException(family),
    };

    static ModelConfig Base() => new ModelConfig
    {
        Family = ModelFamily.Qwen2, VocabSize = 96, HiddenSize = 128, IntermediateSize = 2048, NumLayers = 2,
        NumHeads = 4, NumKvHeads = 2, HeadDim = 32, QkvBias = true, TieWordEmbeddings = true, RopeTheta = 10000,
    }.Validate();

    /// <summary>Every parameter random: gains about 1, the rest about 0 — none left at its initial 1 or 0.</summary>
    static CausalLM RandomModel(ModelConfig config, long seed)
    {
        var model = new CausalLM(config);
        var g = new Generator((ulong)seed);
        using var _ = torch.no_grad();
        foreach (var (name, p) in model.named_parameters())
        {
            var noise = torch.randn(p.shape, generator: g);
            p.copy_(name.Contains("norm") ? 1 + 0.3 * noise : 0.1 * noise);
        }
        return model;
    }

    [Theory]
    [MemberData(nameof(Families))]
    public void DecodeSteps_MatchTheBlockOpByOp_HiddenStatesAndCache(string family)
    {
        var config = Config(family);
        using var model = RandomModel(config, seed: 5);
        Assert.True((long)config.IntermediateSize * config.HiddenSize >= FewRowsLinear.MinWeights);
        var backbone = model.Backbone;
        using var _ = torch.no_grad();
        var g = new Generator(11);
        // three rows, left-padded by 0, 2 and 5 positions
        const int batch = 3, prompt = 7, steps = 6;
        var ids = torch.randint(config.VocabSize, [batch, prompt + steps], generator: g);
        var mask = torch.ones(batch, prompt + steps, dtype: ScalarType.Int64);
        mask[1, ..2] = torch.tensor(0L);
        mask[2, ..5] = torch.tensor(0L);
        using var native = model.NewCache(batch, prompt + steps);
        using var opByOp = model.NewCache(batch, prompt + steps);
        backbone.Forward(ids.narrow(1, 0, prompt), mask.narrow(1, 0, prompt), cache: native);
        backbone.Forward(ids.narrow(1, 0, prompt), mask.narrow(1, 0, prompt), cache: opByOp);

        for (int s = 0; s < steps; s++)
        {
            var step = ids.narrow(1, prompt + s, 1);
            var seen = mask.narrow(1, 0, prompt + s + 1);
            var fast = backbone.Forward(step, seen, cache: native);
            Tensor slow;
            DecodeLayer.Enabled = false;
            try { slow = backbone.Forward(step, seen, cache: opByOp); }
            finally { DecodeLayer.Enabled = true; }
            AssertClose(slow, fast, $"{family} step {s} hidden states");
        }
        for (int layer = 0; layer < config.NumLayers; layer++)
        {
            AssertClose(opByOp.KeysOf(layer), native.KeysOf(layer), $"{family} layer {layer} keys");
            AssertClose(opByOp.ValuesOf(layer), native.ValuesOf(layer), $"{family} layer {layer} values");
        }
    }

    [Fact]
    public void Sampling_GivesTheSameCompletionsAsTheBlockOpByOp()
    {
        var config = Config("qwen3");
        using var model = RandomModel(config, seed: 8);
        var engine = new Aha.Generation.LocalRolloutEngine(model);
        var random = new Random(2);
        var prompts = Enumerable.Range(0, 5)
            .Select(i => (IReadOnlyList<int>)Enumerable.Range(0, 3 + i).Select(_ => random.Next(config.VocabSize)).ToArray()).ToArray();
        var sampling = new Aha.Generation.SamplingParams { MaxNewTokens = 10, Temperature = 1.0, Seed = 4 };
        var fast = engine.Generate(prompts, sampling);
        DecodeLayer.Enabled = false;
        IReadOnlyList<Aha.Generation.Completion> slow;
        try { slow = engine.Generate(prompts, sampling); }
        finally { DecodeLayer.Enabled = true; }
        for (int i = 0; i < prompts.Length; i++)
        {
            Assert.Equal(slow[i].TokenIds, fast[i].TokenIds);
            for (int t = 0; t < fast[i].LogProbs.Length; t++)
                Assert.True(Math.Abs(slow[i].LogProbs[t] - fast[i].LogProbs[t]) <= 1e-4, $"row {i} token {t}: {fast[i].LogProbs[t]} vs {slow[i].LogProbs[t]}");
        }
    }

    [Fact]
    public void TakesAFloat32DecodeStep_AndDeclinesTheRest()
    {
        var config = Config("qwen2");
        using var model = RandomModel(config, seed: 1);
        var block = model.Backbone.Block(0);
        var rope = new RotaryEmbedding(config.HeadDim, config.RopeTheta, null);
        RotaryTables Tables(int batch, int t) => rope.Tables(torch.zeros(batch, t, dtype: ScalarType.Int64), ScalarType.Float32);
        Tensor? Step(int batch, int t = 1, bool grad = false, Tensor? x = null)
        {
            using var cache = model.NewCache(batch, 4);
            using var mode = grad ? torch.enable_grad() : torch.no_grad();
            return DecodeLayer.TryForward(block, x ?? torch.randn(batch, t, config.HiddenSize), Tables(batch, t), null, cache);
        }
        Assert.NotNull(Step(1));
        Assert.NotNull(Step(FewRowsLinear.MaxRows));
        Assert.Null(Step(FewRowsLinear.MaxRows + 1));                  // a real matmul: MKL's
        Assert.Null(Step(1, t: 2));                                     // a prefill
        Assert.Null(Step(1, grad: true));                               // autograd must see the block
        Assert.Null(Step(2, x: torch.randn(2, 1, 2 * config.HiddenSize).narrow(2, 0, config.HiddenSize))); // rows apart in memory

        using (var cache = model.NewCache(1, 4))
        using (torch.no_grad())
        {
            var x = torch.randn(1, 1, config.HiddenSize);
            Assert.Null(DecodeLayer.TryForward(block, x, Tables(1, 1), null, null)); // no cache: a full forward
            FewRowsLinear.Enabled = false;
            try { Assert.Null(DecodeLayer.TryForward(block, x, Tables(1, 1), null, cache)); } // the native kernels off
            finally { FewRowsLinear.Enabled = true; }
            using var small = TinyModels.Build(TinyModels.Qwen2());                      // weights that fit in cache
            using var smallCache = small.NewCache(1, 4);
            var smallRope = new RotaryEmbedding(8, 10000, null).Tables(torch.zeros(1, 1, dtype: ScalarType.Int64), ScalarType.Float32);
            Assert.Null(DecodeLayer.TryForward(small.Backbone.Block(0), torch.randn(1, 1, 32), smallRope, null, smallCache));
        }

        LoraAdapters.Attach(model, new LoraConfig { R = 2, Alpha = 4, TargetModules = ["q_proj"] });
        using (var cache = model.NewCache(1, 4))
        using (torch.no_grad())
            Assert.Null(DecodeLayer.TryForward(block, torch.randn(1, 1, config.HiddenSize), Tables(1, 1), null, cache)); // LoRA active
    }

    static void AssertClose(Tensor expected, Tensor actual, string what)
    {
        double worst = ((actual - expected).abs() / (expected.abs() + 1)).max().item<float>();
        Assert.True(worst <= 1e-5, $"{what}: differs by {worst:E2} (relative to |x| + 1)");
    }
}
