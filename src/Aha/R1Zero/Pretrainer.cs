using System.Diagnostics;
using Aha.Configuration;
using Aha.Data;
using Aha.Models;
using Aha.Tokenization;
using Aha.Training;
using TorchSharp;
using static TorchSharp.torch;

namespace Aha.R1Zero;

/// <summary>Settings of <see cref="Pretrainer"/> (<c>aha r1zero</c>'s <c>pretrain:</c> section); the seed is the run's.</summary>
public sealed record PretrainOptions : IValidatableConfig
{
    /// <summary>Most optimizer steps; 0 skips pretraining. The default value is 1200.</summary>
    public int MaxSteps { get; init; } = 1200;

    /// <summary>Stop early once this much wall time has passed (0 = no limit; a limit makes the run depend on the machine's speed). The default value is 0.</summary>
    public double MaxSeconds { get; init; }

    /// <summary>Sequences per step. The default value is 64.</summary>
    public int BatchSize { get; init; } = 64;

    /// <summary>AdamW peak learning rate (warmup then cosine to 10%). The default value is 3e-3.</summary>
    public double LearningRate { get; init; } = 3e-3;

    /// <summary>Linear warmup steps. The default value is 50.</summary>
    public int WarmupSteps { get; init; } = 50;

    /// <summary>AdamW decoupled weight decay on matrices. The default value is 0.01.</summary>
    public double WeightDecay { get; init; } = 0.01;

    /// <summary>Report the loss every this many steps. The default value is 50.</summary>
    public int LogEvery { get; init; } = 50;

    public IEnumerable<ConfigProblem> Problems()
    {
        if (MaxSteps < 0) yield return new ConfigProblem("max_steps", $"must be ≥ 0; 0 skips pretraining (got {MaxSteps}).", MaxSteps);
        if (!(MaxSeconds >= 0)) yield return new ConfigProblem("max_seconds", $"must be ≥ 0; 0 sets no limit (got {MaxSeconds}).", MaxSeconds);
        if (BatchSize < 1) yield return new ConfigProblem("batch_size", $"must be ≥ 1 (got {BatchSize}).", BatchSize);
        if (!(LearningRate > 0) || !double.IsFinite(LearningRate)) yield return new ConfigProblem("learning_rate", $"must be a number > 0 (got {LearningRate}).", LearningRate);
        if (WarmupSteps < 0) yield return new ConfigProblem("warmup_steps", $"must be ≥ 0 (got {WarmupSteps}).", WarmupSteps);
        if (!(WeightDecay >= 0)) yield return new ConfigProblem("weight_decay", $"must be ≥ 0 (got {WeightDecay}).", WeightDecay);
        if (LogEvery < 1) yield return new ConfigProblem("log_every", $"must be ≥ 1 (got {LogEvery}).", LogEvery);
    }
}

/// <summary>What pretraining did.</summary>
public sealed record PretrainResult(int Steps, double Seconds, double FinalLoss, IReadOnlyList<(int Step, double Loss)> LossCurve);

/// <summary>
/// Causal language-model pretraining on the corpus ("web text"): every document is prompt + completion + EOS, and the
/// loss is next-token cross-entropy over every real token (prompt included, as in pretraining; padding ignored),
/// L = −Σ_t m_t log π_θ(x_{t+1} | x_≤t) / Σ_t m_t. AdamW, linear warmup then cosine decay to 10% of the peak, global
/// gradient norm clipped at 1. Batches are drawn with replacement from a seeded stream, so a run is a pure function of
/// the seed and the step count (a time limit can only cut it short).
/// </summary>
public static class Pretrainer
{
    /// <param name="seed">Seed of the batch order.</param>
    /// <param name="cancellationToken">Stops between steps (Ctrl+C, SIGTERM); the result then has fewer than <c>MaxSteps</c> steps.</param>
    public static PretrainResult Train(CausalLM model, ITokenizer tokenizer, IReadOnlyList<CorpusDocument> corpus,
        PretrainOptions options, long seed, Action<int, double>? onLog = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(model);
        ArgumentNullException.ThrowIfNull(tokenizer);
        ArgumentNullException.ThrowIfNull(corpus);
        if (corpus.Count == 0) throw new ArgumentException("The corpus is empty.", nameof(corpus));
        if (options.MaxSteps < 0 || options.BatchSize < 1)
            throw new ArgumentException($"max_steps must be ≥ 0 and batch_size ≥ 1 (got {options.MaxSteps}, {options.BatchSize}).", nameof(options));
        int eos = tokenizer.EosTokenId ?? throw new ArgumentException("Pretraining needs a tokenizer with an EOS token.", nameof(tokenizer));
        var encoded = corpus.Select(d => tokenizer.Encode(d.Prompt + d.Completion).Append(eos).ToArray()).ToArray();
        var device = model.Backbone.EmbeddingWeight.device;
        var parameters = model.parameters().Where(p => p.requires_grad).ToArray();
        using var optimizer = OptimizerFactory.AdamW(parameters, options.LearningRate, options.WeightDecay, beta2: 0.98);
        var schedule = new LrSchedule(options.LearningRate, options.WarmupSteps, Math.Max(options.MaxSteps, options.WarmupSteps + 1), 0.1);
        var rng = new SeededRandom(SeededRandom.Derive(seed, "pretrain"));
        var clock = Stopwatch.StartNew();
        var curve = new List<(int, double)>();
        double lastLoss = double.NaN;
        int step = 0;
        model.train();
        while (step < options.MaxSteps && (options.MaxSeconds <= 0 || clock.Elapsed.TotalSeconds < options.MaxSeconds) && !cancellationToken.IsCancellationRequested)
        {
            using var scope = torch.NewDisposeScope();
            OptimizerFactory.SetLearningRate(optimizer, schedule.At(step));
            var rows = Enumerable.Range(0, options.BatchSize).Select(_ => encoded[rng.Next(encoded.Length)]).ToArray();
            int t = rows.Max(r => r.Length);
            var ids = new long[rows.Length, t];
            var targets = new long[rows.Length, t - 1];
            for (int b = 0; b < rows.Length; b++)
            {
                for (int i = 0; i < t; i++) ids[b, i] = i < rows[b].Length ? rows[b][i] : tokenizer.PadTokenId;
                for (int i = 0; i < t - 1; i++) targets[b, i] = i + 1 < rows[b].Length ? rows[b][i + 1] : -100;
            }
            var input = torch.tensor(ids, device: device);                        // [B, T]; right padding never affects earlier tokens
            var target = torch.tensor(targets, device: device);                   // [B, T-1]
            var logits = model.Forward(input).narrow(1, 0, t - 1);                // [B, T-1, V]
            var loss = nn.functional.cross_entropy(logits.reshape(-1, logits.shape[2]), target.reshape(-1), ignore_index: -100);
            optimizer.zero_grad();
            loss.backward();
            nn.utils.clip_grad_norm_(parameters, 1.0);
            optimizer.step();
            step++;
            if (step % Math.Max(1, options.LogEvery) == 0 || step == options.MaxSteps)
            {
                lastLoss = loss.item<float>();
                curve.Add((step, lastLoss));
                onLog?.Invoke(step, lastLoss);
            }
        }
        model.eval();
        return new PretrainResult(step, clock.Elapsed.TotalSeconds, lastLoss, curve);
    }
}
