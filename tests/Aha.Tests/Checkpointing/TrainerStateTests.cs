using Aha.Data;
using Aha.Training.Checkpointing;

namespace Aha.Tests.Checkpointing;

public sealed class TrainerStateTests
{
    [Fact]
    public void SaveLoad_RoundTripsStepAndExtras()
    {
        using var dir = new TempDir();
        var state = new TrainerState { Step = 42 }
            .With("data_rng", ulong.MaxValue - 1) // beyond 2^53: must survive exactly
            .With("kl_coef", 0.0123)
            .With("epoch", 2);
        state.Save(dir.Path);

        var text = File.ReadAllText(dir["trainer_state.json"]);
        Assert.Contains("\"step\": 42", text);
        var loaded = TrainerState.Load(dir.Path);
        Assert.Equal(42, loaded.Step);
        Assert.Equal(ulong.MaxValue - 1, loaded.Get<ulong>("data_rng"));
        Assert.Equal(0.0123, loaded.Get<double>("kl_coef"));
        Assert.Equal(2, loaded.Get<int>("epoch"));
        Assert.Contains("epoch", Assert.Throws<KeyNotFoundException>(() => loaded.Get<int>("missing")).Message);
    }

    [Fact]
    public void Load_DamagedFile_NamesTheFile()
    {
        using var dir = new TempDir();
        dir.File("trainer_state.json", "{\"step\": ");
        Assert.Contains("trainer_state.json", Assert.Throws<InvalidDataException>(() => TrainerState.Load(dir.Path)).Message);
    }

    [Fact]
    public void SeededRandom_ResumesFromSavedState()
    {
        var rng = new SeededRandom(7);
        for (int i = 0; i < 5; i++) rng.NextUInt64();
        ulong saved = rng.State;
        var continued = Enumerable.Range(0, 5).Select(_ => rng.Next(1000)).ToArray();
        var resumed = new SeededRandom(0) { State = saved };
        Assert.Equal(continued, Enumerable.Range(0, 5).Select(_ => resumed.Next(1000)).ToArray());
        Assert.NotEqual(continued, Enumerable.Range(0, 5).Select(_ => new SeededRandom(0).Next(1000)).ToArray());
    }
}
