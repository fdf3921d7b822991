using System.Diagnostics;
using Aha.Algorithms;
using Aha.Data;
using Aha.Environments;
using Aha.Generation;
using Aha.Rewards;
using Aha.Tokenization;

namespace Aha.Training.OnPolicy;

/// <summary>
/// One sampled and scored completion. <see cref="Score"/> = Σ weighted rewards + overlong shaping. In a multi-turn run
/// the completion is the whole <see cref="Trajectory"/> after the prompt (policy and observation tokens) and the
/// reward includes the environment's.
/// </summary>
internal sealed record RolloutSample(PromptItem Item, IReadOnlyList<int> PromptIds, Completion Completion, string Text,
    SampleReward Reward, double Overlong)
{
    public double Score => Reward.Total + Overlong;

    /// <summary>The multi-turn episode behind <see cref="Completion"/>, or null for a single-turn sample.</summary>
    public Trajectory? Trajectory { get; init; }

    /// <summary>Per completion token, whether it is the policy's own (null: all are).</summary>
    public IReadOnlyList<bool>? LossMask => Trajectory?.PolicyMask;

    /// <summary>Tokens that carry loss.</summary>
    public int LossTokens => Trajectory?.PolicyTokens ?? Completion.TokenIds.Length;
}

/// <summary>The G completions of one prompt. A group is informative when its scores are not all equal.</summary>
internal sealed record RolloutGroup(IReadOnlyList<RolloutSample> Samples)
{
    public bool Informative => Samples.Any(s => s.Score != Samples[0].Score);
}

/// <summary>
/// What one step collected: the groups to train on, every group sampled (all rounds, for the reward and length
/// metrics: each round samples fresh prompts from the same policy), the number of generation rounds, whether dynamic
/// sampling ran out of rounds with nothing informative, the reward failures, and the seconds spent generating and
/// scoring (on whichever thread collected).
/// </summary>
internal sealed record RolloutResult(IReadOnlyList<RolloutGroup> Trained, IReadOnlyList<RolloutGroup> Sampled, int Rounds,
    bool NothingInformative, IReadOnlyList<RewardFailure> Failures, double GenSeconds = 0, double RewardSeconds = 0);

/// <summary>
/// Pulls prompts, samples G completions each through the rollout engine (or, given environments, G multi-turn
/// trajectories through <see cref="MultiTurnRollout"/>), scores them (rewards + the environment's + DAPO overlong
/// shaping) and, with dynamic sampling, keeps only informative groups until the batch is full or the rounds run out.
/// </summary>
internal sealed class RolloutCollector(
    OnPolicyConfig config, AlgorithmSpec algorithm, IRolloutEngine engine, ITokenizer tokenizer, RewardScorer scorer,
    IPromptSource prompts, SamplingParams sampling, MultiTurnRollout? multiTurn = null)
{
    public RolloutResult Collect(int step)
    {
        var trained = new List<RolloutGroup>();
        var sampled = new List<RolloutGroup>();
        var failures = new List<RewardFailure>();
        var clocks = new RoundClocks();
        int maxRounds = algorithm.DynamicSampling ? config.MaxGenRounds : 1;
        int rounds = 0;
        IReadOnlyList<RolloutGroup> last = [];
        while (rounds < maxRounds && trained.Count < config.PromptsPerStep)
        {
            last = SampleRound(step, rounds++, failures, clocks);
            sampled.AddRange(last);
            // veRL's DAPO keeps whole generation batches of informative groups and truncates the surplus; so do we
            foreach (var g in last)
                if ((!algorithm.DynamicSampling || g.Informative) && trained.Count < config.PromptsPerStep) trained.Add(g);
        }
        bool nothing = trained.Count == 0;
        if (nothing) trained.AddRange(last); // every group had zero variance: train on the last round (advantages ≈ 0)
        return new RolloutResult(trained, sampled, rounds, nothing, failures, clocks.Gen.Elapsed.TotalSeconds, clocks.Reward.Elapsed.TotalSeconds);
    }

    sealed class RoundClocks
    {
        public readonly Stopwatch Gen = new(), Reward = new();
    }

    List<RolloutGroup> SampleRound(int step, int round, List<RewardFailure> failures, RoundClocks clocks)
    {
        int g = config.NumGenerations;
        var items = Enumerable.Range(0, config.PromptsPerStep).Select(_ => prompts.Next()).ToList();
        var seed = SeededRandom.Derive(config.Seed, $"rollout/{step}/{round}");
        IReadOnlyList<Trajectory>? trajectories = null;
        IReadOnlyList<Completion> completions;
        IReadOnlyList<IReadOnlyList<int>> flat;
        int expected = items.Count * g;
        clocks.Gen.Start();
        if (multiTurn is null)
        {
            flat = items.Select(i => tokenizer.Encode(i.Prompt)).SelectMany(p => Enumerable.Repeat(p, g)).ToList();
            completions = engine.Generate(flat, sampling with { Seed = seed });
        }
        else
        {
            trajectories = multiTurn.Run(items.SelectMany(i => Enumerable.Repeat(i, g)).ToList(), sampling with { Seed = seed });
            completions = trajectories.Select(t => t.ToCompletion()).ToList();
            flat = trajectories.Select(t => t.PromptIds).ToList();
        }
        clocks.Gen.Stop();
        if (completions.Count != expected)
            throw new InvalidOperationException($"The rollout engine returned {completions.Count} completions for {expected} prompts.");

        var texts = completions.Select(c => tokenizer.Decode(c.TokenIds, skipSpecialTokens: true)).ToList();
        var rewardSamples = completions.Select((c, k) =>
        {
            var item = items[k / g];
            return new RewardSample(item.Prompt, texts[k], item.Answer, item.Metadata, c.TokenIds.Length);
        }).ToList();
        clocks.Reward.Start();
        var scored = scorer.ScoreBatch(rewardSamples);
        clocks.Reward.Stop();
        failures.AddRange(scored.Failures);

        var groups = new List<RolloutGroup>(items.Count);
        for (int p = 0; p < items.Count; p++)
        {
            var samples = new RolloutSample[g];
            for (int j = 0; j < g; j++)
            {
                int k = p * g + j;
                var reward = trajectories is null ? scored.Samples[k] : MultiTurnMetrics.WithEnvironmentReward(scored.Samples[k], trajectories[k]);
                samples[j] = new RolloutSample(items[p], flat[k], completions[k], texts[k], reward, Overlong(completions[k]))
                    { Trajectory = trajectories?[k] };
            }
            groups.Add(new RolloutGroup(samples));
        }
        return groups;
    }

    /// <summary>DAPO overlong shaping; a truncated completion had not finished, so it counts as one token longer.</summary>
    double Overlong(Completion c)
    {
        if (!algorithm.OverlongShaping) return 0;
        int length = c.TokenIds.Length + (c.Truncated ? 1 : 0);
        int max = config.ResolvedOverlongMaxLength;
        return config.OverlongMode == OverlongMode.Soft
            ? OverlongShaping.Soft(length, max, config.ResolvedOverlongBuffer, config.OverlongPenalty)
            : OverlongShaping.Hard(length, max, config.OverlongPenalty);
    }
}
