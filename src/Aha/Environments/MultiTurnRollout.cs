using Aha.Data;
using Aha.Generation;
using Aha.Tokenization;

namespace Aha.Environments;

/// <summary>
/// Runs environments against the policy through an <see cref="IRolloutEngine"/>, token in, token out: each turn the
/// engine continues every live trajectory from its exact token ids; the sampled ids are appended as they are (loss
/// tokens), the decoded turn goes to the environment, and only the observation it returns is rendered
/// (<see cref="ITurnFormat.Observation"/>) and tokenised, then appended as context. Nothing already in a trajectory
/// is ever rendered or tokenised again, so the trainer's log-probs are computed on the very ids the engine scored.
/// <para>All live trajectories of a turn go to the engine as one batch. Each turn prefills its whole prefix again
/// (the local engine keeps no cache between calls).</para>
/// </summary>
public sealed class MultiTurnRollout
{
    readonly IRolloutEngine _engine;
    readonly ITokenizer _tokenizer;
    readonly IEnvironmentFactory _environments;
    readonly ITurnFormat _format;
    readonly MultiTurnOptions _options;

    public MultiTurnRollout(IRolloutEngine engine, ITokenizer tokenizer, IEnvironmentFactory environments, ITurnFormat format,
        MultiTurnOptions? options = null)
    {
        _engine = engine ?? throw new ArgumentNullException(nameof(engine));
        _tokenizer = tokenizer ?? throw new ArgumentNullException(nameof(tokenizer));
        _environments = environments ?? throw new ArgumentNullException(nameof(environments));
        _format = format ?? throw new ArgumentNullException(nameof(format));
        _options = (options ?? new MultiTurnOptions()).Validate();
    }

    /// <summary>The limits in force.</summary>
    public MultiTurnOptions Options => _options;

    /// <summary>One trajectory per item, in order. <paramref name="sampling"/> applies per turn (MaxNewTokens is per turn).</summary>
    /// <exception cref="ArgumentException">An item's first observation alone fills <see cref="MultiTurnOptions.MaxTotalTokens"/>.</exception>
    public IReadOnlyList<Trajectory> Run(IReadOnlyList<PromptItem> items, SamplingParams sampling)
    {
        ArgumentNullException.ThrowIfNull(items);
        ArgumentNullException.ThrowIfNull(sampling);
        var states = new State[items.Count];
        try
        {
            for (int i = 0; i < items.Count; i++)
            {
                var env = _environments.Create();
                states[i] = new State(items[i], env);
                var prompt = _tokenizer.Encode(_format.Prompt(env.Reset(items[i])));
                if (prompt.Count == 0) throw new InvalidOperationException($"Item '{items[i].Id}': the environment's first observation encodes to no tokens.");
                states[i].PromptIds = prompt.ToArray();
                // Ending such a trajectory before the policy's first turn would train on nothing and log turns/mean 0;
                // it is always a setting to fix (a system turn listing many tools), so say so.
                if (prompt.Count >= _options.MaxTotalTokens)
                    throw new ArgumentException($"max_total_tokens: item '{items[i].Id}': the first observation (system turn, tools and prompt) is {prompt.Count} tokens, " +
                                                $"leaving no room for the policy's turn within max_total_tokens = {_options.MaxTotalTokens}; raise max_total_tokens or list fewer tools.");
            }
            var stops = sampling.StopStrings.Concat(_options.TurnStopStrings).Distinct().ToList();
            for (int turn = 0; turn < _options.MaxTurns; turn++)
            {
                var live = states.Where(s => s.End is null).ToList();
                if (live.Count == 0) break;
                var turnSampling = sampling with { StopStrings = stops, Seed = SeededRandom.Derive(sampling.Seed, $"turn/{turn}") };
                var completions = _engine.Generate(live.Select(s => (IReadOnlyList<int>)s.AllIds()).ToList(), turnSampling);
                if (completions.Count != live.Count)
                    throw new InvalidOperationException($"The rollout engine returned {completions.Count} completions for {live.Count} prompts.");
                for (int k = 0; k < live.Count; k++) Advance(live[k], completions[k], lastTurn: turn == _options.MaxTurns - 1);
            }
            return states.Select(s => s.ToTrajectory()).ToList();
        }
        finally
        {
            foreach (var s in states) s?.Environment.Dispose();
        }
    }

    void Advance(State s, Completion c, bool lastTurn)
    {
        int room = _options.MaxTotalTokens - s.Length;
        int take = Math.Min(c.TokenIds.Length, room);
        for (int t = 0; t < take; t++) s.Add(c.TokenIds[t], c.LogProbs[t], policy: true);
        s.LastFinish = take < c.TokenIds.Length ? FinishReason.Length : c.FinishReason;
        var action = _tokenizer.Decode(c.TokenIds.Take(take), skipSpecialTokens: true);
        s.Actions.Add(action);

        var step = s.Environment.Step(action);
        s.Rewards.Add(step.Reward);
        s.ToolCalls += step.ToolCalls;
        s.ToolErrors += step.ToolErrors;
        if (step.Done) { s.End = TrajectoryEnd.Done; return; }
        if (lastTurn) { s.End = TrajectoryEnd.MaxTurns; return; }
        var observation = _tokenizer.Encode(_format.Observation(step.Observation, s.LastFinish == FinishReason.Eos));
        // An observation with no room for a policy token after it teaches nothing: end here instead.
        if (take < c.TokenIds.Length || s.Length + observation.Count >= _options.MaxTotalTokens) { s.End = TrajectoryEnd.MaxTotalTokens; return; }
        foreach (var id in observation) s.Add(id, 0f, policy: false);
    }

    sealed class State(PromptItem item, IEnvironment environment)
    {
        public readonly PromptItem Item = item;
        public readonly IEnvironment Environment = environment;
        public int[] PromptIds = [];
        public readonly List<int> Response = [];
        public readonly List<bool> Mask = [];
        public readonly List<float> LogProbs = [];
        public readonly List<double> Rewards = [];
        public readonly List<string> Actions = [];
        public int ToolCalls, ToolErrors;
        public TrajectoryEnd? End;
        public FinishReason LastFinish = FinishReason.Length;

        public int Length => PromptIds.Length + Response.Count;

        public void Add(int id, float logProb, bool policy) { Response.Add(id); LogProbs.Add(logProb); Mask.Add(policy); }

        public int[] AllIds() => [.. PromptIds, .. Response];

        public Trajectory ToTrajectory() => new(Item, PromptIds, Response.ToArray(), Mask.ToArray(), LogProbs.ToArray(), Rewards.ToArray(),
            Actions.ToArray(), ToolCalls, ToolErrors, End ?? TrajectoryEnd.MaxTurns, LastFinish);
    }
}
