using Aha.Checkpoints;
using Aha.Data;
using Aha.Evaluation;
using Aha.Models;
using Aha.Tests.Cli;
using Aha.Tokenization;
using TorchSharp;

namespace Aha.Tests.Evaluation;

[Collection(SerialCollection.Name)]
public sealed class RewardModelScorerTests : IDisposable
{
    readonly TempDir _dir = new();
    public void Dispose() => _dir.Dispose();

    static readonly CharTokenizer Tokenizer = CharTokenizer.Create("0123456789+-=abcdefghijklmnopqrstuvwxyz<>/ \n");

    /// <summary>A reward model folder as aha rm writes it: config, weights with a trained-looking head, tokenizer.</summary>
    (string Dir, ScalarHeadModel Model) SaveRewardModel()
    {
        var config = TinyModels.Qwen2() with { VocabSize = Tokenizer.VocabSize };
        var model = new ScalarHeadModel(config);
        WeightInit.Initialize(model, 0.5, seed: 3);
        var dir = _dir["rm"];
        HfCheckpoint.Save(model, config, dir);
        Tokenizer.Save(dir);
        return (dir, model);
    }

    [Fact]
    public void Scores_AreTheScalarHeadsValueAtTheLastToken_OfPromptCompletionEos()
    {
        var (dir, model) = SaveRewardModel();
        using var _ = model;
        using var scorer = RewardModelScorer.Load(dir);
        var problem = new PromptItem("p", "12+3=", "15");
        string[] texts = ["<answer>15</answer>", "<answer>16</answer>", "1", "so 15 = 12+3"];
        var completions = texts.Select(t => new SampledCompletion(t, null, false, t.Length)).ToList();
        var scores = scorer.Score(problem, completions);

        // Independently: the saved model's Forward over each full sequence, read at its last position.
        model.eval();
        using var noGrad = torch.no_grad();
        var expected = texts.Select(t =>
        {
            var ids = Tokenizer.Encode(problem.Prompt).Concat(Tokenizer.Encode(t)).Append(Tokenizer.EosTokenId!.Value).Select(i => (long)i).ToArray();
            using var values = model.Forward(torch.tensor(ids).unsqueeze(0));      // [1, T]
            return (double)values[0, ids.Length - 1].item<float>();
        }).ToArray();
        for (int i = 0; i < texts.Length; i++) Assert.Equal(expected[i], scores[i], 1e-4);
        // and so best-of-N ranks as the head does
        Assert.Equal(Enumerable.Range(0, texts.Length).OrderByDescending(i => expected[i]), Enumerable.Range(0, texts.Length).OrderByDescending(i => scores[i]));
        Assert.True(expected.Distinct().Count() == texts.Length, "the fixture's scores should differ so the ranking means something");
    }

    [Fact]
    public void Load_APolicyFolder_IsRefused_NamingTheFolderAndTheMissingHead()
    {
        var config = TinyModels.Qwen2() with { VocabSize = Tokenizer.VocabSize };
        using var lm = TinyModels.Build(config);
        var dir = _dir["policy"];
        HfCheckpoint.Save(lm, config, dir);
        Tokenizer.Save(dir);
        var e = Assert.Throws<InvalidDataException>(() => RewardModelScorer.Load(dir));
        Assert.Contains(dir, e.Message);
        Assert.Contains("score.weight", e.Message);
        Assert.Throws<DirectoryNotFoundException>(() => RewardModelScorer.Load(_dir["missing"]));
    }

    [Fact]
    public void EvalCli_RewardModel_WritesBestOfKAndTheScalingFigures_AndRefusesBadFolders()
    {
        var (rmDir, rm) = SaveRewardModel();
        rm.Dispose();
        var config = TinyModels.Qwen2() with { VocabSize = Tokenizer.VocabSize };
        var policyDir = _dir["policy"];
        using (var lm = TinyModels.Build(config)) HfCheckpoint.Save(lm, config, policyDir);
        Tokenizer.Save(policyDir);
        var data = _dir.File("test.jsonl", "{\"prompt\": \"1+1=\", \"answer\": \"2\"}\n{\"prompt\": \"2+3=\", \"answer\": \"5\"}\n");
        string[] common = ["eval", "--model", policyDir, "--data", data, "--k", "4", "--set", "eval.max_new_tokens=6"];

        var (code, output, error) = AhaCli.Run([.. common, "--reward-model", rmDir, "--scaling", _dir["scaling"]]);
        Assert.True(code == 0, error);
        using var summary = System.Text.Json.JsonDocument.Parse(output);
        Assert.Equal("reward_model", summary.RootElement.GetProperty("best_of_k_scorer").GetString());
        Assert.Equal([1, 2, 4], summary.RootElement.GetProperty("scaling").EnumerateArray().Select(p => p.GetProperty("n").GetInt32()).ToArray());
        foreach (var file in new[] { ScalingFigures.TableFile, ScalingFigures.JsonFile, ScalingFigures.PlotFile })
            Assert.True(File.Exists(Path.Combine(_dir["scaling"], file)), file);

        // a folder that does not exist: the config key and the folder named, exit 2
        var missing = AhaCli.Run([.. common, "--reward-model", _dir["nowhere"]]);
        Assert.Equal(2, missing.ExitCode);
        Assert.StartsWith("error: ", missing.Error);
        Assert.Contains("eval.reward_model", missing.Error);
        Assert.Contains("nowhere", missing.Error);
        // a policy (no scalar head) passed as the reward model
        var wrong = AhaCli.Run([.. common, "--reward-model", policyDir]);
        Assert.Equal(2, wrong.ExitCode);
        Assert.StartsWith("error: ", wrong.Error);
        Assert.Contains("not a reward model", wrong.Error);
        Assert.DoesNotContain("   at ", wrong.Error);
    }
}
