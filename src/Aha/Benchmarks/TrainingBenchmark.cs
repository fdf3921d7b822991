using System.Diagnostics;
using Aha.Models;
using Aha.Native;
using Aha.Training;
using static TorchSharp.torch;
using static Aha.Benchmarks.Statistics;

namespace Aha.Benchmarks;

/// <param name="StepSeconds">median of the timed steps; tokens/s and achieved GFLOP/s derive from it.</param>
/// <param name="MatmulGflops">median of the 1024³ fp32 matmul GFLOP/s measured after each timed step.</param>
/// <param name="MeanStepSeconds">mean of the timed steps, for comparison: on a shared host it carries the spikes.</param>
/// <param name="PageFaultsPerStep">mean minor page faults per timed step (Linux), null elsewhere; see <see cref="Native.RuntimeOptions.RetainFreedMemory"/>.</param>
/// <param name="MedianPageFaultsPerStep">their median: a typical step, without the heap's occasional growth spurts.</param>
/// <param name="RetainsFreedMemory">whether this process kept freed memory (<see cref="AhaRuntime.RetainsFreedMemory"/>).</param>
/// <param name="FusedKernels">whether the steps ran RMSNorm, SwiGLU and attention on the fused native kernels (<see cref="FusedRmsNorm"/>, <see cref="FusedSwiGlu"/>, <see cref="FusedAttention"/>).</param>
/// <param name="LibtorchStepSeconds">with fused kernels, the median of the same steps alternated with them on libtorch's ops instead; null without.</param>
/// <param name="LibtorchFractionOfMatmul">those steps' share of the same matmul ceiling.</param>
/// <param name="MatmulsAloneSeconds">median of the step's matrix products replayed alone after each timed step (<see cref="StepMatmuls"/>).</param>
/// <param name="MatmulsAloneFractionOfMatmul">their GFLOP/s over the same ceiling: what the step would reach if everything but its products were free.</param>
public sealed record TrainingBenchmarkResult(
    long Parameters, int Batch, int SequenceLength, int WarmupSteps, int Steps, double StepSeconds, double MeanStepSeconds,
    double TokensPerSecond, double AchievedGflops, double MatmulGflops, double FractionOfMatmul, double? PageFaultsPerStep,
    double? MedianPageFaultsPerStep, bool RetainsFreedMemory, bool FusedKernels = false, double? LibtorchStepSeconds = null,
    double? LibtorchFractionOfMatmul = null, double MatmulsAloneSeconds = 0, double MatmulsAloneFractionOfMatmul = 0);

/// <summary>
/// Throughput of full training steps (forward, backward, grad clip, the trainers' AdamW) on next-token prediction.
/// Achieved GFLOP/s counts 6·N·tokens per step (Kaplan et al. 2020). PaLM's MFU, which nanoGPT's estimate_mfu follows,
/// adds 12·L·H·Q·T per token for attention's T² work (+7.7 % for Small4M at 128 tokens); this leaves it out, so it
/// understates the work done.
/// Steps are timed after a burn-in (nanoGPT's bench.py does the same): the first steps grow the allocator's heap
/// and fault its pages in — on a VM that makes the first step much slower (docs/performance.md) — and a training run lives in
/// the steady state that follows. Each timed step is followed by a measurement of the matmul ceiling (best of three
/// 1024³ matmuls), so both sides of the ratio are sampled under the same conditions on a host whose speed drifts; the
/// figures are the medians of both series, robust to the occasional step that a shared host slows down. Where the
/// fused RMSNorm, SwiGLU and attention kernels are loaded, each timed step is paired with the same step on libtorch's ops
/// (the libtorch figures), so the two are compared under the same conditions too. After each timed step the step's
/// matrix products also run alone (<see cref="StepMatmuls"/>): how near the ceiling the GEMM library comes at the
/// model's shapes, the bound the whole step sits under.
/// </summary>
public static class TrainingBenchmark
{
    public static TrainingBenchmarkResult Run(ModelConfig config, int batch = 32, int sequenceLength = 128, int warmupSteps = 20, int steps = 20, long seed = 0)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(warmupSteps);
        ArgumentOutOfRangeException.ThrowIfLessThan(steps, 1);
        using var model = new CausalLM(config);
        WeightInit.Initialize(model, config.InitializerRange, seed);
        var optimizer = OptimizerFactory.AdamW(model.parameters(), lr: 1e-4);
        var generator = new Generator((ulong)seed);
        using var ids = torch.randint(config.VocabSize, [batch, sequenceLength + 1], generator: generator);
        using var matmulsAlone = new StepMatmuls(model, (long)batch * sequenceLength);

        void Step()
        {
            using var scope = torch.NewDisposeScope();
            optimizer.zero_grad();
            var logits = model.Forward(ids.narrow(1, 0, sequenceLength));                              // [B, T, V]
            var loss = nn.functional.cross_entropy(logits.reshape(-1, config.VocabSize), ids.narrow(1, 1, sequenceLength).reshape(-1));
            loss.backward();
            nn.utils.clip_grad_norm_(model.parameters(), 1.0);
            optimizer.step();
        }

        // The fused side runs with the kernels on whatever the process's setting; the libtorch side with them off.
        bool fused = FusedRmsNorm.IsAvailable && FusedSwiGlu.IsAvailable && FusedAttention.IsAvailable;
        bool enabledBefore = NativeKernels.FusedEnabled;
        double TimedStep(bool fusedKernels)
        {
            NativeKernels.FusedEnabled = fusedKernels;
            long start = Stopwatch.GetTimestamp();
            try { Step(); }
            finally { NativeKernels.FusedEnabled = enabledBefore; }
            return Stopwatch.GetElapsedTime(start).TotalSeconds;
        }

        model.train();
        for (int i = 0; i < warmupSteps; i++) // the first also allocates the optimizer state
        {
            TimedStep(fused);
            if (fused) TimedStep(false);
        }
        matmulsAlone.Run(); // its first run faults its outputs' pages in
        var seconds = new double[steps];
        var libtorchSeconds = new double[steps];
        var matmuls = new double[steps];
        var alone = new double[steps];
        var faults = new double[steps];
        bool faultsRead = true; // false where the count cannot be read
        for (int i = 0; i < steps; i++)
        {
            long? faultsBefore = PageFaults.Minor();
            seconds[i] = TimedStep(fused);
            long? faultsAfter = PageFaults.Minor();
            if (faultsBefore is null || faultsAfter is null) faultsRead = false;
            else faults[i] = faultsAfter.Value - faultsBefore.Value;
            if (fused) libtorchSeconds[i] = TimedStep(false);
            matmuls[i] = MatmulProbe.Gflops(1024, 1024, 1024, repeats: 3);
            alone[i] = matmulsAlone.Run();
        }
        double stepSeconds = Median(seconds);

        long tokens = (long)batch * sequenceLength;
        long n = config.ParameterCount();
        double achieved = 6.0 * n * tokens / stepSeconds / 1e9;
        double matmul = Median(matmuls);
        return new TrainingBenchmarkResult(n, batch, sequenceLength, warmupSteps, steps, stepSeconds, seconds.Average(),
            tokens / stepSeconds, achieved, matmul, achieved / matmul,
            faultsRead ? faults.Average() : null, faultsRead ? Median(faults) : null, AhaRuntime.RetainsFreedMemory, fused,
            fused ? Median(libtorchSeconds) : null, fused ? 6.0 * n * tokens / Median(libtorchSeconds) / 1e9 / matmul : null,
            Median(alone), matmulsAlone.Flops / Median(alone) / 1e9 / matmul);
    }
}
