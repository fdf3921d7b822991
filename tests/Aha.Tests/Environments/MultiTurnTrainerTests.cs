using Aha.Data;
using Aha.Environments;
using Aha.Rewards;
using Aha.Tests.Training.OnPolicy;
using Aha.Tokenization;
using Aha.Tracking;
using Aha.Training.OnPolicy;

namespace Aha.Tests.Environments;

public sealed class MultiTurnTrainerTests
{
    /// <summary>
    /// Three steps per episode: the first reports one failed tool call, the second one good call (observations "abc"
    /// and "defg"), the third ends with reward 1 when the policy's first turn started with a digit, else 0; the first two
    /// pay 0.25 each.
    /// </summary>
    sealed class DigitEnvironment : IEnvironment
    {
        int _turn;
        bool _digitFirst;
        public IReadOnlyList<ChatMessage> Reset(PromptItem item) { _turn = 0; return [ChatMessage.User(item.Prompt)]; }
        public EnvironmentStep Step(string action)
        {
            if (_turn++ == 0) _digitFirst = action.Length > 0 && char.IsDigit(action[0]);
            return _turn switch
            {
                1 => new EnvironmentStep([ToolMessages.Result("abc")], 0.25, false) { ToolCalls = 1, ToolErrors = 1 },
                2 => new EnvironmentStep([ToolMessages.Result("defg")], 0.25, false) { ToolCalls = 1 },
                _ => EnvironmentStep.Final(_digitFirst ? 1 : 0),
            };
        }
        public void Dispose() { }
    }

    sealed class Factory : IEnvironmentFactory { public IEnvironment Create() => new DigitEnvironment(); }

    /// <summary>Observations become plain text here (the toy alphabet has no tags).</summary>
    sealed class PlainFormat : ITurnFormat
    {
        public string Prompt(IReadOnlyList<ChatMessage> messages) => string.Concat(messages.Select(m => m.Content));
        public string Observation(IReadOnlyList<ChatMessage> messages, bool closed) => string.Concat(messages.Select(m => m.Content));
    }

    static (OnPolicyTrainer Trainer, RecordingObserver Observer, Aha.Models.CausalLM Policy) Start(int g, int prompts)
    {
        var policy = ToyRl.Policy();
        var observer = new RecordingObserver();
        // No reward function of its own: the score is the environment's (a zero-weight reward keeps the scorer non-empty).
        var scorer = new RewardScorer([new WeightedReward(ToyRl.StartsWithDigit, 0)]);
        var config = ToyRl.Config("grpo") with { NumGenerations = g, PromptsPerStep = prompts, MaxNewTokens = 3, LogSamplesPerStep = g * prompts };
        var trainer = new OnPolicyTrainer(config, policy, ToyRl.Tokenizer(), scorer, new ShuffledPromptSource(ToyRl.Prompts, seed: 3),
            observer: observer, environment: new MultiTurnEnvironment(new Factory(), new PlainFormat(), new MultiTurnOptions { MaxTurns = 3, MaxTotalTokens = 100 }));
        return (trainer, observer, policy);
    }

    [Fact]
    public void Step_ReportsTurnsToolCallsAndToolErrors_AndScoresTrajectoriesWithTheEnvironmentsReward()
    {
        var (trainer, observer, policy) = Start(g: 4, prompts: 2);
        using var _ = trainer;
        using var __ = policy;
        var m = trainer.Step();
        Assert.Equal(3.0, m[MultiTurnMetrics.TurnsMean]);       // every episode takes its three steps
        Assert.Equal(2.0, m[MultiTurnMetrics.ToolCallsMean]);   // two calls per episode
        Assert.Equal(0.5, m[MultiTurnMetrics.ToolErrorsFrac]);  // one of the two failed
        var samples = observer.Samples.Single().Samples;
        Assert.Equal(8, samples.Count);
        // score = 0.25 + 0.25 + (1 if the first turn starts with a digit); the sample text is the whole response, whose
        // first character is the first turn's
        foreach (var s in samples)
            Assert.Equal(0.5 + (s.Completion.Length > 0 && char.IsDigit(s.Completion[0]) ? 1 : 0), s.Reward, 12);
        Assert.Equal(samples.Average(s => s.Reward), m[MetricNames.RewardMean], 12);
        Assert.Equal(samples.Average(s => s.Reward), m[MetricNames.RewardFunctionMean(MultiTurnMetrics.EnvironmentReward)], 12);
        Assert.All(samples, s => Assert.Equal(s.Reward, s.RewardsByFunction[MultiTurnMetrics.EnvironmentReward], 12));
    }

    [Fact]
    public void GroupBaselines_AreTakenOverTheGTrajectoriesOfOnePrompt()
    {
        var (trainer, observer, policy) = Start(g: 8, prompts: 2);
        using var _ = trainer;
        using var __ = policy;
        for (int i = 0; i < 3; i++) trainer.Step();
        int informative = 0;
        foreach (var (_, samples) in observer.Samples)
            foreach (var group in samples.Chunk(8))
            {
                Assert.Single(group.Select(s => s.Prompt).Distinct());
                double mean = group.Average(s => s.Reward);
                foreach (var s in group)
                    Assert.Equal(Math.Sign(Math.Round(s.Reward - mean, 9)), Math.Sign(Math.Round(s.Advantage, 6)));
                if (group.Any(s => s.Reward != mean)) informative++;
            }
        Assert.True(informative > 0, "some group should have mixed outcomes");
    }

    [Fact]
    public void PureRlOnTheEnvironmentsReward_LearnsTheRewardedFirstTurn()
    {
        var (trainer, observer, policy) = Start(g: 8, prompts: 4);
        using var _ = trainer;
        using var __ = policy;
        trainer.Train(30);
        var rewards = observer.Steps.Select(s => s.Metrics[MetricNames.RewardMean]).ToList();
        Assert.True(rewards.TakeLast(5).Average() > rewards.Take(5).Average() + 0.3,
            $"reward should rise: first {rewards.Take(5).Average():F2}, last {rewards.TakeLast(5).Average():F2}");
    }
}
