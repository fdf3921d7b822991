using System.Diagnostics;
using Aha.Checkpoints;
using Aha.Generation;
using Aha.Generation.Remote;
using Aha.Models;
using Aha.Tests.Training.OnPolicy;
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

    [Fact]
    public void GrpoAgainstAhaServe_InASecondProcess_LearnsTheToyTask_WithTeacherForcedLogProbs()
    {
        // the server starts from the trainer's initial policy (ToyRl.Policy: seed 1) and the toy tokenizer
        var modelDir = _dir["model"];
        using (var initial = ToyRl.Policy())
            HfCheckpoint.Save(initial, initial.Config, modelDir);
        ToyRl.Tokenizer().Save(modelDir);
        using var server = ServeProcess.Start(modelDir);

        using var remote = new RemoteRolloutEngine(new RemoteRolloutOptions
        {
            Endpoints = [server.Address], SyncDir = _dir["sync"], TimeoutSeconds = 120, MaxRetries = 1,
        });
        var checking = new TeacherForcedCheck(remote);
        const int steps = 24, k = 4;
        using var run = ToyRl.Start(ToyRl.Config("grpo"), engine: checking);
        checking.Policy = run.Policy;
        run.Trainer.Train(steps);

        var accuracy = run.Observer.Steps.Select(s => s.Metrics[OnPolicyMetrics.Accuracy]).ToArray();
        output.WriteLine($"remote grpo: {string.Join(" ", accuracy.Select(r => r.ToString("0.00")))}; max |Δ log-prob| {checking.MaxDifference:E2}");
        double first = accuracy.Take(k).Average(), last = accuracy.TakeLast(k).Average();
        Assert.True(last > first + 0.25, $"accuracy of the last {k} steps {last:0.000} should exceed the first {k} steps' {first:0.000} by 0.25 (the LearningTests target)");
        Assert.Equal(steps, checking.Calls);
        Assert.InRange(checking.MaxDifference, 0, 1e-4);
        Assert.Equal(steps - 1, remote.SyncedVersion);          // pushed before every step's generation
        Assert.Equal((steps - 1).ToString(), remote.LastReportedVersion);
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
