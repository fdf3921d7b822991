using TorchSharp;
using static TorchSharp.torch;

namespace Aha.Algorithms;

/// <summary>Diagnostics of the critic loss, read once.</summary>
/// <param name="ClipFraction">Masked fraction of tokens where the clipped term is the larger one (veRL vf_clipfrac).</param>
/// <param name="ValueMean">Masked mean of V.</param>
/// <param name="ExplainedVariance">1 − Var(R − V)/Var(R); NaN when Var(R) = 0.</param>
public sealed record ValueLossStats(double ClipFraction, double ValueMean, double ExplainedVariance);

/// <summary>PPO critic loss (veRL <c>compute_value_loss</c>). values, oldValues, returns, mask: [B, T] → scalar.</summary>
public static class ValueLoss
{
    /// <summary>
    /// Clipped value loss (PPO, arXiv:1707.06347; OpenAI baselines):
    /// ½·agg(max((V − R)², (V_old + clip(V − V_old, −c, c) − R)²)), c default 0.2; null disables clipping.
    /// Aggregation default token-mean (veRL).
    /// </summary>
    public static (Tensor Loss, ValueLossStats Stats) Clipped(Tensor values, Tensor oldValues, Tensor returns, Tensor mask,
        double? clipRange = 0.2, AggregationMode aggregation = AggregationMode.TokenMean, AggregationNorm? norm = null)
    {
        Guard.Rank(values, 2, nameof(values), "[B, T]");
        Guard.SameShape(oldValues, values, nameof(oldValues), nameof(values));
        Guard.SameShape(returns, values, nameof(returns), nameof(values));
        Guard.SameShape(mask, values, nameof(mask), nameof(values));
        if (clipRange is double c0 && !(c0 > 0))
            throw new ArgumentException($"{nameof(clipRange)} must be > 0 (or null for no clipping); got {c0}.", nameof(clipRange));

        var ret = returns.detach();
        var unclipped = (values - ret).square();                          // [B, T]
        Tensor perToken = unclipped, clippedIsLarger;
        if (clipRange is double c)
        {
            var old = oldValues.detach();
            var vClipped = old + (values - old).clamp(-c, c);             // [B, T]
            var clipped = (vClipped - ret).square();                      // [B, T]
            perToken = torch.maximum(unclipped, clipped);
            clippedIsLarger = clipped.detach().gt(unclipped.detach());
        }
        else clippedIsLarger = torch.zeros_like(values, dtype: ScalarType.Bool);
        var loss = 0.5 * LossAggregation.Aggregate(perToken, mask, aggregation, norm);

        using var _ = torch.no_grad();
        var m = Masked.As(mask, values);
        var reads = new Scalars();
        var (clipFraction, meanValue) = (reads.Add(Masked.Mean(clippedIsLarger.to(m.dtype), m)), reads.Add(Masked.Mean(values.detach(), m)));
        reads.Read();
        return (loss, new ValueLossStats(clipFraction.Value, meanValue.Value, ExplainedVariance(values, returns, mask)));
    }

    /// <summary>
    /// Explained variance 1 − Var_m(R − V) / Var_m(R) over masked tokens (1: perfect critic, ≤ 0: no better than a
    /// constant); NaN when the returns have zero variance. For logging. values, returns, mask: [B, T] → double.
    /// </summary>
    public static double ExplainedVariance(Tensor values, Tensor returns, Tensor mask)
    {
        Guard.Rank(values, 2, nameof(values), "[B, T]");
        Guard.SameShape(returns, values, nameof(returns), nameof(values));
        Guard.SameShape(mask, values, nameof(mask), nameof(values));
        using var _ = torch.no_grad();
        var v = values.detach().to_type(ScalarType.Float64);
        var r = returns.detach().to_type(ScalarType.Float64);
        var m = Masked.As(mask, v);
        var reads = new Scalars();
        var (residualVariance, returnVariance) = (reads.Add(Masked.Variance(r - v, m)), reads.Add(Masked.Variance(r, m)));
        reads.Read();
        return returnVariance.Value == 0 ? double.NaN : 1 - residualVariance.Value / returnVariance.Value;
    }
}
