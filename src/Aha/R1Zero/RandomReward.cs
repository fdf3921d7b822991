using System.Security.Cryptography;
using System.Text;
using Aha.Rewards;

namespace Aha.R1Zero;

/// <summary>
/// The control of <c>--control random-reward</c> (after "Spurious Rewards", Shao et al. 2025): a coin flip,
/// 1 with probability <see cref="P"/>, that ignores correctness. To stay deterministic while rewards are scored in
/// parallel, the k-th time a given (prompt, completion) pair is scored it gets the flip hashed from (seed, prompt,
/// completion, k): identical samples in a batch receive the same multiset of rewards whatever the thread order, and a
/// repeated completion does not keep one fixed reward (which would be a consistent, learnable target).
/// </summary>
public sealed class RandomReward(long seed, double p = 0.5, string name = "random") : IRewardFunction
{
    readonly Dictionary<string, int> _seen = new(StringComparer.Ordinal);

    public string Name { get; } = name;
    public double P { get; } = p;

    public RewardScore Score(RewardSample sample, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(sample);
        var key = sample.Prompt + "\u0001" + sample.Completion;
        int k;
        lock (_seen)
        {
            k = _seen.GetValueOrDefault(key);
            _seen[key] = k + 1;
        }
        var hash = SHA256.HashData(Encoding.UTF8.GetBytes($"{seed}\u0001{k}\u0001{key}"));
        double u = (BitConverter.ToUInt64(hash, 0) >> 11) * (1.0 / (1UL << 53));
        return RewardScore.Of(u < P ? 1 : 0, null, "coin flip (random-reward control)");
    }
}
