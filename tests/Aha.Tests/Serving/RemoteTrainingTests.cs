using System.Diagnostics;
using Aha.Algorithms;
using Aha.Checkpoints;
using Aha.Generation;
using Aha.Generation.Remote;
using Aha.Models;
using Aha.Tests.Training.OnPolicy;
using Aha.Tracking;
using Aha.Training;
using Aha.Training.OnPolicy;
using TorchSharp;
using Xunit.Abstractions;

namespace Aha.Tests.Serving;

/// <summary>
/// Acceptance of decoupled rollouts: `aha serve` runs in a second process on loopback, the trainer samples through
/// <see cref="RemoteRolloutEngine"/> and pushes its weights after every step.
/// </summary>
public sealed class RemoteTrainingTests(ITestOutputHelper output) : IDisposable
{
    readonly TempDir _dir = new();

    public void Dispose() => _dir.Dispose();

    /// <summary>`aha serve` on the trainer's initial policy (ToyRl.Policy: seed 1) and the toy tokenizer.</summary>
    ServeProcess StartServer()
    {
        var modelDir = _dir["model"];
        using (var initial = ToyRl.Policy())
            HfCheckpoint.Save(initial, initial.Config, modelDir);
        ToyRl.Tokenizer().Save(modelDir);
        return ServeProcess.Start(modelDir);
    }

    RemoteRolloutEngine Remote(ServeProcess server) => new(new RemoteRolloutOptions
    {
        Endpoints = [server.Address], SyncDir = _dir["sync"], TimeoutSeconds = 120, MaxRetries = 1,
    });

    [Fact]
    public void GrpoAgainstAhaServe_InASecondProcess_LearnsTheToyTask_WithTeacherForcedLogProbs()
    {
        using var server = StartServer();
        using var remote = Remote(server);
        var checking = new TeacherForcedCheck(remote);
        const int steps = 24, k = 4;
        using var run = ToyRl.Start(ToyRl.Config("grpo"), engine: checking);
        checking.Policy = run.Policy;
        run.Trainer.Train(steps);

        var accuracy = run.Observer.Steps.Select(s => s.Metrics[MetricNames.Accuracy]).ToArray();
        output.WriteLine($"remote grpo: {string.Join(" ", accuracy.Select(r => r.ToString("0.00")))}; max |Δ log-prob| {checking.MaxDifference:E2}");
        double first = accuracy.Take(k).Average(), last = accuracy.TakeLast(k).Average();
        Assert.True(last > first + 0.25, $"accuracy of the last {k} steps {last:0.000} should exceed the first {k} steps' {first:0.000} by 0.25 (the LearningTests target)");
        Assert.Equal(steps, checking.Calls);
        Assert.InRange(checking.MaxDifference, 0, 1e-4);
        Assert.Equal(steps - 1, remote.SyncedVersion);          // pushed before every step's generation
        Assert.Equal((steps - 1).ToString(), remote.LastReportedVersion);
    }

    [Fact]
    public void OneStepOffAgainstAhaServe_LearnsTheToyTask_WithStalenessOne()
    {
        using var server = StartServer();
        using var remote = Remote(server);
        const int steps = 24, k = 4;
        // token-level truncated IS weighs the one-step gap between π_rollout = θ_{t−1} and π_old = θ_t
        var config = ToyRl.Config("grpo") with { RolloutIs = RolloutCorrectionLevel.Token };
        using var run = ToyRl.Start(config, engine: remote, schedule: new RolloutSchedule(RolloutMode.OneStepOff));
        run.Trainer.Train(steps);

        var metrics = run.Observer.Steps.Select(s => s.Metrics).ToArray();
        var accuracy = metrics.Select(m => m[MetricNames.Accuracy]).ToArray();
        output.WriteLine($"one_step_off grpo: {string.Join(" ", accuracy.Select(r => r.ToString("0.00")))}");
        output.WriteLine($"mismatch kl: {string.Join(" ", metrics.Select(m => m[MetricNames.RolloutCorrKl].ToString("E1")))}");
        double first = accuracy.Take(k).Average(), last = accuracy.TakeLast(k).Average();
        Assert.True(last > first + 0.25, $"accuracy of the last {k} steps {last:0.000} should exceed the first {k} steps' {first:0.000} by 0.25 (the LearningTests target)");

        // batch 0 comes from θ_0 before any update; every later batch t from θ_{t−1}, generated during update t − 1
        Assert.Equal([0.0, .. Enumerable.Repeat(1.0, steps - 1)], metrics.Select(m => m[MetricNames.StalenessMax]));
        Assert.Equal([0.0, .. Enumerable.Repeat(1.0, steps - 1)], metrics.Select(m => m[MetricNames.StalenessMean]));
        Assert.All(metrics, m => Assert.Equal(0.0, m[MetricNames.StalenessDroppedGroups]));
        // the mismatch KL is numerics only while sampler and trainer hold the same weights (step 1), a real gap after
        Assert.InRange(Math.Abs(metrics[0][MetricNames.RolloutCorrKl]), 0, 1e-4);
        Assert.Contains(metrics.Skip(1), m => Math.Abs(m[MetricNames.RolloutCorrKl]) > 1e-3);
        foreach (var key in new[] { MetricNames.TimingGen, MetricNames.TimingReward, MetricNames.TimingUpdate, MetricNames.TimingStep, MetricNames.TimingWaitRollout, MetricNames.TimingWeightSync })
            Assert.All(metrics, m => Assert.True(m[key] >= 0, key));
        // θ_t is pushed at step t for batch t + 1; the last step starts no batch, so θ_{steps−2} was the last one served
        Assert.Equal(steps - 2, remote.SyncedVersion);
        Assert.Equal((steps - 2).ToString(), remote.LastReportedVersion);
    }

    [Fact]
    public void AsyncAgainstAhaServe_NeverTrainsOnSamplesStalerThanK()
    {
        using var server = StartServer();
        using var remote = Remote(server);
        const int steps = 8, maxStaleness = 2;
        using var run = ToyRl.Start(ToyRl.Config("grpo"), engine: remote, schedule: new RolloutSchedule(RolloutMode.Async, maxStaleness));
        run.Trainer.Train(steps);

        // which version each batch got depends on timing; the bound does not: batch j starts only once θ_{j−k} is served
        var metrics = run.Observer.Steps.Select(s => s.Metrics).ToArray();
        Assert.Equal(steps, metrics.Length);
        Assert.All(metrics, m => Assert.InRange(m[MetricNames.StalenessMax], 0, maxStaleness));
        Assert.All(metrics, m => Assert.InRange(m[MetricNames.StalenessMean], 0, m[MetricNames.StalenessMax]));
        Assert.Equal(0.0, metrics[0][MetricNames.StalenessMax]);  // nothing older than θ_0 exists
        Assert.All(metrics, m => Assert.Equal(ToyRl.Config("grpo").PromptsPerStep, m[MetricNames.BatchGroups]));
        Assert.Equal(steps - 1, remote.SyncedVersion);                 // θ_1 … θ_{steps−1} pushed after the updates
    }

    [Fact]
    public void OverlappedModes_RefuseTheInProcessEngine()
    {
        var e = Assert.Throws<ArgumentException>(() => ToyRl.Start(ToyRl.Config("grpo"), schedule: new RolloutSchedule(RolloutMode.OneStepOff)));
        Assert.Contains("own copy of the weights", e.Message);
    }

    /// <summary>
    /// Passes generation through and compares every returned log-prob with the trainer's own teacher-forced
    /// computation (<see cref="SequenceBatch.CompletionLogProbs"/>) on the policy whose weights were just pushed.
    /// </summary>
    sealed class TeacherForcedCheck(RemoteRolloutEngine inner) : IRolloutEngine, IPolicyWeightSync
    {
        public CausalLM? Policy { get; set; }
        public double MaxDifference { get; private set; }
        public int Calls { get; private set; }
        public long? SyncedVersion => inner.SyncedVersion;
        public void SyncWeights(CausalLM policy, long version) => inner.SyncWeights(policy, version);

        public IReadOnlyList<Completion> Generate(IReadOnlyList<IReadOnlyList<int>> prompts, SamplingParams sampling)
        {
            var completions = inner.Generate(prompts, sampling);
            Calls++;
            using var scope = torch.NewDisposeScope();
            using var noGrad = torch.no_grad();
            using var batch = SequenceBatch.Create(prompts, completions.Select(c => (IReadOnlyList<int>)c.TokenIds).ToList(), 0);
            var forced = batch.CompletionLogProbs(Policy!, sampling.Temperature).data<float>().ToArray(); // [B, C] row-major
            int width = completions.Max(c => c.TokenIds.Length);
            for (int b = 0; b < completions.Count; b++)
                for (int t = 0; t < completions[b].TokenIds.Length; t++)
                    MaxDifference = Math.Max(MaxDifference, Math.Abs(forced[b * width + t] - completions[b].LogProbs[t]));
            return completions;
        }
    }
}

/// <summary>`aha serve --port 0` in a child process; its address comes from the line it prints when ready.</summary>
internal sealed class ServeProcess : IDisposable
{
    readonly Process _process;

    ServeProcess(Process process, string address)
    {
        _process = process;
        Address = address;
    }

    public string Address { get; }

    public static ServeProcess Start(string modelDir, params string[] extra)
    {
        var start = new ProcessStartInfo(Path.Combine(AppContext.BaseDirectory, "Aha.Cli"),
            ["serve", "--model", modelDir, "--port", "0", "--threads", "1", .. extra])
        {
            RedirectStandardOutput = true, RedirectStandardError = true,
        };
        var process = Process.Start(start)!;
        var stderr = process.StandardError.ReadToEndAsync();
        const string marker = "aha serve: listening on ";
        while (process.StandardOutput.ReadLine() is { } line)
            if (line.StartsWith(marker, StringComparison.Ordinal))
                return new ServeProcess(process, line[marker.Length..].Split(' ')[0]);
        process.WaitForExit();
        throw new InvalidOperationException($"aha serve exited {process.ExitCode} before listening: {stderr.Result}");
    }

    public void Dispose()
    {
        if (!_process.HasExited)
        {
            _process.Kill();
            _process.WaitForExit();
        }
        _process.Dispose();
    }
}
