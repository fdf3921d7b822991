using System.Diagnostics;
using Aha.Generation;
using Aha.Models;

namespace Aha.Training.OnPolicy;

/// <summary>
/// One step's rollouts as the trainer receives them: the collected groups with stale ones dropped, the weight version
/// the batch was launched with, and what the trainer spent waiting for it and pushing weights.
/// </summary>
/// <param name="Rollout">The collection; <see cref="RolloutResult.Trained"/> holds only groups within the staleness bound.</param>
/// <param name="StalenessMean">Mean of t − v over the trained samples (t the trainer's step, v the sample's weight version).</param>
/// <param name="StalenessMax">Largest t − v over the trained samples.</param>
/// <param name="DroppedGroups">Groups dropped because t − v exceeded <see cref="RolloutSchedule.MaxStaleness"/>.</param>
/// <param name="WaitSeconds">Trainer wall time until the batch was in hand (all of generation and scoring in sync mode; only the part not hidden behind the previous update when overlapped).</param>
/// <param name="SyncSeconds">Trainer wall time spent pushing weights to the engine before generation.</param>
internal sealed record RolloutBatch(RolloutResult Rollout, double StalenessMean, int StalenessMax, int DroppedGroups,
    double WaitSeconds, double SyncSeconds);

/// <summary>
/// Schedules generation against the optimizer step (<see cref="RolloutSchedule"/>):
/// <list type="bullet">
/// <item><c>sync</c>: push θ_t, collect batch t, return it.</item>
/// <item><c>one_step_off</c>: return batch t (collected while step t − 1 updated, with θ_{t−1}), push θ_t, start
/// collecting batch t + 1 on a background task, and let the trainer update on batch t meanwhile. The push happens while
/// nothing is generating, so batch t + 1 is always sampled with exactly θ_t: deterministic, staleness 1.</item>
/// <item><c>async</c>: a generator thread collects batch j as soon as the pushed version is ≥ j − k; the trainer
/// pushes θ_{t+1} after each update (<see cref="AfterUpdate"/>), which servers apply between requests.</item>
/// </list>
/// Thread safety: the overlapped modes require an engine with its own weights (<see cref="IPolicyWeightSync"/>), so
/// the background work touches the engine, tokenizer, rewards and prompt source — never the policy, which only the
/// trainer thread reads (to push it) and writes. Each batch remembers the prompt position it ended at, so a checkpoint
/// records the position of the first prompt not yet trained on (<see cref="CommittedPromptPosition"/>): a resumed run
/// regenerates what was in flight, with the newer weights.
/// </summary>
internal sealed class RolloutPipeline : IDisposable
{
    readonly RolloutSchedule _schedule;
    readonly RolloutCollector _collector;
    readonly IPolicyWeightSync? _sync;
    readonly IPromptSource _prompts;
    readonly CausalLM _policy;

    Task<Collected>? _pending;          // one_step_off: the next batch, being collected
    Thread? _generator;                 // async
    readonly Queue<Collected> _ready = new();
    readonly object _gate = new();
    long _pushed = -1;                  // async: latest version the engine serves
    bool _stopping;

    /// <summary>A collected batch, the version it was launched with and the prompt position after it (or its failure).</summary>
    sealed record Collected(RolloutResult? Rollout, long Launch, long EndPosition, Exception? Error = null);

    public RolloutPipeline(RolloutSchedule schedule, RolloutCollector collector, IRolloutEngine engine, IPromptSource prompts, CausalLM policy)
    {
        _schedule = schedule;
        _collector = collector;
        _sync = engine as IPolicyWeightSync;
        _prompts = prompts;
        _policy = policy;
        CommittedPromptPosition = prompts.Position;
        CheckEngine(schedule, engine);
    }

    /// <summary>The overlapped modes need an engine with its own weights; the in-process one reads the policy the optimizer writes.</summary>
    public static void CheckEngine(RolloutSchedule schedule, IRolloutEngine? engine)
    {
        if (schedule.Overlapped && engine is not IPolicyWeightSync)
            throw new ArgumentException(
                $"rollout mode {schedule.Mode} overlaps generation with the optimizer step, so the engine must sample from its own copy of the weights " +
                "(an IPolicyWeightSync engine such as RemoteRolloutEngine); the in-process engine samples from the policy being updated. Use sync.", nameof(engine));
    }

    /// <summary>Prompt position after the last batch handed to the trainer: what a checkpoint saves.</summary>
    public long CommittedPromptPosition { get; private set; }

    /// <summary>Whether generation has started ahead of the trainer (a loaded state would no longer match it).</summary>
    public bool Running => _pending is not null || _generator is not null;

    /// <summary>Before loading a checkpoint: nothing may be in flight, or it would be trained on against the loaded state.</summary>
    public void ThrowIfRunning()
    {
        if (Running) throw new InvalidOperationException("Cannot load a trainer state while rollouts for later steps are being generated; load before the first step.");
    }

    /// <summary>After the trainer set the prompt position from a checkpoint.</summary>
    public void Restart()
    {
        ThrowIfRunning();
        CommittedPromptPosition = _prompts.Position;
    }

    /// <summary>Batch for step <paramref name="step"/> (θ_step is the policy now); <paramref name="stepLimit"/>: no batch is started for steps at or beyond it.</summary>
    public RolloutBatch Take(int step, int? stepLimit)
    {
        var wait = Stopwatch.StartNew();
        double sync = 0;
        return _schedule.Mode switch
        {
            RolloutMode.OneStepOff => OneStepOff(step, stepLimit, wait, ref sync),
            RolloutMode.Async => Async(step, wait, ref sync),
            _ => Sync(step, wait, ref sync),
        };
    }

    RolloutBatch Sync(int step, Stopwatch wait, ref double sync)
    {
        sync += Push(step);
        wait.Restart();
        var got = Collect(step, step);
        return Finish(step, got, wait, sync, dropped: 0) ?? throw NothingFresh(step);
    }

    RolloutBatch OneStepOff(int step, int? stepLimit, Stopwatch wait, ref double sync)
    {
        Collected got;
        if (_pending is null)
        {
            sync += Push(step);
            wait.Restart();
            got = Collect(step, step);
        }
        else
        {
            got = _pending.GetAwaiter().GetResult();
            _pending = null;
        }
        double waited = wait.Elapsed.TotalSeconds;
        if (got.Error is not null) Rethrow(got.Error);
        CommittedPromptPosition = got.EndPosition;
        if (stepLimit is not int limit || step + 1 < limit)
        {
            sync += Push(step);                                   // nothing is generating: the next batch sees exactly θ_step
            int next = step + 1;
            _pending = Task.Run(() => Collect(next, step));
        }
        return Finish(step, got, waited, sync, dropped: 0) ?? throw NothingFresh(step);
    }

    RolloutBatch Async(int step, Stopwatch wait, ref double sync)
    {
        if (_generator is null)
        {
            sync += Push(step);
            wait.Restart();
            lock (_gate) _pushed = step;
            int first = step;
            _generator = new Thread(() => Generate(first)) { IsBackground = true, Name = "aha rollout generator" };
            _generator.Start();
        }
        int dropped = 0;
        while (true)
        {
            Collected got;
            lock (_gate)
            {
                while (_ready.Count == 0) Monitor.Wait(_gate);
                got = _ready.Peek();
                if (got.Error is null) _ready.Dequeue(); // a failure stays: the generator has stopped, later calls fail alike
            }
            if (got.Error is not null) Rethrow(got.Error);
            CommittedPromptPosition = got.EndPosition;
            if (Finish(step, got, wait.Elapsed.TotalSeconds, sync, dropped) is { } batch) return batch;
            dropped += got.Rollout!.Trained.Count;              // everything was too stale: take the next batch
        }
    }

    /// <summary>Async mode: the trainer has θ_<paramref name="version"/>; push it and let the generator run further
    /// (not past <paramref name="stepLimit"/>: no step will train on it). Returns seconds spent.</summary>
    public double AfterUpdate(int version, int? stepLimit)
    {
        if (_schedule.Mode != RolloutMode.Async || _generator is null || version >= stepLimit) return 0;
        var clock = Stopwatch.StartNew();
        _sync!.SyncWeights(_policy, version);
        lock (_gate)
        {
            _pushed = version;
            Monitor.PulseAll(_gate);
        }
        return clock.Elapsed.TotalSeconds;
    }

    /// <summary>The async generator: batch j starts once the engine serves a version ≥ j − k, so no batch is staler than k when trained in turn.</summary>
    void Generate(int first)
    {
        for (int j = first; ; j++)
        {
            lock (_gate)
            {
                while (!_stopping && _pushed < j - _schedule.MaxStaleness) Monitor.Wait(_gate);
                if (_stopping) return;
            }
            var got = Collect(j, _sync!.SyncedVersion ?? j);
            lock (_gate)
            {
                _ready.Enqueue(got);
                Monitor.PulseAll(_gate);
                if (got.Error is not null) return;
            }
        }
    }

    Collected Collect(int batchIndex, long launch)
    {
        try
        {
            var rollout = _collector.Collect(batchIndex);
            return new Collected(rollout, launch, _prompts.Position);
        }
        catch (Exception e) { return new Collected(null, launch, -1, e); }
    }

    double Push(int version)
    {
        if (_sync is null || _sync.SyncedVersion == version) return 0;
        var clock = Stopwatch.StartNew();
        _sync.SyncWeights(_policy, version);
        return clock.Elapsed.TotalSeconds;
    }

    RolloutBatch? Finish(int step, Collected got, Stopwatch wait, double sync, int dropped)
    {
        if (got.Error is not null) Rethrow(got.Error);
        CommittedPromptPosition = got.EndPosition;
        return Finish(step, got, wait.Elapsed.TotalSeconds, sync, dropped);
    }

    RolloutBatch? Finish(int step, Collected got, double waited, double sync, int dropped)
    {
        var rollout = got.Rollout!;
        var (kept, stale) = Staleness.DropStale(rollout.Trained, step, _schedule.MaxStaleness, got.Launch);
        if (kept.Count == 0) return null;
        var ages = kept.SelectMany(g => g.Samples).Select(s => step - Staleness.Version(s, got.Launch)).ToArray();
        return new RolloutBatch(rollout with { Trained = kept }, ages.Average(), (int)ages.Max(), dropped + stale, waited, sync);
    }

    static InvalidOperationException NothingFresh(int step) =>
        new($"step {step + 1}: every sampled group was staler than rollout.max_staleness allows.");

    static void Rethrow(Exception e) => System.Runtime.ExceptionServices.ExceptionDispatchInfo.Capture(e).Throw();

    /// <summary>Waits for background generation to end (its result or failure is discarded: no step will use it).</summary>
    public void Dispose()
    {
        try { _pending?.Wait(); }
        catch (AggregateException) { }
        if (_generator is not null)
        {
            lock (_gate)
            {
                _stopping = true;
                Monitor.PulseAll(_gate);
            }
            _generator.Join();
        }
    }
}

/// <summary>Staleness of samples: t − v, the trainer's step minus the weight version that sampled them.</summary>
internal static class Staleness
{
    /// <summary>The version that sampled <paramref name="sample"/>: the engine's stamp, else the version the batch was launched with.</summary>
    public static long Version(RolloutSample sample, long launch) => sample.Completion.WeightVersion ?? launch;

    /// <summary>
    /// Keeps the groups whose every sample has t − v ≤ k; a group goes as a whole, since its baseline needs all of it.
    /// groups: [n groups] → (kept, dropped count).
    /// </summary>
    public static (List<RolloutGroup> Kept, int Dropped) DropStale(IReadOnlyList<RolloutGroup> groups, int step, int maxStaleness, long launch)
    {
        var kept = groups.Where(g => g.Samples.All(s => step - Version(s, launch) <= maxStaleness)).ToList();
        return (kept, groups.Count - kept.Count);
    }
}
