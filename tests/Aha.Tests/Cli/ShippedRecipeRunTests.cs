using System.Diagnostics;

namespace Aha.Tests.Cli;

/// <summary>
/// Every CPU-sized file in configs/ (all but the Qwen GPU recipes) runs for a couple of steps with the real `aha`
/// executable from the repository root, as a user types it — binding a file is not enough for a recipe to run. The
/// child processes share the test run's cache of pretrained bases (<see cref="SharedBaseCache"/>).
/// </summary>
public sealed class ShippedRecipeRunTests : IDisposable
{
    readonly TempDir _dir = new();

    public ShippedRecipeRunTests() => SharedBaseCache.Use();
    public void Dispose() => _dir.Dispose();

    static string Repo() => RepoRoot.Find();

    public static TheoryData<string> CpuRecipes()
    {
        var data = new TheoryData<string>();
        foreach (var file in Directory.GetFiles(Path.Combine(Repo(), "configs"), "*.yaml").Order(StringComparer.Ordinal))
            if (!Path.GetFileName(file).Contains("qwen", StringComparison.OrdinalIgnoreCase)) data.Add(Path.GetFileName(file));
        return data;
    }

    /// <summary>Overrides that shorten each command's run to a couple of optimizer steps.</summary>
    static string[] Shorten(string command, string text) => command switch
    {
        "grpo" or "ppo" when text.Contains("\nmax_steps:") => ["--set", "max_steps=2"],   // written with TRL's key names
        "grpo" or "ppo" => ["--set", "steps=2"],
        "sft" or "rm" or "dpo" or "kto" => ["--set", "trainer.max_steps=2"],
        "recipe r1" => ["--set", "cold_start.trainer.max_steps=2", "--set", "rl.steps=1", "--set", "sft.trainer.max_steps=2", "--set", "final_rl.steps=1"],
        "r1zero" => new[]
        {
            "pretrain.max_steps=20", "corpus.documents=1000", "data.test_problems=10", "data.train_problems=100", "model.hidden_size=32", "model.layers=1",
            "rl.steps=1", "rl.num_generations=2", "rl.prompts_per_step=2", "rl.max_new_tokens=16", "eval.k=1", "eval.heldout_subset=4",
        }.SelectMany(kv => new[] { "--set", kv }).ToArray(),
        _ => throw new InvalidOperationException($"no shortening known for '{command}'"),
    };

    [Theory]
    [MemberData(nameof(CpuRecipes))]
    public async Task CpuRecipe_RunsFromTheRepositoryRoot(string name)
    {
        var repo = Repo();
        var text = File.ReadAllText(Path.Combine(repo, "configs", name));
        var command = text.Split('\n')[0]["# aha ".Length..].Trim();
        var start = new ProcessStartInfo(Path.Combine(AppContext.BaseDirectory, "Aha.Cli"))
        {
            WorkingDirectory = repo,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
        };
        foreach (var arg in command.Split(' ')) start.ArgumentList.Add(arg);
        foreach (var arg in new[] { "--config", Path.Combine("configs", name), "--out", _dir.Path, "--name", "run", "--threads", "1" })
            start.ArgumentList.Add(arg);
        foreach (var arg in Shorten(command, text)) start.ArgumentList.Add(arg);
        using var process = Process.Start(start)!;
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        await process.WaitForExitAsync();
        var (output, error) = (await stdout, await stderr);
        Assert.True(process.ExitCode == 0, $"aha {command} --config configs/{name} exited {process.ExitCode}: {error}\n{output}");
        var finals = Directory.GetDirectories(_dir.Path, "final", SearchOption.AllDirectories);
        Assert.NotEmpty(finals);
        Assert.All(finals, f => Assert.True(File.Exists(Path.Combine(f, "config.json")), f));
    }
}
