using Aha.Algorithms;
using Aha.Data;
using Aha.Environments;
using Aha.Generation;
using Aha.Models;
using Aha.Tokenization;
using Aha.Training;
using TorchSharp;

namespace Aha.Tests.Environments;

public sealed class MultiTurnRolloutTests
{
    static readonly PromptItem[] Items = [new("a", "12+3=", "15"), new("b", "4*5=", "20"), new("c", "1+1+1=", "3")];

    static CharTokenizer Chars() => CharTokenizer.Create("0123456789+-*=abcdxyz<>/_ \n",
        addedTokens: [.. CharTokenizer.DefaultAddedTokens, "<tool_call>", "</tool_call>", "<tool_response>", "</tool_response>"]);

    static (CausalLM Model, RecordingTokenizer Tokenizer) Setup()
    {
        var tokenizer = new RecordingTokenizer(Chars());
        var model = TinyModels.Build(TinyModels.Qwen2() with { VocabSize = tokenizer.VocabSize }, seed: 3, std: 0.3);
        return (model, tokenizer);
    }

    static SamplingParams Sampling(ITokenizer t, int maxNew = 5) =>
        new() { MaxNewTokens = maxNew, Temperature = 1.0, StopTokenIds = [t.EosTokenId!.Value], Seed = 11 };

    [Fact]
    public void TrajectoryIds_AreTheSampledIdsThenTheObservationIds_AndEarlierTurnsAreNeverEncodedAgain()
    {
        var (model, tokenizer) = Setup();
        using var _ = model;
        var engine = new RecordingEngine(new LocalRolloutEngine(model, tokenizer));
        var format = new RecordingFormat(RawTurnFormat.Instance);
        var factory = new ScriptedFactory(steps: 3);
        var rollout = new MultiTurnRollout(engine, tokenizer, factory, format, new MultiTurnOptions { MaxTurns = 5, MaxTotalTokens = 200 });
        var trajectories = rollout.Run(Items, Sampling(tokenizer));

        // Every text ever encoded is a rendered first observation or a rendered later observation; nothing else
        // (no decoded policy turn, no concatenation of earlier turns) reaches the tokenizer.
        Assert.Equal(format.Prompts.Concat(format.Observations).OrderBy(s => s), tokenizer.Encoded.OrderBy(s => s));
        Assert.Equal(Items.Length, format.Prompts.Count);
        Assert.Equal(Items.Length * 2, format.Observations.Count); // 3 steps: 2 observations then done

        Assert.Equal(3, engine.Calls.Count);
        for (int row = 0; row < Items.Length; row++)
        {
            var traj = trajectories[row];
            Assert.Equal(TrajectoryEnd.Done, traj.End);
            Assert.Equal(3, traj.Turns);
            Assert.Equal(0.25 + 0.25 + 1.0, traj.Reward, 12);
            Assert.Equal(2, traj.ToolCalls);
            // Rebuild the expected ids from what the engine sampled and the observation texts, turn by turn.
            var expected = new List<int>();
            var mask = new List<bool>();
            for (int turn = 0; turn < 3; turn++)
            {
                var (prompts, completions) = engine.Calls[turn];
                Assert.Equal(traj.PromptIds.Concat(expected), prompts[row]);   // the engine continued from the exact ids
                expected.AddRange(completions[row].TokenIds);
                mask.AddRange(completions[row].TokenIds.Select(_ => true));
                if (turn < 2)
                {
                    var obs = Chars().Encode($"<tool_response>{new string('7', turn + 1 + Items[row].Prompt.Length % 3)}</tool_response>");
                    expected.AddRange(obs);
                    mask.AddRange(obs.Select(_ => false));
                }
            }
            Assert.Equal(expected, traj.ResponseIds);
            Assert.Equal(mask, traj.PolicyMask);
        }
        Assert.Equal(Items.Length, factory.Disposed);
    }

    [Fact]
    public void TrainerLogProbs_OfMultiTurnTrajectories_EqualTheEngines()
    {
        var (model, tokenizer) = Setup();
        using var _ = model;
        var rollout = new MultiTurnRollout(new LocalRolloutEngine(model, tokenizer), tokenizer, new ScriptedFactory(steps: 3),
            RawTurnFormat.Instance, new MultiTurnOptions { MaxTurns = 3, MaxTotalTokens = 200 });
        var trajectories = rollout.Run(Items, Sampling(tokenizer, maxNew: 6) with { Temperature = 0.8 });
        Assert.True(trajectories.Select(t => t.ResponseIds.Length).Distinct().Count() > 1, "rows should differ in length (padding is exercised)");

        using var scope = torch.NewDisposeScope();
        using var noGrad = torch.no_grad();
        using var batch = SequenceBatch.Create(trajectories.Select(t => t.PromptIds).ToList(),
            trajectories.Select(t => (IReadOnlyList<int>)t.ResponseIds).ToList(), tokenizer.PadTokenId,
            lossMasks: trajectories.Select(t => (IReadOnlyList<bool>)t.PolicyMask).ToList());
        var logp = batch.CompletionLogProbs(model, temperature: 0.8);        // [B, C]
        var mask = batch.CompletionMask;                                   // [B, C]
        int policyTokens = 0;
        for (int row = 0; row < trajectories.Count; row++)
        {
            var t = trajectories[row];
            var trainer = logp[row].data<float>().ToArray();
            var m = mask[row].data<float>().ToArray();
            for (int i = 0; i < t.ResponseIds.Length; i++)
            {
                Assert.Equal(t.PolicyMask[i] ? 1f : 0f, m[i]);
                if (!t.PolicyMask[i]) continue;
                policyTokens++;
                Assert.InRange(Math.Abs(trainer[i] - t.LogProbs[i]), 0, 1e-4);
            }
        }
        Assert.True(policyTokens > 9);
    }

    [Theory]
    [InlineData(AggregationMode.TokenMean)]
    [InlineData(AggregationMode.SeqMeanTokenMean)]
    [InlineData(AggregationMode.SeqMeanTokenSumNorm)]
    public void OnlyPolicyTokens_CarryLoss(AggregationMode aggregation)
    {
        var (model, tokenizer) = Setup();
        using var _ = model;
        var rollout = new MultiTurnRollout(new LocalRolloutEngine(model, tokenizer), tokenizer, new ScriptedFactory(steps: 2),
            RawTurnFormat.Instance, new MultiTurnOptions { MaxTurns = 2, MaxTotalTokens = 200 });
        var trajectories = rollout.Run(Items, Sampling(tokenizer));

        using var scope = torch.NewDisposeScope();
        using var batch = SequenceBatch.Create(trajectories.Select(t => t.PromptIds).ToList(),
            trajectories.Select(t => (IReadOnlyList<int>)t.ResponseIds).ToList(), tokenizer.PadTokenId,
            lossMasks: trajectories.Select(t => (IReadOnlyList<bool>)t.PolicyMask).ToList());
        var logp = batch.CompletionLogProbs(model).detach().requires_grad_(true);   // [B, C], a leaf
        var advantages = torch.tensor(new float[] { 1f, -0.5f, 2f }).unsqueeze(1).expand_as(logp); // [B, C]
        var (loss, _) = PolicyLoss.Clipped(logp, logp.detach(), advantages, batch.CompletionMask, aggregation,
            norm: AggregationNorm.Of(batch.CompletionMask, lengthNorm: 16));
        loss.backward();
        var grad = logp.grad!;
        for (int row = 0; row < trajectories.Count; row++)
        {
            var g = grad[row].data<float>().ToArray();
            var t = trajectories[row];
            for (int i = 0; i < t.ResponseIds.Length; i++)
                if (t.PolicyMask[i]) Assert.NotEqual(0f, g[i]);
                else Assert.Equal(0f, g[i]);                                   // tool / environment tokens: context only
        }
        Assert.Contains(trajectories, t => t.PolicyMask.Contains(false));
    }

    [Fact]
    public void Limits_EndTrajectories_AndEveryAppendedObservationLeavesRoomForThePolicy()
    {
        var (model, tokenizer) = Setup();
        using var _ = model;
        var turns = new MultiTurnRollout(new LocalRolloutEngine(model, tokenizer), tokenizer, new ScriptedFactory(steps: 10),
            RawTurnFormat.Instance, new MultiTurnOptions { MaxTurns = 2, MaxTotalTokens = 500 }).Run(Items, Sampling(tokenizer));
        Assert.All(turns, t => { Assert.Equal(TrajectoryEnd.MaxTurns, t.End); Assert.Equal(2, t.Turns); Assert.Equal(FinishReason.Length, t.ToCompletion().FinishReason); });

        const int budget = 40;
        var tokens = new MultiTurnRollout(new LocalRolloutEngine(model, tokenizer), tokenizer, new ScriptedFactory(steps: 10),
            RawTurnFormat.Instance, new MultiTurnOptions { MaxTurns = 10, MaxTotalTokens = budget }).Run(Items, Sampling(tokenizer, maxNew: 8));
        Assert.All(tokens, t =>
        {
            Assert.Equal(TrajectoryEnd.MaxTotalTokens, t.End);
            Assert.InRange(t.PromptIds.Count + t.ResponseIds.Length, 1, budget);
            Assert.True(t.PolicyMask[^1], "a trajectory never ends on an observation");
        });
    }

    [Fact]
    public void AFirstObservationThatFillsMaxTotalTokens_IsAClearError_NotASilentlyEmptyTrajectory()
    {
        var (model, tokenizer) = Setup();
        using var _ = model;
        int promptTokens = tokenizer.Encode(RawTurnFormat.Instance.Prompt(new ScriptedFactory(steps: 1).Create().Reset(Items[0]))).Count;
        var e = Assert.Throws<ArgumentException>(() => new MultiTurnRollout(new LocalRolloutEngine(model, tokenizer), tokenizer, new ScriptedFactory(steps: 1),
            RawTurnFormat.Instance, new MultiTurnOptions { MaxTurns = 2, MaxTotalTokens = promptTokens }).Run(Items, Sampling(tokenizer)));
        Assert.Contains($"item '{Items[0].Id}'", e.Message);
        Assert.Contains($"is {promptTokens} tokens", e.Message);
        Assert.Contains($"max_total_tokens = {promptTokens}", e.Message);
        // One token of room is enough to run.
        var ok = new MultiTurnRollout(new LocalRolloutEngine(model, tokenizer), tokenizer, new ScriptedFactory(steps: 1),
            RawTurnFormat.Instance, new MultiTurnOptions { MaxTurns = 2, MaxTotalTokens = promptTokens + 1 }).Run([Items[0]], Sampling(tokenizer));
        Assert.Single(ok[0].ResponseIds);
    }
}
