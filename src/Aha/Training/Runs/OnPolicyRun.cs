using Aha.Algorithms;
using Aha.Data;
using Aha.Environments;
using Aha.Tracking;
using Aha.Training.OnPolicy;

namespace Aha.Training.Runs;

/// <summary>
/// <c>aha grpo</c> / <c>aha ppo</c>: builds the tokenizer, policy (and critic for <c>gae</c>), rewards and prompt
/// stream from an <see cref="OnPolicyRunConfig"/>, then trains <c>steps</c> steps with checkpoints every N steps,
/// saving the final policy as a HF folder (<c>final/</c>, tokenizer included) and an evaluation (<c>eval.json</c>).
/// Resuming rebuilds the same starting models from the same resolved config, loads the newest checkpoint and
/// continues; on CPU the resumed steps reproduce the uninterrupted run's metrics.
/// </summary>
public static class OnPolicyRun
{
    public const string EvalFile = "eval.json", EvalStartFile = "eval_start.json";

    public static RunResult Run(OnPolicyRunConfig config, RunOptions options, string prefix = "grpo")
    {
        var inputs = Inputs.Read(config);
        using var run = RunContext.Open(inputs.Config.Threads, inputs.Config.Device, inputs.Config.Model, RunData.Texts(inputs.Train.Concat(inputs.Eval)));
        return Run(run, inputs, options, prefix);
    }

    /// <summary>What the RL stage runs: the resolved config, its algorithm (resolved once) and its prompts.</summary>
    internal sealed record Inputs(OnPolicyRunConfig Config, AlgorithmSpec Algorithm, IReadOnlyList<PromptItem> Train, IReadOnlyList<PromptItem> Eval)
    {
        /// <summary>Resolves <paramref name="config"/> and reads its prompts; no training prompt is an error.</summary>
        public static Inputs Read(OnPolicyRunConfig config)
        {
            config = config.Resolve(out var algorithm);
            var (train, eval) = RunData.Prompts(config.Data, requireAnswer: RewardsSetup.Correctness(config.Rewards) is not null);
            if (train.Count == 0) throw new ArgumentException("data: no training prompts.", nameof(config));
            return new Inputs(config, algorithm, train, eval);
        }
    }

    /// <summary>The RL stage on an open context (<c>aha grpo</c>/<c>ppo</c>, recipe r1's stages 2 and 4): policy, critic,
    /// rewards, engine and environment, the run folder, the trainer, <see cref="OnPolicyStage"/>, <c>final/</c> and evaluation.</summary>
    internal static RunResult Run(RunContext run, Inputs inputs, RunOptions options, string prefix = "grpo")
    {
        var (config, algorithm, train, eval) = inputs;
        var correctness = RewardsSetup.Correctness(config.Rewards);
        var policy = run.Policy();
        var valueModel = algorithm.NeedsCritic ? run.ScalarHead(seedOffset: 1) : null;
        var (scorer, rewardModel) = RewardsSetup.Build(config.Rewards, config.RewardOptions, config.RewardModel, run.Device);
        run.Own(rewardModel);
        var engine = run.Own(config.Rollout.CreateEngine());
        MultiTurnEnvironment? environment = null;
        if (config.Environment.HasTools)
        {
            // Started after everything cheaper to check, before the run folder: a server that cannot start leaves none.
            var (built, servers) = config.Environment.Build();
            foreach (var server in servers) run.Own(server);
            environment = built;
        }

        var session = run.OpenFolder(config, prefix, options, config.Steps, config.Checkpointing.KeepLast);
        RunHeader.Write(run, prefix, policy, config.Data, train.Count, eval.Count, RunHeader.Describe(config.Trainer.Preset, algorithm));
        using var trainer = run.Build(observer => new OnPolicyTrainer(config.Trainer, policy, run.Tokenizer, scorer,
            new ShuffledPromptSource(train, config.Data.Seed), valueModel, engine, observer, environment, config.Rollout.Schedule, algorithm: algorithm)
        {
            PlannedSteps = config.Steps,
        });
        try
        {
            return Train(config, options, run, session, trainer, policy, eval, correctness, environment);
        }
        catch (Exception e) when (session.LogFatal(e))
        {
            throw; // never reached: LogFatal returns false, so the exception propagates unchanged
        }
    }

    static RunResult Train(OnPolicyRunConfig config, RunOptions options, RunContext run, RunSession session, OnPolicyTrainer trainer,
        Models.CausalLM policy, IReadOnlyList<Data.PromptItem> eval, string? correctness, MultiTurnEnvironment? environment)
    {
        var tokenizer = run.Tokenizer;
        bool evaluate = correctness is not null && eval.Count > 0;
        if (session.ResumeFrom is null && evaluate && config.Eval.AtStart) Evaluate(config, policy, tokenizer, eval, correctness!, session, EvalStartFile, environment);

        var result = OnPolicyStage.Run(session, trainer, config.Steps, config.Checkpointing.Every, options.Cancellation);
        if (!result.Completed) return result;
        run.SaveFinal(policy);
        if (evaluate && config.Eval.AtEnd) Evaluate(config, policy, tokenizer, eval, correctness!, session, EvalFile, environment);
        return result;
    }

    static void Evaluate(OnPolicyRunConfig config, Models.CausalLM policy, Tokenization.ITokenizer tokenizer,
        IReadOnlyList<Data.PromptItem> eval, string correctness, RunSession session, string file, MultiTurnEnvironment? environment)
    {
        var report = RunEvaluation.Evaluate(policy, tokenizer, eval, config.Eval, correctness, config.RewardOptions,
            config.Trainer.MaxNewTokens, config.Trainer.Seed, environment);
        RunEvaluation.Write(session.Dir.File(file), report);
        session.Tracker.OnMessage(TrainingMessageLevel.Info,
            $"{file}: greedy pass@1 {report.GreedyPass1:F3}, sampled pass@1 {report.SampledPass1:F3}, pass@{report.K} {report.PassAtK:F3}, " +
            $"maj@{report.K} {report.MajAtK:F3}, format {report.FormatRate:F3} over {report.ProblemCount} problems");
    }
}
