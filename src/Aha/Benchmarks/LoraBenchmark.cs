using System.Diagnostics;
using Aha.Models;
using Aha.Models.Lora;
using Aha.Training;
using TorchSharp.Modules;
using static TorchSharp.torch;
using static Aha.Benchmarks.Statistics;

namespace Aha.Benchmarks;

/// <summary>The training memory of one side, counted from the tensors (bytes), not read from the process.</summary>
/// <param name="TrainableParameters">parameters the optimizer steps.</param>
/// <param name="WeightBytes">every parameter the forward reads (frozen base + adapters).</param>
/// <param name="GradientBytes">the .grad tensors of the trainable parameters after a step.</param>
/// <param name="OptimizerStateBytes">AdamW's two moments per trainable parameter (2 × 4 bytes each in fp32).</param>
/// <param name="StepSeconds">median of the timed steps.</param>
public sealed record TrainingSideResult(long TrainableParameters, long WeightBytes, long GradientBytes, long OptimizerStateBytes,
    long TotalBytes, double StepSeconds);

/// <param name="Adapters">r, alpha and targets of the adapters.</param>
public sealed record LoraBenchmarkResult(string Model, long Parameters, string Adapters, int Batch, int SequenceLength, int WarmupSteps,
    int Steps, TrainingSideResult Full, TrainingSideResult Lora, double MemoryRatio, double StepTimeRatio);

/// <summary>
/// LoRA against full fine-tuning on the same model and batch: parameter + gradient + AdamW-state bytes counted from the
/// tensors, and step time (forward, backward, clip, AdamW) measured alternately — a full step, then a LoRA step, and so
/// on — so both sides see the same conditions on a shared host. A LoRA step still runs the frozen base's forward and
/// the backward through it for the activations; it saves the weight gradients' matmuls, their memory and the optimizer.
/// </summary>
public static class LoraBenchmark
{
    public static LoraBenchmarkResult Run(string name, ModelConfig config, LoraConfig lora, int batch = 4, int sequenceLength = 128,
        int warmupSteps = 1, int steps = 3, long seed = 0)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(warmupSteps);
        ArgumentOutOfRangeException.ThrowIfLessThan(steps, 1);
        using var model = new CausalLM(config);
        WeightInit.Initialize(model, config.InitializerRange, seed);
        var baseParams = model.parameters().ToArray();
        var fullOptimizer = OptimizerFactory.AdamW(baseParams, lr: 1e-5);
        using var adapters = LoraAdapters.Attach(model, lora, seed);
        var loraParams = adapters.Parameters.ToArray();
        var loraOptimizer = OptimizerFactory.AdamW(loraParams, lr: 1e-4);
        using var ids = torch.randint(config.VocabSize, [batch, sequenceLength + 1], generator: new Generator((ulong)seed));
        model.train();

        double Step(bool full)
        {
            foreach (var p in baseParams) p.requires_grad = full;
            using var off = full ? adapters.Disable() : null;
            var (parameters, optimizer) = full ? (baseParams, fullOptimizer) : (loraParams, loraOptimizer);
            long start = Stopwatch.GetTimestamp();
            using (var scope = torch.NewDisposeScope())
            {
                optimizer.zero_grad();
                var logits = model.Forward(ids.narrow(1, 0, sequenceLength));                              // [B, T, V]
                var loss = nn.functional.cross_entropy(logits.reshape(-1, config.VocabSize), ids.narrow(1, 1, sequenceLength).reshape(-1));
                loss.backward();
                nn.utils.clip_grad_norm_(parameters, 1.0);
                optimizer.step();
            }
            return Stopwatch.GetElapsedTime(start).TotalSeconds;
        }

        for (int i = 0; i < warmupSteps; i++) { Step(full: true); Step(full: false); }
        var fullSeconds = new double[steps];
        var loraSeconds = new double[steps];
        for (int i = 0; i < steps; i++)
        {
            fullSeconds[i] = Step(full: true);
            loraSeconds[i] = Step(full: false);
        }
        long weightBytes = Bytes(baseParams) + Bytes(loraParams);
        var fullSide = Side(baseParams, weightBytes, Median(fullSeconds));
        var loraSide = Side(loraParams, weightBytes, Median(loraSeconds));
        fullOptimizer.Dispose();
        loraOptimizer.Dispose();
        return new LoraBenchmarkResult(name, config.ParameterCount(), $"r={lora.R}, alpha={lora.Alpha}, targets={string.Join(",", lora.ResolvedTargets)}",
            batch, sequenceLength, warmupSteps, steps, fullSide, loraSide,
            (double)loraSide.TotalBytes / fullSide.TotalBytes, loraSide.StepSeconds / fullSide.StepSeconds);
    }

    static TrainingSideResult Side(Parameter[] trainable, long weightBytes, double seconds)
    {
        long count = trainable.Sum(p => p.numel());
        long gradients = 0;
        foreach (var p in trainable)
            using (var g = p.grad)
                if (g is not null) gradients += g.numel() * g.ElementSize;
        long optimizerState = 2 * count * sizeof(float); // exp_avg and exp_avg_sq, fp32, one each per trainable parameter
        return new TrainingSideResult(count, weightBytes, gradients, optimizerState, weightBytes + gradients + optimizerState, seconds);
    }

    static long Bytes(IEnumerable<Parameter> parameters) => parameters.Sum(p => p.numel() * p.ElementSize);
}
