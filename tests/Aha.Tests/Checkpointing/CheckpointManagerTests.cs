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
    public void WriterThatThrows_LeavesThePreviousCheckpointIntact_AndNoTemporaryFolder()
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
        Assert.Equal(["step-000001"], Entries(manager.Root));                         // the half-written folder is gone

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
        Assert.Equal([CheckpointManifest.FileName, "state.txt"], Entries(path));
        Assert.Equal(["step-000007"], Entries(manager.Root));
    }

    [Fact]
    public void DiskFullDuringAWrite_RemovesTheTemporaryFolder()
    {
        using var run = new TempDir();
        var manager = new CheckpointManager(run.Path, keepLast: 2);
        // An injected writer fault: the first file lands, the second write fails as a full disk does.
        var e = Assert.Throws<IOException>(() => manager.Save(1, dir =>
        {
            File.WriteAllText(Path.Combine(dir, "model.safetensors"), "weights");
            throw new IOException("No space left on device");
        }));
        Assert.Equal("No space left on device", e.Message);
        Assert.Empty(Entries(manager.Root));
    }

    private static (CheckpointManager Manager, string Older, string Newer) TwoCheckpoints(TempDir run)
    {
        var manager = new CheckpointManager(run.Path, keepLast: 5);
        void Write(string dir, int step)
        {
            File.WriteAllText(Path.Combine(dir, "trainer_state.json"), $"{{\"step\": {step}}}");
            Directory.CreateDirectory(Path.Combine(dir, "policy"));
            File.WriteAllBytes(Path.Combine(dir, "policy", "model.safetensors"), new byte[1000]);
        }
        return (manager, manager.Save(1, d => Write(d, 1)), manager.Save(2, d => Write(d, 2)));
    }

    [Fact]
    public void NewestIntact_PassesOverATruncatedNewestCheckpoint_SayingWhichFileAndWhy()
    {
        using var run = new TempDir();
        var (manager, older, newer) = TwoCheckpoints(run);
        var file = Path.Combine(newer, "policy", "model.safetensors");
        File.WriteAllBytes(file, new byte[600]);                                          // truncated: 600 of 1000 bytes
        var skipped = new List<string>();
        Assert.Equal(older, manager.NewestIntact(skipped.Add));
        Assert.Equal([$"Skipping checkpoint {newer}: {file} has 600 bytes; checkpoint.json says 1000 (truncated or overwritten)"], skipped);
    }

    [Fact]
    public void NewestIntact_PassesOverAFlippedByte_AndAMissingFile()
    {
        using var run = new TempDir();
        var (manager, older, newer) = TwoCheckpoints(run);
        var file = Path.Combine(newer, "policy", "model.safetensors");
        var bytes = File.ReadAllBytes(file);
        bytes[500] ^= 1;
        File.WriteAllBytes(file, bytes);                                                 // same size, one bit differs
        var skipped = new List<string>();
        Assert.Equal(older, manager.NewestIntact(skipped.Add));
        Assert.EndsWith($"{file} does not match its SHA-256 in checkpoint.json (damaged)", Assert.Single(skipped));

        File.Delete(Path.Combine(older, "trainer_state.json"));
        var e = Assert.Throws<InvalidDataException>(() => manager.NewestIntact(_ => { }));
        Assert.Contains($"{Path.Combine(older, "trainer_state.json")} is missing", e.Message);
        Assert.StartsWith($"No intact checkpoint in {manager.Root}: ", e.Message);
    }

    [Fact]
    public void NewestIntact_WithoutCheckpoints_IsNull() =>
        Assert.Null(new CheckpointManager(new TempDir().Path, 1).NewestIntact(_ => Assert.Fail("nothing to skip")));

    [Theory]
    [InlineData("/r/run/checkpoints/step-000020", 20, "/r/run")]
    [InlineData("/r/run/checkpoints/step-000020/", 20, "/r/run")]
    [InlineData("/r/run", null, "/r/run")]
    [InlineData("/r/run/other/step-000020", null, "/r/run/other/step-000020")]
    public void ResumeArgument_MayNameACheckpointFolder(string path, int? step, string runFolder)
    {
        Assert.Equal(step, CheckpointManager.CheckpointStep(path));
        Assert.Equal(runFolder, CheckpointManager.RunFolderOf(path).TrimEnd('/'));
    }

    [Fact]
    public void RunFolderLock_IsExclusive_AndReleasedOnDispose()
    {
        using var run = new TempDir();
        using (RunFolderLock.Acquire(run.Path))
        {
            var e = Assert.Throws<RunFolderLockedException>(() => RunFolderLock.Acquire(run.Path));
            Assert.Contains($"run folder '{run.Path}' is in use by another process", e.Message);
        }
        using var again = RunFolderLock.Acquire(run.Path);
    }

    [Fact]
    public void KeepLastBelowOne_IsRejected()
        => Assert.Equal("keepLast", Assert.Throws<ArgumentException>(() => new CheckpointManager("/tmp/x", 0)).ParamName);
}
