using Aha.Configuration;
using Aha.Models;
using Aha.Rewards;
using Aha.Tokenization;

namespace Aha.Training.Runs;

/// <summary>The <c>rewards:</c> mapping (name → weight) of a run: built-in rewards and the learned reward model.</summary>
public static class RewardsSetup
{
    /// <summary>The key of the learned reward model (its folder in <c>reward_model</c>).</summary>
    public const string RewardModelName = "reward_model";

    /// <summary>Defaults when <c>rewards</c> is empty: a reward model alone; countdown + format for countdown; else math + format.</summary>
    public static IReadOnlyDictionary<string, double> Defaults(DataSection data, string? rewardModel) =>
        rewardModel is not null ? new Dictionary<string, double> { [RewardModelName] = 1.0 }
        : string.Equals(data.ResolvedTask?.Trim(), "countdown", StringComparison.OrdinalIgnoreCase)
            ? new Dictionary<string, double> { ["countdown"] = 1.0, ["format"] = 0.1 }
            : new Dictionary<string, double> { ["math"] = 1.0, ["format"] = 0.1 };

    /// <summary>The reward that counts as correctness (accuracy, evaluation): countdown or math when present.</summary>
    public static string? Correctness(IReadOnlyDictionary<string, double> rewards) =>
        rewards.ContainsKey("countdown") ? "countdown" : rewards.ContainsKey("math") ? "math" : null;

    public static IEnumerable<ConfigProblem> Problems(IReadOnlyDictionary<string, double> rewards, string? rewardModel)
    {
        foreach (var (name, weight) in rewards)
        {
            if (name != RewardModelName && !BuiltInRewards.Names.Contains(name))
                yield return new ConfigProblem($"rewards.{name}", $"unknown reward '{name}'; known: {string.Join(", ", BuiltInRewards.Names)}, {RewardModelName}.", name);
            if (!double.IsFinite(weight)) yield return new ConfigProblem($"rewards.{name}", $"weight must be finite (got {weight}).", weight);
        }
        if (rewards.ContainsKey(RewardModelName) && rewardModel is null)
            yield return new ConfigProblem("reward_model", $"rewards has '{RewardModelName}' but no reward_model folder is set.");
        if (rewardModel is not null && !Directory.Exists(rewardModel))
            yield return new ConfigProblem("reward_model", $"reward model folder '{rewardModel}' not found.");
    }

    /// <summary>The scorer; the reward model (if any) is loaded from its folder and returned for disposal.</summary>
    public static (RewardScorer Scorer, ScalarHeadModel? RewardModel) Build(IReadOnlyDictionary<string, double> rewards,
        BuiltInRewardOptions options, string? rewardModelDir, TorchSharp.torch.Device device)
    {
        ScalarHeadModel? rm = null;
        var list = new List<WeightedReward>();
        foreach (var (name, weight) in rewards)
        {
            if (name == RewardModelName)
            {
                rm = Checkpoints.HfCheckpoint.LoadScalarHeadModel(rewardModelDir!, device);
                list.Add(new WeightedReward(new RewardModelReward(rm, TokenizerLoader.Load(rewardModelDir!), appendEos: true), weight));
            }
            else list.Add(new WeightedReward(BuiltInRewards.Create(name, options), weight));
        }
        // RewardModelReward serialises calls; a long timeout keeps a slow model from being scored as a failure.
        var scorerOptions = new RewardScorerOptions
        {
            MaxDegreeOfParallelism = Math.Max(1, Math.Min(Environment.ProcessorCount, 4)),
            Timeout = rm is null ? TimeSpan.FromSeconds(5) : Timeout.InfiniteTimeSpan,
        };
        return (new RewardScorer(list, scorerOptions), rm);
    }
}
