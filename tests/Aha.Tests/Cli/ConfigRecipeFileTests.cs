using Aha.Configuration;
using Aha.Training.Runs;

namespace Aha.Tests.Cli;

/// <summary>Every file in configs/ goes through the real config binding, so the recipes never rot.</summary>
public sealed class ConfigRecipeFileTests
{
    static string Repo() => RepoRoot.Find();

    /// <summary>The first line names the command ("# aha grpo"), which fixes the config type.</summary>
    static object Load(string file, string command) => command switch
    {
        "grpo" or "ppo" => ConfigLoader.Load<OnPolicyRunConfig>(file),
        "sft" => ConfigLoader.Load<SftRunConfig>(file),
        "rm" => ConfigLoader.Load<RewardModelRunConfig>(file),
        "dpo" => ConfigLoader.Load<DpoRunConfig>(file),
        "kto" => ConfigLoader.Load<KtoRunConfig>(file),
        "rejection-sample" => ConfigLoader.Load<RejectionSamplingRunConfig>(file),
        "eval" => ConfigLoader.Load<EvalRunConfig>(file),
        "recipe r1" => ConfigLoader.Load<R1RecipeConfig>(file),
        "r1zero" => ConfigLoader.Load<R1ZeroConfig>(file),
        _ => throw new InvalidOperationException($"{file}: unknown command '{command}' on the first line."),
    };

    static List<string> Names() => Directory.GetFiles(Path.Combine(Repo(), "configs"), "*.yaml").Select(Path.GetFileName).Order().ToList()!;

    public static TheoryData<string> Files()
    {
        var data = new TheoryData<string>();
        foreach (var name in Names()) data.Add(name);
        return data;
    }

    [Fact]
    public void Configs_HoldTheTinyAndGpuRecipes()
    {
        var names = Names();
        foreach (var expected in new[] { "grpo-tiny.yaml", "dapo-tiny.yaml", "ppo-tiny.yaml", "sft-tiny.yaml", "dpo-tiny.yaml", "kto-tiny.yaml",
                     "grpo-qwen2.5-0.5b.yaml", "dapo-qwen2.5-1.5b.yaml", "r1-recipe.yaml", "r1zero.yaml" })
            Assert.Contains(expected, names);
    }

    [Theory]
    [MemberData(nameof(Files))]
    public void ConfigFile_BindsAndValidates_ExceptForFilesThatOnlyExistOnAUsersMachine(string name)
    {
        var repo = Repo();
        var file = Path.Combine(repo, "configs", name);
        var first = File.ReadLines(file).First();
        Assert.StartsWith("# aha ", first);
        try
        {
            Load(file, first["# aha ".Length..].Trim());
        }
        catch (ConfigException e)
        {
            // GPU recipes name model and data folders users download; tiny recipes name repo files relative to the
            // repository root (the tests run elsewhere). Everything else (keys, types, trainer rules) must be valid.
            Assert.All(e.Errors, error => Assert.Contains("not found", error.Message));
            foreach (var error in e.Errors.Where(_ => name.Contains("tiny")))
                Assert.True(File.Exists(Path.Combine(repo, error.Message.Split('\'')[1])), $"{name}: {error}");
        }
    }
}
