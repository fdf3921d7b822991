using Aha.Tracking;
using Aha.Data;
using Aha.Generation;
using Aha.Training.Offline;

namespace Aha.Training.Runs;

/// <summary>
/// <c>aha rejection-sample</c>: samples <c>sampler.samples_per_prompt</c> completions for every training prompt, keeps
/// the accepted ones and writes them as SFT JSONL (<c>sft.jsonl</c> in the run folder; R1 stage 3). Per-batch metrics
/// and every sample go to metrics.jsonl / completions.jsonl. Seeds are fixed, so resuming simply samples again.
/// </summary>
public static class RejectionSamplingRun
{
    public const string OutputFile = "sft.jsonl";

    public static (RunResult Run, RejectionSamplingResult Result) Run(RejectionSamplingRunConfig config, RunOptions options)
    {
        config = config.Resolve();
        var train = Prompts(config);
        using var run = RunContext.Open(config.Threads, config.Device, config.Model, RunData.Texts(train));
        return Run(run, config, train, options);
    }

    /// <summary>The prompts of a resolved config (<see cref="RejectionSamplingRunConfig.Resolve"/>); none is an error.</summary>
    internal static IReadOnlyList<PromptItem> Prompts(RejectionSamplingRunConfig config)
    {
        var (train, _) = RunData.Prompts(config.Data, requireAnswer: RewardsSetup.Correctness(config.Rewards) is not null);
        if (train.Count == 0) throw new ArgumentException("data: no prompts.", nameof(config));
        return train;
    }

    /// <summary>The sampling stage on an open context (<c>aha rejection-sample</c>, recipe r1's stage 3a).</summary>
    internal static (RunResult Run, RejectionSamplingResult Result) Run(RunContext run, RejectionSamplingRunConfig config,
        IReadOnlyList<PromptItem> train, RunOptions options)
    {
        var policy = run.Policy();
        var (scorer, rewardModel) = RewardsSetup.Build(config.Rewards, config.RewardOptions, config.RewardModel, run.Device);
        run.Own(rewardModel);
        int batches = (train.Count + config.Sampler.PromptsPerBatch - 1) / config.Sampler.PromptsPerBatch;

        var session = run.OpenFolder(config, "rejection-sample", options, batches, keepLast: 1);
        RunHeader.Write(run, "rejection-sample", policy, config.Data, train.Count, 0,
            $"rejection sampling: {config.Sampler.SamplesPerPrompt} samples per prompt, selection {config.Sampler.Selection}, min_reward {config.Sampler.MinReward}");
        var sampler = run.Build(observer => new RejectionSampler(new LocalRolloutEngine(policy, run.Tokenizer), run.Tokenizer, scorer, config.Sampler, observer));
        var output = session.Dir.File(OutputFile);
        var result = sampler.Run(train, output, options.Cancellation);
        return (new RunResult(session.Dir.Path, batches, output, new Dictionary<string, double>
        {
            ["prompts"] = result.Prompts, ["samples"] = result.Samples, ["accepted"] = result.Accepted, ["written"] = result.Written,
            ["accepted_frac"] = result.AcceptedFraction, [MetricNames.RewardMean] = result.MeanReward,
        }, Completed: true), result);
    }
}
