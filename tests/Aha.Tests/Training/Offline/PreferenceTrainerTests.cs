using Aha.Algorithms;
using Aha.Data;
using Aha.Tokenization;
using Aha.Training.Offline;
using TorchSharp;

namespace Aha.Tests.Training.Offline;

public sealed class PreferenceTrainerTests
{
    [Fact]
    public void RewardModel_OnContainsTokenRule_ReachesNinetyPercentPairwiseAccuracy()
    {
        using var model = OfflineFixtures.RewardModel();
        var observer = new RecordingObserver();
        var config = new RewardModelConfig { LearningRate = 3e-3, BatchSize = 16, Epochs = 4, WarmupSteps = 5, EvalSteps = 10, MaxLength = 32 };
        var trainer = new RewardModelTrainer(model, OfflineFixtures.Tokenizer, config, observer);
        var eval = OfflineFixtures.ContainsXRule(64, seed: 77);

        var result = trainer.Train(OfflineFixtures.ContainsXRule(320, seed: 1), eval);

        Assert.True(result.Eval["eval_accuracy"] >= 0.9, $"eval_accuracy {result.Eval["eval_accuracy"]:F3}");
        Assert.True(result.Eval["eval_margin"] > 0);
        foreach (var name in new[] { "loss", "accuracy", "margin", "rewards/chosen", "rewards/rejected", "grad_norm", "learning_rate" })
            Assert.True(observer.Steps[^1].Metrics.ContainsKey(name), name);
        // Score agrees with the trained rule on a fresh pair.
        var scores = trainer.Score([("ab=", "axb"), ("ab=", "abc")]);
        Assert.True(scores[0] > scores[1]);
    }

    [Fact]
    public void Dpo_OnStartsWithXRule_MarginRisesAndRewardAccuracyReachesNinetyPercent()
    {
        using var policy = OfflineFixtures.Policy();
        var observer = new RecordingObserver();
        var config = new DpoConfig { LearningRate = 2e-3, BatchSize = 16, Epochs = 3, Beta = 0.1, WarmupSteps = 3, MaxLength = 32 };
        var trainer = new DpoTrainer(policy, OfflineFixtures.Tokenizer, config, observer: observer);

        var result = trainer.Train(OfflineFixtures.StartsWithXRule(192, seed: 1), OfflineFixtures.StartsWithXRule(64, seed: 55));

        // Step 1 sees the untouched policy, which is the reference: every implicit reward is 0.
        Assert.Equal(0, observer.Steps[0].Metrics["rewards/margins"], 4);
        Assert.Equal(0, observer.Steps[0].Metrics["rewards/chosen"], 4);
        Assert.True(result.Eval["eval_rewards/accuracies"] >= 0.9, $"accuracy {result.Eval["eval_rewards/accuracies"]:F3}");
        Assert.True(result.Eval["eval_rewards/margins"] > 0.5, $"margin {result.Eval["eval_rewards/margins"]:F3}");
        var margins = observer.Steps.Select(s => s.Metrics["rewards/margins"]).ToList();
        Assert.True(margins.Skip(margins.Count - 3).Average() > margins.Take(3).Average() + 0.5);
        foreach (var name in new[] { "loss", "rewards/chosen", "rewards/rejected", "rewards/accuracies", "rewards/margins", "logps/chosen", "logps/rejected" })
            Assert.True(observer.Steps[^1].Metrics.ContainsKey(name), name);
    }

    [Theory]
    [InlineData("hinge")]
    [InlineData("robust")]
    [InlineData("simpo")]
    [InlineData("orpo")]
    public void OtherPreferenceLosses_LearnTheStartsWithXRule(string lossType)
    {
        using var policy = OfflineFixtures.Policy();
        var observer = new RecordingObserver();
        var config = new DpoConfig
        {
            LearningRate = 2e-3, BatchSize = 16, Epochs = 3, Beta = lossType == "orpo" ? 0.5 : 0.1, WarmupSteps = 3, MaxLength = 32,
            LossType = lossType, LabelSmoothing = lossType == "robust" ? 0.1 : 0,
        };
        var result = new DpoTrainer(policy, OfflineFixtures.Tokenizer, config, observer: observer)
            .Train(OfflineFixtures.StartsWithXRule(192, seed: 1), OfflineFixtures.StartsWithXRule(64, seed: 55));
        Assert.True(result.Eval["eval_rewards/accuracies"] >= 0.8, $"{lossType}: accuracy {result.Eval["eval_rewards/accuracies"]:F3}");
        var margins = observer.Steps.Select(s => s.Metrics["rewards/margins"]).ToList();
        Assert.True(margins.Skip(margins.Count - 3).Average() > margins.Take(3).Average(), $"{lossType}: margins should rise");
        if (lossType == "orpo")
            foreach (var name in new[] { "log_odds_ratio", "log_odds_chosen", "nll_loss" }) Assert.True(observer.Steps[^1].Metrics.ContainsKey(name), name);
    }

    [Fact]
    public void Dpo_WithVeryLargeBeta_PolicyStaysNearTheReference()
    {
        var train = OfflineFixtures.StartsWithXRule(96, seed: 2);
        double Drift(double beta)
        {
            using var policy = OfflineFixtures.Policy();
            // A small LR and many steps: Adam moves every run by ~lr per step at first, so β shows in where the drift stops.
            var config = new DpoConfig { LearningRate = 1e-4, BatchSize = 16, Epochs = 24, Beta = beta, MaxLength = 32 };
            var trainer = new DpoTrainer(policy, OfflineFixtures.Tokenizer, config);
            var pairs = PairsOf(train);
            var before = trainer.ReferenceLogProbs(pairs);
            trainer.Train(train);
            var after = trainer.ReferenceLogProbs(pairs);   // no reference model: log-probs of the policy as it is now
            // Mean |log π_θ(y) − log π_ref(y)| over chosen and rejected: the sequence-level log-ratio a KL is made of.
            return before.Zip(after).Average(p => (Math.Abs(p.Second[0] - p.First[0]) + Math.Abs(p.Second[1] - p.First[1])) / 2);
        }
        double small = Drift(0.1), large = Drift(1000);
        // Measured: β = 0.1 drifts ≈ 3 nats per sequence, β = 1000 ≈ 0.3.
        Assert.True(large < 0.2 * small, $"drift β=0.1: {small:F3}, β=1000: {large:F3}");
        Assert.True(large < 0.5, $"drift β=1000: {large:F3}");
    }

    [Fact]
    public void Dpo_ResumedWithoutReferenceModel_UsesTheSavedReferenceLogProbs()
    {
        var data = OfflineFixtures.StartsWithXRule(48, seed: 3);
        var config = new DpoConfig { LearningRate = 2e-3, BatchSize = 8, Epochs = 1, MaxLength = 32 };   // 6 steps
        using var dir = new TempDir();
        using var straight = OfflineFixtures.Policy();
        var all = new RecordingObserver();
        new DpoTrainer(straight, OfflineFixtures.Tokenizer, config, observer: all).Train(data);

        using var first = OfflineFixtures.Policy();
        using var cts = new CancellationTokenSource();
        var a = new DpoTrainer(first, OfflineFixtures.Tokenizer, config);
        a.Train(data, afterStep: s => { if (s == 3) { a.SaveState(dir.Path); cts.Cancel(); } }, cancellationToken: cts.Token);

        using var second = OfflineFixtures.Policy(seed: 9);
        var rest = new RecordingObserver();
        var b = new DpoTrainer(second, OfflineFixtures.Tokenizer, config, observer: rest);
        b.LoadState(dir.Path);
        b.Train(data);

        Assert.Equal(3, rest.Steps.Count);
        for (int i = 0; i < 3; i++)
            Assert.Equal(all.Steps[3 + i].Metrics["rewards/margins"], rest.Steps[i].Metrics["rewards/margins"], 1e-4);
    }

    [Theory]
    [InlineData("simpo", false)]
    [InlineData("orpo", false)]
    [InlineData("sigmoid", true)]
    public void ReferenceFreeLosses_NeverRunTheReferenceModel_AndSaveNoReferenceLogProbs(string lossType, bool needsReference)
    {
        // A disposed reference model fails on any forward, so a run that finishes never touched it.
        var reference = OfflineFixtures.Policy(seed: 4);
        reference.Dispose();
        using var policy = OfflineFixtures.Policy();
        var config = new DpoConfig { LearningRate = 1e-3, BatchSize = 4, MaxSteps = 2, MaxLength = 32, LossType = lossType };
        var trainer = new DpoTrainer(policy, OfflineFixtures.Tokenizer, config, reference);
        Assert.Equal(needsReference, trainer.Loss.NeedsReference);
        var data = OfflineFixtures.StartsWithXRule(8, seed: 6);
        if (needsReference)
        {
            Assert.ThrowsAny<Exception>(() => trainer.Train(data));
            return;
        }
        Assert.Equal(2, trainer.Train(data, data).Steps);
        using var dir = new TempDir();
        trainer.SaveState(dir.Path);
        Assert.False(File.Exists(Path.Combine(dir.Path, DpoTrainer.ReferenceFile)));
    }

    [Fact]
    public void ChatPreferencePair_PromptEndsWithGenerationPrompt_CompletionIsTheAssistantTurn()
    {
        var pair = new PreferenceExample("c", TextOrMessages.FromMessages([ChatMessage.User("hi")]),
            TextOrMessages.FromMessages([ChatMessage.Assistant("yes")]), TextOrMessages.FromMessages([ChatMessage.Assistant("no")]));
        var (prompt, chosen, rejected) = OfflineTokenization.PairTexts(pair, ChatTemplate.Default);
        Assert.Equal("<|im_start|>user\nhi<|im_end|>\n<|im_start|>assistant\n", prompt);
        Assert.Equal("yes<|im_end|>", chosen);
        Assert.Equal("no<|im_end|>", rejected);

        // An implicit prompt: the shared leading messages.
        var implicitPair = new PreferenceExample("i", null,
            TextOrMessages.FromMessages([ChatMessage.User("hi"), ChatMessage.Assistant("yes")]),
            TextOrMessages.FromMessages([ChatMessage.User("hi"), ChatMessage.Assistant("no")]));
        Assert.Equal((prompt, chosen, rejected), OfflineTokenization.PairTexts(implicitPair, ChatTemplate.Default));

        // Text pairs get EOS on each completion.
        var tok = OfflineFixtures.Tokenizer;
        var text = OfflineTokenization.Pair(new PreferenceExample("t", TextOrMessages.FromText("a="), TextOrMessages.FromText("b"), TextOrMessages.FromText("c")),
            tok, ChatTemplate.Default, 32, appendEos: true)!;
        Assert.Equal(new[] { tok.TokenToId("b")!.Value, tok.EosTokenId!.Value }, text.Chosen);
    }

    static List<TokenizedPair> PairsOf(IEnumerable<PreferenceExample> data) =>
        data.Select(e => OfflineTokenization.Pair(e, OfflineFixtures.Tokenizer, ChatTemplate.Default, 32, appendEos: true)!).ToList();
}
