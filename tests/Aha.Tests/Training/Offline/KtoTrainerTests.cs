using Aha.Configuration;
using Aha.Data;
using Aha.Tokenization;
using Aha.Tracking;
using Aha.Training.Offline;

namespace Aha.Tests.Training.Offline;

public sealed class KtoTrainerTests
{
    /// <summary>Unpaired data with a learnable rule: desirable completions start with "x", undesirable ones with "y";
    /// even pairs give their chosen side, odd pairs their rejected side, so no prompt has both.</summary>
    static List<UnpairedExample> XIsDesirable(int n, long seed) =>
        OfflineFixtures.StartsWithXRule(n, seed).Select((p, i) => i % 2 == 0
            ? new UnpairedExample(p.Id, p.Prompt!, p.Chosen, true)
            : new UnpairedExample(p.Id, p.Prompt!, p.Rejected, false)).ToList();

    static UnpairedExample Text(string id, string prompt, string completion, bool label) =>
        new(id, TextOrMessages.FromText(prompt), TextOrMessages.FromText(completion), label);

    [Theory]
    [InlineData("kto")]
    [InlineData("apo_zero_unpaired")]
    public void DesirableLogProbsRiseRelativeToUndesirable_AndTheImplicitRewardsSeparate(string lossType)
    {
        using var policy = OfflineFixtures.Policy();
        var observer = new RecordingObserver();
        var config = new KtoConfig { LearningRate = 2e-3, BatchSize = 16, Epochs = 3, WarmupSteps = 3, MaxLength = 32, LossType = lossType };
        var trainer = new KtoTrainer(policy, OfflineFixtures.Tokenizer, config, observer: observer);
        var eval = XIsDesirable(64, seed: 55);
        var evalRows = trainer.Tokenize(eval, "eval");
        // Mean log π(y|x) of desirable minus undesirable eval completions (no reference model: the policy as it is now).
        double Gap()
        {
            var logps = trainer.ReferenceLogProbs(evalRows);
            return evalRows.Select((r, i) => (r.Desirable, logps[i][0])).Where(p => p.Desirable).Average(p => p.Item2)
                   - evalRows.Select((r, i) => (r.Desirable, logps[i][0])).Where(p => !p.Desirable).Average(p => p.Item2);
        }
        double before = Gap();

        var result = trainer.Train(XIsDesirable(192, seed: 1), eval);

        double after = Gap();
        Assert.True(after > before + 2, $"{lossType}: log-prob gap desirable − undesirable: before {before:F3}, after {after:F3}");
        Assert.True(result.Eval["eval_rewards/chosen"] > 0 && result.Eval["eval_rewards/rejected"] < 0,
            $"chosen {result.Eval["eval_rewards/chosen"]:F3}, rejected {result.Eval["eval_rewards/rejected"]:F3}");
        Assert.Equal(result.Eval["eval_rewards/chosen"] - result.Eval["eval_rewards/rejected"], result.Eval["eval_rewards/margins"], 12);
        // Step 1 sees the untouched policy, the reference: r = 0 and z0 = max(0, 0) = 0, so every loss is 1 − σ(0) = ½
        // (APO-zero: desirable 1 − σ(0), undesirable σ(0), both ½).
        Assert.Equal(0.5, observer.Steps[0].Metrics["loss"], 5);
        Assert.Equal(0, observer.Steps[0].Metrics["kl"], 5);
        var losses = observer.Steps.Select(s => s.Metrics["loss"]).ToList();
        Assert.True(losses.Skip(losses.Count - 3).Average() < 0.45, $"late loss {losses.Skip(losses.Count - 3).Average():F3}");
        foreach (var name in new[] { "loss", "kl", "rewards/chosen", "rewards/rejected", "rewards/margins", "logps/chosen", "logps/rejected", "grad_norm", "learning_rate" })
            Assert.True(observer.Steps[^1].Metrics.ContainsKey(name), name);
    }

    [Fact]
    public void MismatchedCompletion_IsTheNearestEarlierOneWithAnotherPrompt()
    {
        using var policy = OfflineFixtures.Policy();
        var trainer = new KtoTrainer(policy, OfflineFixtures.Tokenizer, new KtoConfig { MaxLength = 32, AppendEos = false });
        // Two prompts, each with a desirable and an undesirable completion, siblings adjacent (as unpaired DPO data).
        var rows = trainer.Tokenize([Text("a+", "ab=", "xa", true), Text("a-", "ab=", "ya", false),
                                     Text("b+", "cd=", "xb", true), Text("b-", "cd=", "yb", false)], "t");
        string Mismatched(int i) => OfflineFixtures.Tokenizer.Decode(rows[i].Rows.Rejected);
        // 0 ← 3 (cyclic), 1 skips its sibling 0 → 3, 2 ← 1, 3 skips its sibling 2 → 1.
        Assert.Equal(["yb", "yb", "ya", "ya"], Enumerable.Range(0, 4).Select(Mismatched));
        Assert.Equal(["xa", "ya", "xb", "yb"], rows.Select(r => OfflineFixtures.Tokenizer.Decode(r.Rows.Chosen)));
        Assert.Equal([true, false, true, false], rows.Select(r => r.Desirable));
        Assert.Throws<ArgumentException>(() => trainer.Tokenize([Text("a", "ab=", "x", true)], "t"));   // nothing to pair with
    }

    [Fact]
    public void Kto_ResumedWithoutReferenceModel_UsesTheSavedReferenceLogProbs()
    {
        var data = XIsDesirable(48, seed: 3);
        var config = new KtoConfig { LearningRate = 2e-3, BatchSize = 8, Epochs = 1, MaxLength = 32 };   // 6 steps
        using var dir = new TempDir();
        using var straight = OfflineFixtures.Policy();
        var all = new RecordingObserver();
        new KtoTrainer(straight, OfflineFixtures.Tokenizer, config, observer: all).Train(data);

        using var first = OfflineFixtures.Policy();
        using var cts = new CancellationTokenSource();
        var a = new KtoTrainer(first, OfflineFixtures.Tokenizer, config);
        a.Train(data, afterStep: s => { if (s == 3) { a.SaveState(dir.Path); cts.Cancel(); } }, cancellationToken: cts.Token);
        Assert.True(File.Exists(Path.Combine(dir.Path, KtoTrainer.ReferenceFile)));

        using var second = OfflineFixtures.Policy(seed: 9);
        var rest = new RecordingObserver();
        var b = new KtoTrainer(second, OfflineFixtures.Tokenizer, config, observer: rest);
        b.LoadState(dir.Path);
        b.Train(data);

        Assert.Equal(3, rest.Steps.Count);
        for (int i = 0; i < 3; i++)
            foreach (var name in new[] { "loss", "kl", "rewards/margins" })
                Assert.Equal(all.Steps[3 + i].Metrics[name], rest.Steps[i].Metrics[name], 1e-4);
    }

    [Fact]
    public void UnbalancedClasses_WithWeightsOutsideThePapersRange_Warn_AndBadKnobsAreListedTogether()
    {
        using var policy = OfflineFixtures.Policy();
        var observer = new RecordingObserver();
        var data = new[] { Text("1", "ab=", "xa", true), Text("2", "bc=", "xb", true), Text("3", "cd=", "xc", true), Text("4", "da=", "yd", false) };
        new KtoTrainer(policy, OfflineFixtures.Tokenizer, new KtoConfig { MaxSteps = 1, BatchSize = 4, MaxLength = 32 }, observer: observer).Train(data);
        // n_D = 3, n_U = 1: λ_D in [1/3, 0.44] or λ_U in [2.26, 3] (TRL's rounding of eq. 8's bounds).
        var warning = Assert.Single(observer.Messages, m => m.Level == TrainingMessageLevel.Warning);
        Assert.Contains("desirable_weight in [0.33, 0.44] OR undesirable_weight in [2.26, 3]", warning.Text);

        var e = Assert.ThrowsAny<ArgumentException>(() => new KtoConfig { LossType = "kto2", UndesirableWeight = 0, Beta = -1 }.Validate());
        Assert.Contains("loss_type 'kto2' is unknown; valid values: apo_zero_unpaired, kto", e.Message);
        Assert.Contains("beta must be > 0", e.Message);
        Assert.Contains("undesirable_weight must be > 0", e.Message);
    }
}
