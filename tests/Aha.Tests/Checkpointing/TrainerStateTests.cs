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
        var missing = Assert.Throws<InvalidDataException>(() => loaded.Get<int>("missing")).Message;
        Assert.Contains("trainer_state.json", missing);
        Assert.Contains("'missing'", missing);
        Assert.Contains("epoch", missing);
        Assert.Contains("field 'epoch'", Assert.Throws<InvalidDataException>(() => loaded.Get<string[]>("epoch")).Message);
    }

    [Fact]
    public void Fields_AreTopLevelJson_AsTheOnPolicyTrainerAlwaysWroteThem()
    {
        using var dir = new TempDir();
        new TrainerState { Step = 3 }.With("prompt_position", 12L).With("preset", "grpo").With("has_critic", false).Save(dir.Path);
        using var doc = System.Text.Json.JsonDocument.Parse(File.ReadAllText(dir["trainer_state.json"]));
        Assert.Equal(["step", "prompt_position", "preset", "has_critic"], doc.RootElement.EnumerateObject().Select(p => p.Name).ToArray());
        Assert.Equal(12, doc.RootElement.GetProperty("prompt_position").GetInt64());
    }

    [Fact]
    public void Load_ReadsCheckpointsWrittenByTheEarlierRecords()
    {
        using var onPolicy = new TempDir();
        // the file OnPolicyTrainerState wrote (flat, its own property names)
        onPolicy.File("trainer_state.json", """
            {
              "step": 4,
              "prompt_position": 32,
              "beta": 0.04,
              "preset": "grpo",
              "seed": 7,
              "has_critic": true
            }
            """);
        var a = TrainerState.Load(onPolicy.Path);
        Assert.Equal((4, 32L, 0.04, "grpo", 7L, true),
            (a.Step, a.Get<long>("prompt_position"), a.Get<double>("beta"), a.Get<string>("preset"), a.Get<long>("seed"), a.Get<bool>("has_critic")));

        using var offline = new TempDir();
        // the file the offline trainers wrote: the fields nested under "extra"
        offline.File("trainer_state.json", """{"step": 9, "extra": {"train_size": null, "seed": 3}}""");
        var b = TrainerState.Load(offline.Path);
        Assert.Equal((9, (int?)null, 3L), (b.Step, b.Get<int?>("train_size"), b.Get<long>("seed")));
        Assert.DoesNotContain("extra", b.Extra.Keys);
    }

    [Theory]
    [InlineData("[1, 2]")]
    [InlineData("{\"step\": \"3\"}")]
    [InlineData("{\"seed\": 3}")]
    public void Load_WrongShape_NamesTheFileAndTheProblem(string json)
    {
        using var dir = new TempDir();
        dir.File("trainer_state.json", json);
        var e = Assert.Throws<InvalidDataException>(() => TrainerState.Load(dir.Path));
        Assert.Contains("trainer_state.json", e.Message);
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
