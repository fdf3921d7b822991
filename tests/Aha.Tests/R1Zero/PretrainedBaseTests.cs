using Aha.Checkpoints;
using Aha.R1Zero;
using Aha.Tokenization;
using Aha.Training.Runs;

namespace Aha.Tests.R1Zero;

public sealed class PretrainedBaseTests : IDisposable
{
    readonly TempDir _dir = new();
    public void Dispose() => _dir.Dispose();

    /// <summary>A base that builds in a second: a few steps on a small corpus.</summary>
    static readonly PretrainSection Small = new() { Steps = 3, Documents = 200, Seed = 5 };

    [Fact]
    public void Key_IsStableAndChangesWithEverySetting()
    {
        var keys = new[] { Small, Small with { Steps = 4 }, Small with { Documents = 201 }, Small with { Seed = 6 } }
            .Select(PretrainedBase.Key).ToList();
        Assert.Equal(PretrainedBase.Key(Small with { }), keys[0]);
        Assert.Equal(keys.Count, keys.Distinct().Count());
        Assert.All(keys, k => Assert.Matches("^r1zero-arithmetic-[0-9a-f]{16}$", k));
    }

    [Fact]
    public void Ensure_BuildsOnFirstUse_ThenLoadsTheCachedFolderWithoutBuilding()
    {
        var first = new StringWriter();
        var dir = PretrainedBase.Ensure(Small, first, _dir.Path);
        Assert.Equal(PretrainedBase.Folder(Small, _dir.Path), dir);
        Assert.Contains("building the pretrained base", first.ToString());
        foreach (var file in new[] { "config.json", "model.safetensors", "tokenizer.json", PretrainedBase.InfoFile })
            Assert.True(File.Exists(Path.Combine(dir, file)), file);
        var weights = File.ReadAllBytes(Path.Combine(dir, "model.safetensors"));

        var second = new StringWriter();
        Assert.Equal(dir, PretrainedBase.Ensure(Small, second, _dir.Path));
        Assert.Equal("", second.ToString());
        Assert.Equal(weights, File.ReadAllBytes(Path.Combine(dir, "model.safetensors")));

        // The folder is an ordinary HF model: r1zero's prompts tokenize with its character tokenizer.
        using var model = HfCheckpoint.LoadCausalLM(dir);
        var tokenizer = TokenizerLoader.Load(dir);
        Assert.Equal(new[] { "<think>", "7", "+" }, tokenizer.Encode("<think>7+").Select(id => tokenizer.Decode([id])));
        Assert.Equal(tokenizer.VocabSize, model.Config.VocabSize);
    }

    [Fact]
    public void Ensure_SameSettings_GiveTheSameWeights_AnotherSeedOthers()
    {
        var a = File.ReadAllBytes(Path.Combine(PretrainedBase.Ensure(Small, null, _dir["a"]), "model.safetensors"));
        var b = File.ReadAllBytes(Path.Combine(PretrainedBase.Ensure(Small, null, _dir["b"]), "model.safetensors"));
        var c = File.ReadAllBytes(Path.Combine(PretrainedBase.Ensure(Small with { Seed = 6 }, null, _dir["c"]), "model.safetensors"));
        Assert.Equal(a, b);
        Assert.NotEqual(a, c);
    }

    [Fact]
    public void AKilledBuild_LeavesOnlyATemporaryFolder_WhichIsNeverLoadedAndIsClearedByTheNextBuild()
    {
        // A build killed mid-way leaves .tmp-<key>-<pid> (it is renamed into place only when complete).
        var bases = Path.Combine(_dir.Path, "bases");
        var stale = Path.Combine(bases, $".tmp-{PretrainedBase.Key(Small)}-999999");
        Directory.CreateDirectory(stale);
        File.WriteAllText(Path.Combine(stale, "model.safetensors"), "half-written");

        var log = new StringWriter();
        var dir = PretrainedBase.Ensure(Small, log, _dir.Path);
        Assert.Contains("building the pretrained base", log.ToString());
        Assert.False(Directory.Exists(stale));
        Assert.Empty(Directory.GetDirectories(bases, ".tmp-*"));
        using var model = HfCheckpoint.LoadCausalLM(dir);
    }
}
