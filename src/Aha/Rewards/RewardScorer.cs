using System.Diagnostics;

namespace Aha.Rewards;

/// <summary>
/// Scores completions with several weighted reward functions, in parallel, each call under a time limit.
/// A call that throws, times out or returns a non-finite value is recorded as a <see cref="RewardFailure"/> (with
/// its sample) and scored <see cref="RewardScorerOptions.FailureScore"/>; the rest of the batch is unaffected.
/// <para>
/// Work runs on dedicated background threads pulling (sample, reward) pairs from a shared counter; a watchdog on
/// the calling thread retires a worker whose call overruns, cancels the token passed to that call, and starts a
/// replacement. .NET cannot abort a thread, so a call that ignores its token keeps running in the background until it
/// returns; its late result is discarded.
/// </para>
/// <para>
/// So that no timed-out call burns a core: every built-in text reward (math, format, think, Countdown, overlong) is
/// linear in its completion by construction (one pass per source, length and digit caps), so it finishes soon after a
/// timeout even on a 10 MB completion; <see cref="MathReward"/> also checks the token between its passes, and the
/// reward-model reward checks it between batches. A custom reward must observe the token itself.
/// </para>
/// </summary>
public sealed class RewardScorer
{
    private const int Pending = 0, Running = 1, Done = 2, TimedOut = 3;

    public RewardScorer(IEnumerable<WeightedReward> rewards, RewardScorerOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(rewards);
        Rewards = rewards.ToArray();
        Options = options ?? new RewardScorerOptions();
        Options.Validate();
        if (Rewards.Count == 0) throw new ArgumentException("At least one reward function is needed.", nameof(rewards));
        var seen = new HashSet<string>();
        foreach (var r in Rewards)
        {
            if (r.Function is null) throw new ArgumentException("A reward function is null.", nameof(rewards));
            if (!double.IsFinite(r.Weight))
                throw new ArgumentException($"Weight of '{r.Function.Name}' must be finite, got {r.Weight}.", nameof(rewards));
            if (!seen.Add(r.Function.Name))
                throw new ArgumentException($"Two reward functions are named '{r.Function.Name}'; each is logged under its name, so names must differ.", nameof(rewards));
        }
    }

    public RewardScorer(params IRewardFunction[] rewards)
        : this(rewards.Select(r => new WeightedReward(r)))
    {
    }

    public IReadOnlyList<WeightedReward> Rewards { get; }

    public RewardScorerOptions Options { get; }

    public SampleReward Score(RewardSample sample) => ScoreBatch([sample]).Samples[0];

    public RewardBatchResult ScoreBatch(IReadOnlyList<RewardSample> samples)
    {
        ArgumentNullException.ThrowIfNull(samples);
        int r = Rewards.Count;
        int n = samples.Count * r;
        var outcomes = new RewardScore[n];
        var errors = new (RewardFailureKind Kind, string Message)?[n];
        if (n > 0) Run(samples, outcomes, errors);

        var failures = new List<RewardFailure>();
        var results = new SampleReward[samples.Count];
        for (int s = 0; s < samples.Count; s++)
        {
            var comps = new ComponentScore[r];
            double total = 0;
            bool any = false;
            for (int k = 0; k < r; k++)
            {
                int idx = s * r + k;
                var (fn, weight) = (Rewards[k].Function, Rewards[k].Weight);
                if (errors[idx] is { } err)
                {
                    var failure = new RewardFailure(s, fn.Name, err.Kind, err.Message, samples[s]);
                    failures.Add(failure);
                    comps[k] = new ComponentScore(fn.Name, weight, Options.FailureScore, null, $"{err.Kind}: {err.Message}", failure);
                    total += weight * Options.FailureScore;
                    any = true;
                    continue;
                }
                var o = outcomes[idx];
                comps[k] = new ComponentScore(fn.Name, weight, o.Value, o.ExtractedAnswer, o.Reason, null);
                if (o.Value is { } v)
                {
                    total += weight * v;
                    any = true;
                }
            }
            results[s] = new SampleReward(total, any, comps);
        }
        if (Options.OnFailure is { } log)
            foreach (var f in failures) log(f);
        return new RewardBatchResult(results, failures);
    }

    private sealed class Worker
    {
        public volatile int Current = -1;
        public long StartTimestamp;
        public volatile bool Retired;
        public readonly CancellationTokenSource Cancellation = new();
    }

    private void Run(IReadOnlyList<RewardSample> samples, RewardScore[] outcomes, (RewardFailureKind, string)?[] errors)
    {
        int r = Rewards.Count;
        int n = outcomes.Length;
        var state = new int[n];
        int next = -1;
        using var remaining = new CountdownEvent(n);

        void Loop(Worker w)
        {
            while (!w.Retired)
            {
                int idx = Interlocked.Increment(ref next);
                if (idx >= n) return;
                var fn = Rewards[idx % r].Function;
                Volatile.Write(ref state[idx], Running);
                Interlocked.Exchange(ref w.StartTimestamp, Stopwatch.GetTimestamp());
                w.Current = idx;
                RewardScore score = default;
                (RewardFailureKind, string)? error = null;
                try
                {
                    score = fn.Score(samples[idx / r], w.Cancellation.Token);
                    if (score.Value is { } v && !double.IsFinite(v))
                        error = (RewardFailureKind.NonFinite, $"returned {v}");
                }
                catch (Exception e)
                {
                    error = (RewardFailureKind.Threw, $"{e.GetType().Name}: {e.Message}");
                }
                w.Current = -1;
                // Only the winner of this exchange writes the result; a call the watchdog already timed out is dropped.
                if (Interlocked.CompareExchange(ref state[idx], Done, Running) == Running)
                {
                    outcomes[idx] = score;
                    errors[idx] = error;
                    remaining.Signal();
                }
                else
                {
                    return; // the watchdog timed this call out and has started a replacement worker
                }
            }
        }

        var workers = new List<Worker>();
        void Start()
        {
            var w = new Worker();
            workers.Add(w);
            new Thread(() => Loop(w)) { IsBackground = true, Name = "aha-reward" }.Start();
        }
        for (int i = 0; i < Math.Min(Options.MaxDegreeOfParallelism, n); i++) Start();

        var timeout = Options.Timeout;
        bool limited = timeout != Timeout.InfiniteTimeSpan;
        var poll = limited
            ? TimeSpan.FromMilliseconds(Math.Clamp(timeout.TotalMilliseconds / 10, 1, 20))
            : Timeout.InfiniteTimeSpan;
        while (!remaining.Wait(poll))
        {
            for (int i = 0; i < workers.Count; i++)
            {
                var w = workers[i];
                if (w.Retired) continue;
                int idx = w.Current;
                if (idx < 0) continue;
                // Read after Current: a newer start time can only make this call look younger, never older.
                long start = Interlocked.Read(ref w.StartTimestamp);
                if (Stopwatch.GetElapsedTime(start) <= timeout) continue;
                if (Interlocked.CompareExchange(ref state[idx], TimedOut, Running) != Running) continue;
                w.Retired = true;
                errors[idx] = (RewardFailureKind.TimedOut, $"took longer than {timeout.TotalSeconds:0.###} s");
                try { w.Cancellation.Cancel(); } catch (AggregateException) { }
                remaining.Signal();
                if (Volatile.Read(ref next) < n - 1) Start();
            }
        }
        foreach (var w in workers)
            if (!w.Retired) w.Cancellation.Dispose();
    }
}
