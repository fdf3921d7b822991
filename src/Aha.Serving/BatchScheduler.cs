using System.Collections.Concurrent;
using Aha.Generation;

namespace Aha.Serving;

/// <summary>The completions of one request, in prompt-major order (prompt p, sample j at p·n + j), and the weights that made them.</summary>
internal sealed record GenerationResult(IReadOnlyList<Completion> Completions, string WeightVersion);

/// <summary>
/// Dynamic batching: requests queue here and one dedicated thread serves them. Each engine call takes the oldest waiting
/// request and fills up to <c>maxBatch</c> rows with it and the next requests that sample alike (same temperature,
/// top-p/k, length, stops and seed — requests without a seed batch together); a request larger than the batch is
/// served over several calls. All TorchSharp work happens on this one thread (TorchSharp scopes, grad mode and its
/// implicit Scalars are per thread), and weight updates run between engine calls once no request is half served, so
/// every request is answered by one set of weights.
/// </summary>
internal sealed class BatchScheduler : IDisposable
{
    readonly ServedModel _model;
    readonly int _maxBatch;
    readonly BlockingCollection<object> _inbox = new();
    readonly Thread _thread;
    readonly List<Job> _pending = [];
    readonly Queue<Update> _updates = new();

    readonly ManualResetEventSlim _started;
    int _submitted;

    /// <param name="startPaused">Hold every request until <see cref="Resume"/> (tests use it to queue requests deterministically).</param>
    public BatchScheduler(ServedModel model, int maxBatch, bool startPaused = false)
    {
        _started = new ManualResetEventSlim(!startPaused);
        _model = model;
        _maxBatch = maxBatch;
        _thread = new Thread(Loop) { IsBackground = true, Name = "aha-serve-engine" };
        _thread.Start();
    }

    /// <summary>Engine calls made so far (a test reads it to see that concurrent requests shared calls).</summary>
    public int EngineCalls => Volatile.Read(ref _engineCalls);

    int _engineCalls;

    /// <summary>Requests submitted so far.</summary>
    public int Submitted => Volatile.Read(ref _submitted);

    /// <summary>Starts serving when the scheduler was created paused.</summary>
    public void Resume() => _started.Set();

    public Task<GenerationResult> Submit(GenerationRequest request)
    {
        var job = new Job(request);
        _inbox.Add(job);
        Interlocked.Increment(ref _submitted);
        return job.Done.Task;
    }

    /// <summary>Loads a checkpoint folder between engine calls; returns the new weight version.</summary>
    public Task<string> UpdateWeights(string dir, string? version)
    {
        var update = new Update(dir, version);
        _inbox.Add(update);
        return update.Done.Task;
    }

    void Loop()
    {
        _started.Wait();
        using var noGrad = torch.no_grad();
        foreach (var first in _inbox.GetConsumingEnumerable())
        {
            Accept(first);
            while (_pending.Count > 0 || _updates.Count > 0)
            {
                while (_inbox.TryTake(out var more)) Accept(more);
                if (_updates.Count > 0 && _pending.All(j => j.NextRow == 0)) ApplyUpdate(_updates.Dequeue());
                else if (_pending.Count > 0) RunBatch();
            }
        }
    }

    void Accept(object item)
    {
        if (item is Job job) _pending.Add(job);
        else _updates.Enqueue((Update)item);
    }

    void ApplyUpdate(Update update)
    {
        try
        {
            _model.LoadWeights(update.Dir, update.Version);
            update.Done.SetResult(_model.WeightVersion);
        }
        catch (Exception e) { update.Done.SetException(e); }
    }

    void RunBatch()
    {
        var head = _pending[0];
        var taken = new List<(Job Job, int Start, int Count)>();
        int rows = 0;
        foreach (var job in _pending)
        {
            if (rows == _maxBatch) break;
            if (job.Key != head.Key) continue;
            int count = Math.Min(job.Rows.Count - job.NextRow, _maxBatch - rows);
            taken.Add((job, job.NextRow, count));
            rows += count;
        }
        var prompts = taken.SelectMany(t => t.Job.Rows.Skip(t.Start).Take(t.Count)).ToList();
        var sampling = head.Request.Sampling with { Seed = head.Request.Seed ?? Random.Shared.NextInt64() };
        IReadOnlyList<Completion> completions;
        try
        {
            using var scope = torch.NewDisposeScope();
            completions = _model.Generate(prompts, sampling);
            Interlocked.Increment(ref _engineCalls);
        }
        catch (Exception e)
        {
            foreach (var (job, _, _) in taken)
            {
                _pending.Remove(job);
                job.Done.TrySetException(e);
            }
            return;
        }
        int offset = 0;
        foreach (var (job, start, count) in taken)
        {
            for (int i = 0; i < count; i++) job.Results[start + i] = completions[offset + i];
            offset += count;
            job.NextRow += count;
            if (job.NextRow == job.Rows.Count)
            {
                _pending.Remove(job);
                job.Done.SetResult(new GenerationResult(job.Results, _model.WeightVersion));
            }
        }
    }

    public void Dispose()
    {
        _inbox.CompleteAdding();
        _started.Set();
        _thread.Join();
        _started.Dispose();
        _inbox.Dispose();
    }

    sealed class Job
    {
        public Job(GenerationRequest request)
        {
            Request = request;
            Rows = request.Prompts.SelectMany(p => Enumerable.Repeat(p, request.N)).ToList();
            Results = new Completion[Rows.Count];
            var s = request.Sampling;
            Key = string.Join("|", s.MaxNewTokens, s.Temperature.ToString("R"), s.TopP.ToString("R"), s.TopK,
                string.Join(",", s.StopTokenIds), string.Join("\u0001", s.StopStrings), request.Seed?.ToString() ?? "-");
        }

        public GenerationRequest Request { get; }
        public List<IReadOnlyList<int>> Rows { get; }
        public Completion[] Results { get; }
        public string Key { get; }
        public int NextRow { get; set; }
        public TaskCompletionSource<GenerationResult> Done { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);
    }

    sealed record Update(string Dir, string? Version)
    {
        public TaskCompletionSource<string> Done { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);
    }
}
