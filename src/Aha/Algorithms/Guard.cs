using TorchSharp;
using static TorchSharp.torch;

namespace Aha.Algorithms;

/// <summary>Argument checks shared by the algorithm functions; every failure names the argument.</summary>
internal static class Guard
{
    public static void Rank(Tensor t, int rank, string name, string shape)
    {
        if (t.dim() != rank)
            throw new ArgumentException($"{name} must have shape {shape}; got [{string.Join(", ", t.shape)}].", name);
    }

    public static void SameShape(Tensor t, Tensor reference, string name, string referenceName)
    {
        if (!t.shape.SequenceEqual(reference.shape))
            throw new ArgumentException(
                $"{name} has shape [{string.Join(", ", t.shape)}] but {referenceName} has shape [{string.Join(", ", reference.shape)}]; they must match.", name);
    }

    /// <summary>A sequence tensor [B] whose B matches the rows of a [B, T] tensor.</summary>
    public static void Rows(Tensor seq, Tensor perToken, string name, string perTokenName)
    {
        Rank(seq, 1, name, "[B]");
        if (seq.shape[0] != perToken.shape[0])
            throw new ArgumentException(
                $"{name} has {seq.shape[0]} rows but {perTokenName} has {perToken.shape[0]}; they must match.", name);
    }

    public static void GroupSize(Tensor rewards, int groupSize, string name)
    {
        if (groupSize < 1)
            throw new ArgumentException($"{name} must be ≥ 1; got {groupSize}.", name);
        if (rewards.shape[0] % groupSize != 0)
            throw new ArgumentException(
                $"{name} ({groupSize}) must divide the batch size B ({rewards.shape[0]}): a group is G consecutive rows.", name);
    }

    /// <summary>NaN rewards are refused rather than silently poisoning a whole group's mean (one sync).</summary>
    public static void NoNaN(Tensor t, string name)
    {
        using var any = t.isnan().any();
        if (any.item<bool>())
            throw new ArgumentException(
                $"{name} contains NaN. Score a failed or inapplicable sample explicitly (e.g. 0) before computing advantages.", name);
    }

    public static void Positive(double value, string name)
    {
        if (!(value > 0))
            throw new ArgumentException($"{name} must be > 0; got {value}.", name);
    }

    public static void InRange(double value, double min, double max, string name)
    {
        if (!(value >= min && value <= max))
            throw new ArgumentException($"{name} must be in [{min}, {max}]; got {value}.", name);
    }
}
