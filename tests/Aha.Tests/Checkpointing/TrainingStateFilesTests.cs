using Aha.Models;
using Aha.Training;
using Aha.Training.Checkpointing;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace Aha.Tests.Checkpointing;

public sealed class TrainingStateFilesTests
{
    private static readonly long[] Ids = [1, 5, 9, 3, 7, 2, 4, 8, 6, 0, 11, 12];

    /// <summary>One AdamW step on next-token cross-entropy over a fixed batch.</summary>
    private static void Step(CausalLM model, AdamW optimizer)
    {
        using var scope = NewDisposeScope();
        var ids = tensor(Ids, dtype: ScalarType.Int64).view(2, 6);                        // [B, T]
        var logits = model.Forward(ids[.., ..^1]);                                          // [B, T−1, V]
        var loss = nn.functional.cross_entropy(logits.reshape(-1, logits.shape[^1]), ids[.., 1..].reshape(-1));
        optimizer.zero_grad();
        loss.backward();
        optimizer.step();
    }

    private static Dictionary<string, Tensor> Snapshot(CausalLM model)
        => model.named_parameters().ToDictionary(p => p.name, p => p.parameter.detach().clone());

    private static void Restore(CausalLM model, Dictionary<string, Tensor> snapshot)
    {
        using var _ = no_grad();
        foreach (var (name, p) in model.named_parameters()) p.copy_(snapshot[name]);
    }

    private static AdamW NewOptimizer(CausalLM model) => OptimizerFactory.AdamW(model.parameters(), lr: 1e-2, weightDecay: 0.1);

    [Fact]
    public void OptimizerRoundTrip_MakesTheNextAdamWStepBitwiseIdentical()
    {
        using var dir = new TempDir();
        var config = TinyModels.Qwen2(tied: false);

        // Uninterrupted: two steps, checkpoint, third step.
        using var a = TinyModels.Build(config, seed: 1);
        using var optA = NewOptimizer(a);
        Step(a, optA);
        Step(a, optA);
        var snapshot = Snapshot(a);
        TrainingStateFiles.SaveOptimizer(optA, dir["optimizer.bin"]);
        Step(a, optA);

        // Resumed: a differently initialised model gets the weights, a fresh optimizer gets the saved state.
        using var b = TinyModels.Build(config, seed: 2);
        Restore(b, snapshot);
        using var optB = NewOptimizer(b);
        TrainingStateFiles.LoadOptimizer(optB, dir["optimizer.bin"]);
        Step(b, optB);

        // Control: without the optimizer state the third step differs (fresh moments, bias correction at t = 1).
        using var c = TinyModels.Build(config, seed: 3);
        Restore(c, snapshot);
        using var optC = NewOptimizer(c);
        Step(c, optC);

        var pa = a.named_parameters().ToDictionary(p => p.name, p => p.parameter);
        foreach (var (name, p) in b.named_parameters())
            Assert.True(pa[name].eq(p).all().item<bool>(), $"{name} differs after resume");
        Assert.Contains(c.named_parameters(), p => !pa[p.name].eq(p.parameter).all().item<bool>());
    }

    [Fact]
    public void LoadOptimizer_IntoADifferentlyShapedOptimizer_NamesTheFile()
    {
        using var dir = new TempDir();
        using var model = TinyModels.Build(TinyModels.Qwen2(), seed: 1);
        using var full = NewOptimizer(model);
        TrainingStateFiles.SaveOptimizer(full, dir["optimizer.bin"]);
        using var partial = OptimizerFactory.AdamW(model.parameters().Where(p => p.dim() >= 2), lr: 1e-2);
        var e = Assert.Throws<InvalidDataException>(() => TrainingStateFiles.LoadOptimizer(partial, dir["optimizer.bin"]));
        Assert.Contains("optimizer.bin", e.Message);
    }

    [Fact]
    public void GeneratorRoundTrip_ReplaysTheSameDraws()
    {
        using var dir = new TempDir();
        using var g = new Generator(1234);
        using var warmup = rand(7, generator: g);
        TrainingStateFiles.SaveGenerator(g, dir["rng.bin"]);
        using var first = rand(16, generator: g);
        using var other = new Generator(99);
        TrainingStateFiles.LoadGenerator(other, dir["rng.bin"]);
        using var replay = rand(16, generator: other);
        Assert.True(first.eq(replay).all().item<bool>());
    }
}

[Collection(SerialCollection.Name)]
public sealed class GlobalGeneratorTests
{
    [Fact]
    public void GlobalGeneratorRoundTrip_ReplaysTheSameDraws()
    {
        using var dir = new TempDir();
        TrainingStateFiles.SaveGlobalGenerator(dir["rng.bin"]);
        using var first = randn(16);
        TrainingStateFiles.LoadGlobalGenerator(dir["rng.bin"]);
        using var replay = randn(16);
        Assert.True(first.eq(replay).all().item<bool>());
    }
}
