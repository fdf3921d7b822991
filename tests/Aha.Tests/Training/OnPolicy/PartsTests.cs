using Aha.Data;
using Aha.Models;
using Aha.Rewards;
using Aha.Tracking;
using Aha.Training.OnPolicy;
using TorchSharp;

namespace Aha.Tests.Training.OnPolicy;

public sealed class PartsTests
{
    [Fact]
    public void AdaptiveKl_FollowsZieglerUpdate_ClippedAtTwentyPercent()
    {
        var kl = new KlController(0.1, adaptive: true, target: 6, horizon: 10000);
        kl.Update(12, 32);   // e = clip((12 − 6)/6, ±0.2) = 0.2 → β = 0.1·(1 + 0.2·32/10000) = 0.100064
        Assert.Equal(0.100064, kl.Beta, 1e-15);
        kl.Update(5.4, 100); // e = (5.4 − 6)/6 = −0.1 → β = 0.100064·(1 − 0.1·100/10000) = 0.100064·0.999
        Assert.Equal(0.100064 * 0.999, kl.Beta, 1e-15);
        var fixedKl = new KlController(0.1);
        fixedKl.Update(100, 32);
        Assert.Equal(0.1, fixedKl.Beta);
    }

    [Fact]
    public void PromptSource_VisitsEveryItemOncePerEpoch_AndRestoresFromItsPosition()
    {
        var items = Enumerable.Range(0, 5).Select(i => new PromptItem($"{i}", $"q{i}", null)).ToList();
        var source = new ShuffledPromptSource(items, seed: 11);
        var firstTwoEpochs = Enumerable.Range(0, 10).Select(_ => source.Next().Id).ToList();
        Assert.Equal(items.Select(i => i.Id).Order(), firstTwoEpochs.Take(5).Order());
        Assert.Equal(items.Select(i => i.Id).Order(), firstTwoEpochs.Skip(5).Order());
        Assert.NotEqual(firstTwoEpochs.Take(5), firstTwoEpochs.Skip(5)); // a fresh order each epoch (for this seed)

        var restored = new ShuffledPromptSource(items, seed: 11) { Position = 3 };
        Assert.Equal(firstTwoEpochs.Skip(3), Enumerable.Range(0, 7).Select(_ => restored.Next().Id));
        Assert.Equal(10, restored.Position);
        var unshuffled = new ShuffledPromptSource(items, shuffle: false);
        Assert.Equal(["0", "1", "2", "3", "4", "0"], Enumerable.Range(0, 6).Select(_ => unshuffled.Next().Id));
    }

    [Fact]
    public void RewardModelReward_ScoresTheValueAtTheLastToken_OfPromptThenCompletion()
    {
        var tokenizer = ToyRl.Tokenizer();
        using var model = ToyRl.Critic(seed: 5);
        var reward = new RewardModelReward(model, tokenizer, name: "rm");
        var sample = new RewardSample("ab", "c0d");

        // independently: the per-token values of the concatenated ids, read at the last position
        var ids = tokenizer.Encode("ab").Concat(tokenizer.Encode("c0d")).Select(i => (long)i).ToArray();
        double expected;
        using (torch.no_grad())
        using (var values = model.Forward(torch.tensor(ids).unsqueeze(0)))
            expected = values[0, ids.Length - 1].item<float>();

        var score = reward.Score(sample);
        Assert.Equal("rm", reward.Name);
        Assert.Equal(expected, score.Value!.Value, 1e-6);
        Assert.Equal(5, reward.Tokens(sample).Count);
        Assert.Equal(6, new RewardModelReward(model, tokenizer, appendEos: true).Tokens(sample).Count);
        Assert.Equal(3, new RewardModelReward(model, tokenizer, maxLength: 3).Tokens(sample).Count);
    }

    [Fact]
    public void RewardModelReward_InAParallelScorer_GivesTheSequentialScores()
    {
        using var model = ToyRl.Critic(seed: 5);
        var reward = new RewardModelReward(model, ToyRl.Tokenizer());
        var samples = Enumerable.Range(0, 24).Select(i => new RewardSample("ab", new string("0123456789abcdef"[i % 16], 1 + i % 5))).ToList();
        var sequential = samples.Select(s => reward.Score(s).Value!.Value).ToArray();
        var scorer = new RewardScorer([new WeightedReward(reward)], new RewardScorerOptions { MaxDegreeOfParallelism = 4, Timeout = TimeSpan.FromSeconds(60) });
        var parallel = scorer.ScoreBatch(samples);
        Assert.Empty(parallel.Failures);
        // Same values up to float reduction order: a scorer thread may split the matmuls differently from the test thread.
        var totals = parallel.Totals();
        Assert.Equal(sequential.Length, totals.Length);
        for (int i = 0; i < sequential.Length; i++) Assert.Equal(sequential[i], totals[i], 1e-5);
    }
}

public sealed class RewardModelPpoTests
{
    [Fact]
    public void Ppo_WithARewardModelAsReward_TrainsOnTheModelsScores()
    {
        using var rewardModel = ToyRl.Critic(seed: 9);
        var reward = new RewardModelReward(rewardModel, ToyRl.Tokenizer());
        var config = ToyRl.Config("ppo") with { AccuracyReward = null, LogSamplesPerStep = 32 };
        using var run = ToyRl.Start(config, reward);
        run.Trainer.Train(2);

        // The trainer scored on its reward threads, this test scores on its own: the same values up to float reduction
        // order (as in RewardModelReward_InAParallelScorer_GivesTheSequentialScores).
        foreach (var (_, samples) in run.Observer.Samples)
            foreach (var s in samples)
            {
                double expected = reward.Score(new RewardSample(s.Prompt, s.Completion)).Value!.Value;
                Assert.Equal(expected, s.RewardsByFunction["reward_model"], 1e-5);
                Assert.Equal(s.RewardsByFunction["reward_model"], s.Reward, 1e-12);
            }
        var m = run.Observer.Steps[^1].Metrics;
        Assert.Equal(run.Observer.Samples[^1].Samples.Average(s => s.Reward), m[MetricNames.RewardMean], 1e-9);
        Assert.True(m.ContainsKey(MetricNames.ValueLoss) && m.ContainsKey(MetricNames.KlSequence));
    }
}
