using Aha.Algorithms;
using Aha.Data;
using Aha.Models;
using Aha.Rewards;
using Aha.Tracking;
using Aha.Training;
using Aha.Training.OnPolicy;
using TorchSharp;
using static TorchSharp.torch;

namespace Aha.Tests.Training.OnPolicy;

/// <summary>Token-budget micro-batches and packed forwards in the on-policy trainer: the same losses and gradients as one padded pass.</summary>
public sealed class PackedMicroBatchTests
{
    [Fact]
    public void TokenBudget_TakesRowsInOrderWhileTheyFit_ALongerRowAlone()
    {
        // lengths 100 200 | 50 | 300 (alone: 300 + 10 > 300) | 10 400 → 10 alone, then 400 over the budget alone
        int[] lengths = [100, 200, 50, 300, 10, 400];
        Assert.Equal(new[] { (0, 2), (2, 1), (3, 1), (4, 1), (5, 1) }, TokenBudgetMicroBatches.Split(lengths, 0, 6, 300));
        // within a mini-batch's rows only
        Assert.Equal(new[] { (2, 1), (3, 1) }, TokenBudgetMicroBatches.Split(lengths, 2, 2, 300));
        Assert.Equal(new[] { (0, 3) }, TokenBudgetMicroBatches.Split(new[] { 1, 2, 3 }, 0, 3, 6));
    }

    [Fact]
    public void BatchPlan_WithATokenBudget_KeepsTheMiniBatchNormaliser()
    {
        var config = ToyRl.Config("grpo") with { NumGenerations = 2, PromptsPerStep = 2, MiniBatchSize = 2, MicroBatchTokens = 10 };
        // rows: loss tokens 3 0 5 2 (row 1 masked), prompt + completion lengths 6 4 9 3
        var plan = BatchPlan.Create(new[] { 3, 0, 5, 2 }, new[] { 6, 4, 9, 3 }, config, config.ResolveAlgorithm());
        Assert.Equal(2, plan.MiniBatches.Count);
        Assert.Equal(new[] { (0L, 2L, 3.0) }, plan.MiniBatches[0].Micro);               // 6 + 4 = 10 fits
        Assert.Equal(new[] { (2L, 1L, 5.0), (3L, 1L, 2.0) }, plan.MiniBatches[1].Micro); // 9 + 3 > 10
        Assert.Equal(new AggregationNorm(3, 1, 2, config.MaxNewTokens), plan.MiniBatches[0].Norm);
        Assert.Equal(new AggregationNorm(7, 2, 2, config.MaxNewTokens), plan.MiniBatches[1].Norm);
    }

    [Fact]
    public void Config_RejectsBothMicroBatchSizes_AndANegativeBudget()
    {
        var both = (ToyRl.Config("grpo") with { MicroBatchSize = 8, MicroBatchTokens = 64 }).Problems().ToList();
        Assert.Contains(both, p => p.Key == "micro_batch_tokens" && p.Message.Contains("both set"));
        Assert.Contains((ToyRl.Config("grpo") with { MicroBatchTokens = -1 }).Problems(), p => p.Key == "micro_batch_tokens");
        Assert.Empty((ToyRl.Config("grpo") with { MicroBatchTokens = 64, Packing = true }).Problems());
    }

    [Fact]
    public void PackedForward_GivesThePaddedLogitsAndValues()
    {
        IReadOnlyList<int>[] prompts = [[3, 4], [5], [6, 7, 8, 9], [10, 11, 12]];
        IReadOnlyList<int>[] completions = [[13, 14, 15], [16], [17, 18, 19, 20, 21], []];
        using var batch = SequenceBatch.Create(prompts, completions, padId: 0);
        var padded = new CompletionForward(batch);
        var packed = new CompletionForward(batch, prompts, completions, padId: 0);
        using var model = TinyModels.Build(TinyModels.Qwen2());
        using var critic = new ScalarHeadModel(TinyModels.Qwen2());
        WeightInit.Initialize(critic, 0.2, seed: 2);
        using var scope = torch.NewDisposeScope();
        using var noGrad = torch.no_grad();
        foreach (var (start, count) in new[] { (0L, 4L), (1L, 2L) })
        {
            var mask = batch.CompletionMask.narrow(0, start, count);                                       // [b, C]
            var a = padded.Logits(model, start, count);
            var b = packed.Logits(model, start, count);
            Assert.Equal(a.shape, b.shape);
            Assert.True(((a - b).abs() * mask.unsqueeze(-1)).max().item<float>() < 1e-5f);
            var va = padded.Values(critic, start, count);
            var vb = packed.Values(critic, start, count);
            Assert.True(((va - vb).abs() * mask).max().item<float>() < 1e-5f);
            Assert.True(mask.sum().item<float>() > 0);
        }
    }

    [Theory]
    [InlineData("token-mean")]
    [InlineData("seq-mean-token-mean")]
    [InlineData("seq-mean-token-sum")]
    public void TokenBudgetPackedMicroBatches_GiveTheGradientOfOnePaddedPass(string aggregation)
    {
        var (reference, metrics) = OneStep(aggregation, microBatchTokens: 0, packing: false);
        Assert.True(metrics[MetricNames.CompletionLenMax] > metrics[MetricNames.CompletionLenMean]); // lengths spread, so padding exists
        Assert.True(metrics[MetricNames.GradNorm] > 1e-3);
        foreach (var packing in new[] { false, true })
        {
            // a budget of 24 tokens splits the 32 rows (3–19 tokens each) into many micro-batches
            var (grads, m) = OneStep(aggregation, microBatchTokens: 24, packing);
            for (int i = 0; i < reference.Length; i++)
                for (int j = 0; j < reference[i].Length; j++)
                    Assert.True(Math.Abs(reference[i][j] - grads[i][j]) <= 1e-5, $"packing {packing}: parameter {i}[{j}] {grads[i][j]} vs {reference[i][j]}");
            Assert.Equal(metrics[MetricNames.Loss], m[MetricNames.Loss], 1e-5);
            Assert.Equal(metrics[MetricNames.Entropy], m[MetricNames.Entropy], 1e-5);
            Assert.Equal(metrics[MetricNames.Kl], m[MetricNames.Kl], 1e-5);
        }
    }

    /// <summary>
    /// One GRPO step (β = 0.04, so the reference forwards go through the same path) on prompts of 1–9 tokens whose
    /// completions stop at any digit (≈ 1 in 4 tokens for the random policy) or after 10 tokens; returns the policy's
    /// gradients, which the trainer leaves in place after its single optimiser step (no clipping).
    /// </summary>
    static (float[][] Grads, IReadOnlyDictionary<string, double> Metrics) OneStep(string aggregation, int microBatchTokens, bool packing)
    {
        var tokenizer = ToyRl.Tokenizer();
        var prompts = new[] { "a", "bcd", "efghij", "klmnopqrs" }.Select((p, i) => new PromptItem($"p{i}", p, null)).ToList();
        var config = ToyRl.Config("grpo") with
        {
            Aggregation = aggregation, MicroBatchTokens = microBatchTokens, Packing = packing, MaxGradNorm = null,
            MaxNewTokens = 10, StopTokenIds = tokenizer.Encode("0123456789"), AccuracyReward = null,
        };
        var reward = new DelegateReward("length", s => s.Completion.Length / 10.0);
        using var policy = ToyRl.Policy();
        var observer = new RecordingObserver();
        using var trainer = new OnPolicyTrainer(config, policy, tokenizer, new RewardScorer(reward), new ShuffledPromptSource(prompts, seed: 3), observer: observer);
        trainer.Step();
        var grads = policy.parameters().Select(p =>
        {
            using var g = p.grad!.detach().cpu();
            return g.data<float>().ToArray();
        }).ToArray();
        return (grads, observer.Steps[0].Metrics);
    }
}
