using Aha.Checkpoints;
using Aha.Configuration;
using Aha.Training.Runs;

namespace Aha.Tests.Cli;

public sealed class R1RecipeTests
{
    [Fact]
    public void R1Recipe_ChainsTheStages_EachStagesFinalModelFeedingTheNext()
    {
        using var dir = new TempDir();
        var config = dir.File("r1.yaml", """
            cold_start:
              data: {task: arithmetic, difficulty: 1, train_size: 8, eval_size: 0}
              trainer: {max_steps: 2, batch_size: 4}
            rl:
              steps: 1
              eval: {at_end: false}
            rejection:
              data: {task: arithmetic, difficulty: 1, train_size: 2}
              sampler: {samples_per_prompt: 2, selection: best_of_n, min_reward: null, keep_truncated: true}
            sft:
              data: {task: arithmetic, difficulty: 1, train_size: 2, eval_size: 0}
              trainer: {max_steps: 1, batch_size: 4}
            final_rl:
              steps: 1
              eval: {at_end: false}
            """);
        var (code, output, error) = AhaCli.Run("recipe", "r1", "--config", config, "--out", dir["runs"], "--name", "r1", "--threads", "1");
        Assert.True(code == 0, error);
        var root = dir["runs/r1"];
        Assert.True(File.Exists(Path.Combine(root, "resolved_config.yaml")));
        string Stage(int i) => Path.Combine(root, R1Recipe.StageNames[i]);

        // Each stage's model is the previous stage's final/ (stage 3b continues from the RL model, as 3a sampled it).
        Assert.Equal(Path.Combine(Stage(0), "final"), ConfigLoader.Load<OnPolicyRunConfig>(Path.Combine(Stage(1), "resolved_config.yaml")).Model.Path);
        Assert.Equal(Path.Combine(Stage(1), "final"), ConfigLoader.Load<RejectionSamplingRunConfig>(Path.Combine(Stage(2), "resolved_config.yaml")).Model.Path);
        var sft = ConfigLoader.Load<SftRunConfig>(Path.Combine(Stage(3), "resolved_config.yaml"));
        Assert.Equal(Path.Combine(Stage(1), "final"), sft.Model.Path);
        Assert.Equal(Path.Combine(Stage(3), "final"), ConfigLoader.Load<OnPolicyRunConfig>(Path.Combine(Stage(4), "resolved_config.yaml")).Model.Path);

        // Stage 3b trains on the 2 best-of-N samples followed by its own 2 cold-start examples.
        Assert.Equal(4, Aha.Data.SftDataReader.Read(sft.Data.Train.Single()).Count());
        Assert.Equal(2, Aha.Data.SftDataReader.Read(Path.Combine(Stage(2), "sft.jsonl")).Count());
        using var final = HfCheckpoint.LoadCausalLM(Path.Combine(Stage(4), "final"));
        Assert.Contains("4-final-rl", output);
    }
}
