using Aha.Configuration;
using Aha.Training.Runs;

namespace Aha.Tests.Configuration;

public sealed class RunDirectoryTests
{
    [Fact]
    public void Create_MakesTheFolderWithResolvedConfig_AndLeavesNoTemporaries()
    {
        using var dir = new TempDir();
        var config = ConfigLoader.Load<SampleConfig>(null, ["max_new_tokens=12"]);
        var run = RunDirectory.Create(dir["runs"], "grpo-1", config);

        Assert.Equal(Path.Combine(dir["runs"], "grpo-1"), run.Path);
        Assert.Equal(["grpo-1"], Directory.EnumerateFileSystemEntries(dir["runs"]).Select(Path.GetFileName));
        var reloaded = ConfigLoader.Load<SampleConfig>(run.ResolvedConfig);
        Assert.Equal(12, reloaded.MaxNewTokens);
        Assert.Equal(run.Path, RunDirectory.Open(run.Path).Path);
    }

    [Fact]
    public void BadConfig_LeavesNoRunFolder()
    {
        using var dir = new TempDir();
        var root = dir["runs"];
        // The CLI's order: load the config (throws on a bad key), then create the folder.
        Assert.Throws<ConfigException>(() =>
        {
            var config = ConfigLoader.Load<SampleConfig>(dir.File("bad.yaml", "max_new_tokns: 3\n"));
            RunDirectory.Create(root, "r", config);
        });
        Assert.False(Directory.Exists(root));

        // A config that fails validation is refused by Create itself, before anything is written.
        var e = Assert.Throws<ConfigException>(() => RunDirectory.Create(root, "r", new SampleConfig { ModelPath = " " }));
        Assert.Contains("model_path: is required", e.Message);
        Assert.False(Directory.Exists(root));
    }

    [Fact]
    public void ExistingRunFolder_IsNotTouched()
    {
        using var dir = new TempDir();
        Directory.CreateDirectory(dir["runs/r"]);
        File.WriteAllText(dir["runs/r/keep.txt"], "mine");
        Assert.Throws<IOException>(() => RunDirectory.Create(dir["runs"], "r", new SampleConfig()));
        Assert.Equal(["keep.txt"], Directory.EnumerateFileSystemEntries(dir["runs/r"]).Select(Path.GetFileName));
        Assert.Equal(["r"], Directory.EnumerateFileSystemEntries(dir["runs"]).Select(Path.GetFileName));
    }

    [Theory]
    [InlineData("")]
    [InlineData("..")]
    [InlineData("a/b")]
    [InlineData(".tmp-x")]
    public void BadName_IsRejectedBeforeAnythingIsCreated(string name)
    {
        using var dir = new TempDir();
        var e = Assert.Throws<ArgumentException>(() => RunDirectory.Create(dir["runs"], name, new SampleConfig()));
        Assert.Equal("name", e.ParamName);
        Assert.False(Directory.Exists(dir["runs"]));
    }

    [Fact]
    public void Open_RefusesAFolderThatIsNotARun()
    {
        using var dir = new TempDir();
        Assert.Throws<DirectoryNotFoundException>(() => RunDirectory.Open(dir.Path));
    }

    [Fact]
    public void DefaultName_IsPrefixAndUtcTimestamp()
        => Assert.Equal("grpo-20250131-120005", RunDirectory.DefaultName("grpo", new DateTimeOffset(2025, 1, 31, 13, 0, 5, TimeSpan.FromHours(1))));
}
