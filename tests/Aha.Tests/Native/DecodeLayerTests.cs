using Aha.Models;
using Aha.Models.Lora;
using Aha.Native;
using Aha.Tests.Generation;
using TorchSharp;
using static TorchSharp.torch;

namespace Aha.Tests.Native;

/// <summary>
/// The native decode block (Native/Kernels/aha_decode.c) against the same block run op by op by libtorch: decode steps
/// of left-padded batches, hidden states and the KV cache it writes, for each family's variant of the block (Qwen2's
/// qkv bias, Qwen3's q/k norms, Llama's output and MLP biases), every parameter random so that a gain, bias or norm
/// left out shows. Float32 rounding of two blocks differs by ~1e-6 here; a wrong rotation, head group, mask or cache slot
/// by orders of magnitude more. A bfloat16 model's block computes in float32 and rounds only what it stores, where
/// libtorch rounds after every op: the two differ by a few bfloat16 roundings (its unit roundoff is 2⁻⁸ ≈ 0.4 %).
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
        using var _ = torch.no_grad();
        var (native, nativeCache) = Decode(model, nativeBlock: true);
        var (opByOp, opByOpCache) = Decode(model, nativeBlock: false);
        for (int s = 0; s < Steps; s++) AssertClose(opByOp[s], native[s], 1e-5, $"{family} step {s} hidden states");
        for (int layer = 0; layer < config.NumLayers; layer++)
        {
            AssertClose(opByOpCache.KeysOf(layer), nativeCache.KeysOf(layer), 1e-5, $"{family} layer {layer} keys");
            AssertClose(opByOpCache.ValuesOf(layer), nativeCache.ValuesOf(layer), 1e-5, $"{family} layer {layer} values");
        }
        nativeCache.Dispose();
        opByOpCache.Dispose();
    }

    [Theory]
    [MemberData(nameof(Families))]
    public void Bfloat16DecodeSteps_AreAsCloseToFloat32AsTheBlockOpByOp(string family)
    {
        // the same weights three ways: float32 (bfloat16 values, exact in float32) op by op — the reference — and bfloat16
        // op by op and with the native block; the block rounds less often, so it must not be further from the reference
        var config = Config(family);
        using var reference = RandomModel(config, seed: 6);
        using var model = RandomModel(config, seed: 6);
        model.to(ScalarType.BFloat16);
        using var _ = torch.no_grad();
        foreach (var p in reference.parameters()) p.copy_(p.to_type(ScalarType.BFloat16).to_type(ScalarType.Float32));
        var (exact, exactCache) = Decode(reference, nativeBlock: false);
        var (native, nativeCache) = Decode(model, nativeBlock: true);
        var (opByOp, opByOpCache) = Decode(model, nativeBlock: false);
        for (int s = 0; s < Steps; s++)
        {
            double nativeError = Error(exact[s], native[s]), opByOpError = Error(exact[s], opByOp[s]);
            Assert.True(nativeError <= Math.Max(opByOpError, 0.01), $"{family} step {s}: native block {nativeError:E2} from float32, op by op {opByOpError:E2}");
        }
        for (int layer = 0; layer < config.NumLayers; layer++)
            foreach (var (e, n, o, what) in new[]
            {
                (exactCache.KeysOf(layer), nativeCache.KeysOf(layer), opByOpCache.KeysOf(layer), "keys"),
                (exactCache.ValuesOf(layer), nativeCache.ValuesOf(layer), opByOpCache.ValuesOf(layer), "values"),
            })
            {
                double nativeError = Error(e, n), opByOpError = Error(e, o);
                Assert.True(nativeError <= Math.Max(opByOpError, 0.01), $"{family} layer {layer} {what}: native block {nativeError:E2} from float32, op by op {opByOpError:E2}");
            }
        // Layer 0 reads the embedding's bfloat16 rows exactly, so its decode steps' keys and values are the float32
        // reference's to float32 rounding before the block stores them: rounded to nearest, within half a bfloat16 ulp
        // (truncating would leave values up to a whole ulp off).
        foreach (var (e, n) in new[] { (exactCache.KeysOf(0), nativeCache.KeysOf(0)), (exactCache.ValuesOf(0), nativeCache.ValuesOf(0)) })
        {
            var exactSteps = e.narrow(2, Prompt, Steps);
            var storedSteps = n.narrow(2, Prompt, Steps).to_type(ScalarType.Float32);
            var halfUlp = torch.pow(2.0, torch.floor(torch.log2(exactSteps.abs().clamp_min(1e-30))) - 8);
            var excess = (storedSteps - exactSteps).abs() - (halfUlp + 2e-6 * (exactSteps.abs() + 1)); // + float32's differences, which near a tie round either way
            Assert.True(excess.max().item<float>() <= 0, $"{family}: a stored key or value is off by more than half a bfloat16 ulp");
        }
        foreach (var c in new[] { exactCache, nativeCache, opByOpCache }) c.Dispose();
    }

    const int Batch = 3, Prompt = 7, Steps = 6;

    /// <summary>
    /// The final hidden states of <see cref="Steps"/> decode steps after a prefill, the same tokens for every call: three
    /// rows, left-padded by 0, 2 and 5 positions; and the cache they filled.
    /// </summary>
    static (Tensor[] Hidden, KvCache Cache) Decode(CausalLM model, bool nativeBlock)
    {
        var g = new Generator(11);
        var ids = torch.randint(model.Config.VocabSize, [Batch, Prompt + Steps], generator: g);
        var mask = torch.ones(Batch, Prompt + Steps, dtype: ScalarType.Int64);
        mask[1, ..2] = torch.tensor(0L);
        mask[2, ..5] = torch.tensor(0L);
        var cache = model.NewCache(Batch, Prompt + Steps);
        model.Backbone.Forward(ids.narrow(1, 0, Prompt), mask.narrow(1, 0, Prompt), cache: cache);
        var hidden = new Tensor[Steps];
        DecodeLayer.Enabled = nativeBlock;
        try
        {
            for (int s = 0; s < Steps; s++)
                hidden[s] = model.Backbone.Forward(ids.narrow(1, Prompt + s, 1), mask.narrow(1, 0, Prompt + s + 1), cache: cache);
        }
        finally { DecodeLayer.Enabled = true; }
        return (hidden, cache);
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
        CompletionAssert.Same(slow, fast);
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
        Assert.Null(Step(1, x: torch.randn(1, 1, config.HiddenSize, dtype: ScalarType.BFloat16)));          // not the weights' dtype

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

    /// <summary>The largest difference, relative to |expected| + 1.</summary>
    static double Error(Tensor expected, Tensor actual)
    {
        Tensor e = expected.to_type(ScalarType.Float32), a = actual.to_type(ScalarType.Float32);
        return ((a - e).abs() / (e.abs() + 1)).max().item<float>();
    }

    static void AssertClose(Tensor expected, Tensor actual, double tolerance, string what)
    {
        double worst = Error(expected, actual);
        Assert.True(worst <= tolerance, $"{what}: differs by {worst:E2} (relative to |x| + 1)");
    }
}
