using Aha.Training.Checkpointing;

namespace Aha.Tests.Checkpointing;

public sealed class CheckpointManagerTests
{
    private static void WriteMarker(string dir, int step) => File.WriteAllText(Path.Combine(dir, "state.txt"), $"step {step}");

    private static string[] Entries(string dir) => Directory.EnumerateFileSystemEntries(dir).Select(Path.GetFileName).Order().ToArray()!;

    [Fact]
    public void Save_RenamesIntoStepFolder_AndLatestFindsIt()
    {
        using var run = new TempDir();
        var manager = new CheckpointManager(run.Path, keepLast: 3);
        Assert.Null(manager.Latest());
        var path = manager.Save(5, dir => WriteMarker(dir, 5));
        Assert.Equal(Path.Combine(run.Path, "checkpoints", "step-000005"), path);
        Assert.Equal("step 5", File.ReadAllText(Path.Combine(path, "state.txt")));
        Assert.Equal(["step-000005"], Entries(manager.Root));
        Assert.Equal(path, manager.Latest());
        Assert.Equal(path, manager.Find(5));
        Assert.Null(manager.Find(6));
    }

    [Fact]
    public void Save_KeepsOnlyTheLastK_ByStepNumber()
    {
        using var run = new TempDir();
        var manager = new CheckpointManager(run.Path, keepLast: 2);
        foreach (var step in new[] { 10, 20, 999_999, 1_000_000 }) manager.Save(step, dir => WriteMarker(dir, step));
        // Numeric, not lexical, order: 1000000 is newer than 999999 although "step-1000000" < "step-999999" as text.
        Assert.Equal([999_999, 1_000_000], manager.Steps());
        Assert.EndsWith("step-1000000", manager.Latest());
    }

    [Fact]
    public void WriterThatThrows_LeavesThePreviousCheckpointIntact_AndTheNextSaveCleansUp()
    {
        using var run = new TempDir();
        var manager = new CheckpointManager(run.Path, keepLast: 1);
        var good = manager.Save(1, dir => WriteMarker(dir, 1));

        var e = Assert.Throws<InvalidOperationException>(() => manager.Save(2, dir =>
        {
            File.WriteAllText(Path.Combine(dir, "model.safetensors"), "half a mod");
            throw new InvalidOperationException("disk full");
        }));
        Assert.Equal("disk full", e.Message);
        Assert.Equal(good, manager.Latest());
        Assert.Equal([1], manager.Steps());
        Assert.Equal("step 1", File.ReadAllText(Path.Combine(good, "state.txt")));
        var leftovers = Entries(manager.Root);
        Assert.Equal(2, leftovers.Length);
        Assert.StartsWith(".tmp-step-000002-", leftovers[0]);

        manager.Save(3, dir => WriteMarker(dir, 3));
        Assert.Equal(["step-000003"], Entries(manager.Root));
    }

    [Fact]
    public void Latest_IgnoresTemporaryAndForeignFolders()
    {
        using var run = new TempDir();
        var manager = new CheckpointManager(run.Path, keepLast: 5);
        manager.Save(4, dir => WriteMarker(dir, 4));
        Directory.CreateDirectory(Path.Combine(manager.Root, ".tmp-step-000009-abc"));
        Directory.CreateDirectory(Path.Combine(manager.Root, "step-x"));
        Directory.CreateDirectory(Path.Combine(manager.Root, "best"));
        Assert.Equal([4], manager.Steps());
        Assert.EndsWith("step-000004", manager.Latest());
    }

    [Fact]
    public void SavingAnExistingStep_ReplacesIt()
    {
        using var run = new TempDir();
        var manager = new CheckpointManager(run.Path, keepLast: 2);
        manager.Save(7, dir => File.WriteAllText(Path.Combine(dir, "old.txt"), "old"));
        var path = manager.Save(7, dir => WriteMarker(dir, 7));
        Assert.Equal(["state.txt"], Entries(path));
        Assert.Equal(["step-000007"], Entries(manager.Root));
    }

    [Fact]
    public void KeepLastBelowOne_IsRejected()
        => Assert.Equal("keepLast", Assert.Throws<ArgumentException>(() => new CheckpointManager("/tmp/x", 0)).ParamName);
}
