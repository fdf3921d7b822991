using System.Text.Json;
using Aha.Configuration;
using Aha.Training.Runs;

namespace Aha.Tests.Cli;

/// <summary>
/// The tiny RL recipes in configs/ learn with their own settings: each file is loaded as shipped and run in full from
/// its pretrained base (<c>model.pretrain</c>, built once per test run in <see cref="SharedBaseCache"/>); reward and
/// greedy accuracy on the held-out eval problems must rise by a clear margin. Seeds are fixed, so each run is the same
/// on one machine; the margins leave room for another CPU's float rounding to move the trajectory.
/// </summary>
public sealed class ShippedRecipeLearningTests : IDisposable
{
    readonly TempDir _dir = new();

    public ShippedRecipeLearningTests() => SharedBaseCache.Use();

    public void Dispose() => _dir.Dispose();

    static string Repo() => RepoRoot.Find();

    static double Read(string file, string key)
    {
        using var json = JsonDocument.Parse(File.ReadAllText(file));
        return json.RootElement.GetProperty(key).GetDouble();
    }

    /// <summary>Mean of a metric over the given steps of metrics.jsonl.</summary>
    static double Mean(string metrics, string key, Func<int, bool> steps) => File.ReadLines(metrics)
        .Select(line => JsonDocument.Parse(line).RootElement)
        .Where(row => row.TryGetProperty("step", out var s) && steps(s.GetInt32()) && row.TryGetProperty(key, out _))
        .Average(row => row.GetProperty(key).GetDouble());

    [Theory]
    [InlineData("grpo-tiny.yaml")]
    [InlineData("dapo-tiny.yaml")]
    [InlineData("ppo-tiny.yaml")]
    public void TinyRlRecipe_AsShipped_RaisesRewardAndHeldOutAccuracy(string name)
    {
        var config = ConfigLoader.Load<OnPolicyRunConfig>(Path.Combine(Repo(), "configs", name));
        Assert.NotNull(config.Model.Pretrain);
        var result = OnPolicyRun.Run(config, new RunOptions { Root = _dir.Path, Name = "run", Console = TextWriter.Null, Interactive = false });
        Assert.True(result.Completed);
        Assert.Equal(config.Steps, result.Steps);

        double before = Read(Path.Combine(result.RunDir, OnPolicyRun.EvalStartFile), "greedy_pass1");
        double after = Read(Path.Combine(result.RunDir, OnPolicyRun.EvalFile), "greedy_pass1");
        // Margins sit well below the rises measured on AMD EPYC (+25 to +39 points on 64 problems, docs in README):
        // another CPU's float rounding moves the trajectory, and the test must hold on every machine of our kind.
        Assert.True(after >= before + 0.15, $"{name}: held-out greedy pass@1 {before:P1} → {after:P1}; expected a rise of at least 15 points");

        var metrics = Path.Combine(result.RunDir, "metrics.jsonl");
        int n = config.Steps, window = Math.Max(3, n / 5);
        double first = Mean(metrics, "accuracy", s => s <= window), last = Mean(metrics, "accuracy", s => s > n - window);
        Assert.True(last >= first + 0.10, $"{name}: training accuracy {first:P1} in the first {window} steps → {last:P1} in the last {window}");
    }

    [Fact]
    public void R1Recipe_AsShipped_RaisesHeldOutAccuracyInItsRlStage_AndFromItsFirstToItsLastEvaluation()
    {
        var config = ConfigLoader.Load<R1RecipeConfig>(Path.Combine(Repo(), "configs", "r1-recipe.yaml"));
        Assert.NotNull(config.Model.Pretrain);
        var results = R1Recipe.Run(config, new RunOptions { Root = _dir.Path, Name = "r1", Console = TextWriter.Null, Interactive = false });
        Assert.All(results, r => Assert.True(r.Completed));
        string Stage(int i, string file) => Path.Combine(_dir.Path, "r1", R1Recipe.StageNames[i], file);

        double rlBefore = Read(Stage(1, OnPolicyRun.EvalStartFile), "greedy_pass1"), rlAfter = Read(Stage(1, OnPolicyRun.EvalFile), "greedy_pass1");
        Assert.True(rlAfter >= rlBefore + 0.12, $"stage 2 (GRPO): held-out greedy pass@1 {rlBefore:P1} → {rlAfter:P1}");
        Assert.True(results[2].LastMetrics["accepted_frac"] >= 0.5, $"rejection sampling accepted {results[2].LastMetrics["accepted_frac"]:P1}");
        double final = Read(Stage(4, OnPolicyRun.EvalFile), "greedy_pass1");
        Assert.True(final >= rlBefore + 0.15, $"held-out greedy pass@1 {rlBefore:P1} after the cold start → {final:P1} at the end");
    }
}
