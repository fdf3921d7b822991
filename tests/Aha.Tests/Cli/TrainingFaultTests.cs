using System.Diagnostics;
using Aha.Configuration;
using Aha.Tracking;
using Aha.Training.Checkpointing;
using Aha.Training.OnPolicy;
using Aha.Training.Runs;

namespace Aha.Tests.Cli;

/// <summary>
/// Faults during training: a damaged newest checkpoint, a resume from a named checkpoint, two resumes of one run,
/// a checkpoint write that fails, SIGTERM. Each keeps the run resumable and says what happened.
/// </summary>
public sealed class TrainingFaultTests : IDisposable
{
    readonly TempDir _dir = new();
    public void Dispose() => _dir.Dispose();

    string Runs => _dir["runs"];

    static readonly string[] Settings = ["--set", "steps=4", "--set", "checkpointing.every=2", "--set", "checkpointing.keep_last=5",
        "--set", "eval.at_start=false", "--set", "eval.at_end=false", "--threads", "1"];

    (int Code, string Output, string Error) Aha(params string[] args) => AhaCli.Run([.. args, "--out", Runs]);

    static void AssertSameMetrics(string expectedRun, string actualRun)
    {
        var expected = RunFolder.Metrics(expectedRun);
        var actual = RunFolder.Metrics(actualRun);
        Assert.Equal(expected.Select(r => r.Step), actual.Select(r => r.Step));
        foreach (var ((step, e), (_, a)) in expected.Zip(actual))
            foreach (var (name, value) in e.Where(kv => !MetricNames.IsClock(kv.Key)))
                Assert.True(Math.Abs(value - a[name]) <= 1e-5, $"step {step} {name}: resumed {a[name]} vs uninterrupted {value}");
    }

    [Fact]
    public void Resume_PassesOverATruncatedNewestCheckpoint_AndTakesACheckpointFolder()
    {
        Assert.Equal(0, Aha(["grpo", "--name", "whole", .. Settings]).Code);
        Assert.Equal(0, Aha(["grpo", "--name", "cut", .. Settings]).Code);
        var cut = Path.Combine(Runs, "cut");
        var newest = Path.Combine(cut, "checkpoints", "step-000004");
        var optimizer = Path.Combine(newest, "optimizer.bin");
        File.WriteAllBytes(optimizer, File.ReadAllBytes(optimizer)[..100]);                 // a copy cut short
        Directory.Delete(Path.Combine(cut, "final"), recursive: true);

        var (code, _, error) = AhaCli.Run("grpo", "--resume", cut, "--threads", "1");
        Assert.True(code == 0, error);
        var log = File.ReadAllText(Path.Combine(cut, "log.txt"));
        Assert.Contains($"Skipping checkpoint {newest}: {optimizer} has 100 bytes", log);
        Assert.Contains($"Resuming from {Path.Combine(cut, "checkpoints", "step-000002")}", log);
        AssertSameMetrics(Path.Combine(Runs, "whole"), cut);

        // A checkpoint folder names the run and the step to go back to, even when newer ones are intact.
        (code, _, error) = AhaCli.Run("grpo", "--resume", Path.Combine(cut, "checkpoints", "step-000002"), "--threads", "1");
        Assert.True(code == 0, error);
        Assert.Equal(2, File.ReadAllLines(Path.Combine(cut, "log.txt")).Count(l => l.Contains("Resuming from " + Path.Combine(cut, "checkpoints", "step-000002"))));
        AssertSameMetrics(Path.Combine(Runs, "whole"), cut);
    }

    [Fact]
    public void SecondResumeOfARunInUse_FailsClearly_WithoutTouchingTheRun()
    {
        Assert.Equal(0, Aha(["grpo", "--name", "busy", .. Settings, "--set", "steps=2"]).Code);
        var run = Path.Combine(Runs, "busy");
        var config = File.ReadAllText(Path.Combine(run, "resolved_config.yaml"));
        var log = File.ReadAllText(Path.Combine(run, "log.txt"));
        using (RunFolderLock.Acquire(run))                                                    // the first resume, still running
        {
            var (code, _, error) = AhaCli.Run("grpo", "--resume", run, "--threads", "1");
            Assert.NotEqual(0, code);
            Assert.Contains($"run folder '{run}' is in use by another process", error);
            Assert.DoesNotContain("   at ", error);
        }
        Assert.Equal(config, File.ReadAllText(Path.Combine(run, "resolved_config.yaml")));
        Assert.Equal(log, File.ReadAllText(Path.Combine(run, "log.txt")));
    }

    [Fact]
    public void CheckpointWriteThatFails_IsLoggedAndLeavesNoTemporaryFolder()
    {
        var options = new RunOptions { Root = Runs, Name = "full", Console = TextWriter.Null, Interactive = false };
        using (var session = RunSession.Open(new OnPolicyRunConfig(), "grpo", options, totalSteps: 4, keepLast: 2))
        {
            Assert.Throws<IOException>(() => session.Checkpoint(1, dir =>
            {
                File.WriteAllText(Path.Combine(dir, "optimizer.bin"), "half");
                throw new IOException("No space left on device");                             // injected writer fault
            }));
            Assert.Empty(Directory.EnumerateDirectories(session.Checkpoints.Root));
        }
        Assert.Contains("Fatal: checkpoint of step 1 failed and was removed: No space left on device",
            File.ReadAllText(Path.Combine(Runs, "full", "log.txt")));
    }

    [Fact]
    public async Task Sigterm_CheckpointsAndExitsLikeCtrlC()
    {
        // A real child process: the signal handler is process-wide and only a separate process receives SIGTERM.
        var cli = Path.Combine(AppContext.BaseDirectory, "Aha.Cli.dll");
        var run = Path.Combine(Runs, "term");
        var start = new ProcessStartInfo("dotnet") { RedirectStandardOutput = true, RedirectStandardError = true };
        foreach (var a in new[] { cli, "grpo", "--name", "term", "--out", Runs, "--threads", "1", "--set", "steps=100000",
                     "--set", "checkpointing.every=1000", "--set", "eval.at_start=false" })
            start.ArgumentList.Add(a);
        using var child = Process.Start(start)!;
        var stdout = child.StandardOutput.ReadToEndAsync();
        var stderr = child.StandardError.ReadToEndAsync();
        var metrics = Path.Combine(run, "metrics.jsonl");
        // Wait until a step has been logged (polled; the bound only keeps a broken build from hanging the suite).
        for (int i = 0; i < 1200 && !child.HasExited && !(File.Exists(metrics) && File.ReadAllText(metrics).Contains('\n')); i++)
            Thread.Sleep(100);
        if (child.HasExited) Assert.Fail($"the run ended before SIGTERM: {await stderr}");
        using (var kill = Process.Start("kill", ["-TERM", child.Id.ToString(System.Globalization.CultureInfo.InvariantCulture)])) kill.WaitForExit();
        Assert.True(child.WaitForExit(120_000), "the run did not stop after SIGTERM");
        var (output, error) = (await stdout, await stderr);
        Assert.True(child.ExitCode == 130, $"exit {child.ExitCode}: {error}");
        Assert.Contains("checkpoint saved", output);
        var steps = new CheckpointManager(run, 1).Steps();
        Assert.Single(steps);
        Assert.Null(CheckpointManifest.Problem(new CheckpointManager(run, 1).Latest()!));
    }
}
