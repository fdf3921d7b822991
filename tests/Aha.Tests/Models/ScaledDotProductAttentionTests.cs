using Aha.Models;
using TorchSharp;
using static TorchSharp.torch;

namespace Aha.Tests.Models;

/// <summary>
/// Both attention kernels (and the size-based choice between them) against a reference written out head by head in
/// float64: query head h reads K/V head h / (nh / nkv), query i of the last T positions sees key j when
/// j ≤ T_k − T + i and the mask allows it, weights softmax(q·k / √D).
/// </summary>
public sealed class ScaledDotProductAttentionTests
{
    const int Heads = 4, KvHeads = 2, Dim = 8;

    public static TheoryData<string, int, int, bool> Cases => new()
    {
        { "causal prefill", 5, 5, false },
        { "decode step", 1, 6, false },
        { "chunk after a cached past", 3, 7, false },
        { "left padding", 5, 5, true },
        { "padded decode step", 1, 6, true },
        // From 2·EagerBlockMinQueries queries the eager kernel splits them into causal blocks: two here.
        { "two-block causal prefill", 64, 64, false },
        { "two-block chunk after a cached past", 65, 80, false },
        { "two-block left padding", 64, 64, true },
        // Beyond 2·EagerBlockQueries queries, blocks of about that many: here three of 133–134.
        { "three-block causal prefill", 400, 400, false },
        { "three-block chunk after a cached past", 400, 450, false },
        { "three-block left padding", 400, 400, true },
    };

    [Theory]
    [MemberData(nameof(Cases))]
    public void BothKernels_MatchHeadByHeadReference(string name, int t, int keys, bool padded)
    {
        var (q, k, v, mask) = Inputs(batch: 2, t, keys, padded, seed: 3);
        using var _ = torch.no_grad();
        var expected = Reference(q, k, v, mask);
        AssertClose(expected, ScaledDotProductAttention.Eager(q, k, v, mask), $"{name}: eager");
        AssertClose(expected, ScaledDotProductAttention.Fused(q, k, v, mask), $"{name}: fused");
    }

    [Theory]
    [InlineData(6)]
    [InlineData(64)] // the eager kernel's two causal blocks
    [InlineData(400)] // three
    public void Gradients_MatchReference(int t)
    {
        var (q, k, v, _) = Inputs(batch: 2, t, keys: t, padded: false, seed: 4);
        var upstream = torch.randn(2, t, Heads, Dim, generator: new Generator(5));
        var expected = Gradients(Reference, q, k, v, upstream);
        foreach (var (kernel, name) in new (Func<Tensor, Tensor, Tensor, Tensor?, Tensor>, string)[]
                 { (ScaledDotProductAttention.Eager, "eager"), (ScaledDotProductAttention.Fused, "fused") })
        {
            var actual = Gradients(kernel, q, k, v, upstream);
            for (int i = 0; i < 3; i++) AssertClose(expected[i], actual[i], $"{name}: d{"qkv"[i]}");
        }
    }

    [Theory]
    [InlineData(16, true)]
    [InlineData(520, false)] // 520·520 scores a head > 512·512
    public void Compute_MatchesReference_OnEitherSideOfTheKernelChoice(int t, bool eager)
    {
        var (q, k, v, _) = Inputs(batch: 1, t, t, padded: false, seed: 6);
        Assert.Equal(eager, ScaledDotProductAttention.PrefersEager(q, k));
        using var _ = torch.no_grad();
        AssertClose(Reference(q, k, v, null), ScaledDotProductAttention.Compute(q, k, v, null), $"T = {t}");
    }

    [Theory]
    [InlineData(32, 4, 128, true)]   // the training benchmark: 2M scores
    [InlineData(64, 4, 256, true)]   // 2^24 scores, the limit
    [InlineData(65, 4, 256, false)]  // past the limit on the whole tensor, though each head is within its own
    [InlineData(1, 4, 512, true)]
    [InlineData(1, 4, 513, false)]
    public void KernelChoice_BoundsTheScoresEagerMaterialises(int batch, int heads, int t, bool eager)
    {
        using var q = torch.empty(batch, heads, t, Dim);
        using var k = torch.empty(batch, KvHeads, t, Dim);
        Assert.Equal(eager, ScaledDotProductAttention.PrefersEager(q, k));
    }

    [Fact]
    public void CausalMask_LetsTheLastTQueriesSeeTheirPast()
    {
        using var mask = AttentionMasks.Causal(2, 4, ScalarType.Float32, CPU); // queries at positions 2 and 3
        var values = mask.data<float>().ToArray();
        float blocked = float.MinValue; // the most negative finite float32
        Assert.Equal(new[] { 0f, 0f, 0f, blocked, 0f, 0f, 0f, 0f }, values);
    }

    static (Tensor Q, Tensor K, Tensor V, Tensor? Mask) Inputs(int batch, int t, int keys, bool padded, int seed)
    {
        var g = new Generator((ulong)seed);
        var q = torch.randn(batch, Heads, t, Dim, generator: g);
        var k = torch.randn(batch, KvHeads, keys, Dim, generator: g);
        var v = torch.randn(batch, KvHeads, keys, Dim, generator: g);
        if (!padded) return (q, k, v, null);
        // Row 0 has two padding positions on the left, row 1 none.
        var keyMask = torch.ones(batch, keys, dtype: ScalarType.Int64);
        keyMask[0, ..2] = torch.tensor(0L);
        return (q, k, v, AttentionMasks.Additive(keyMask, t, keys - t, ScalarType.Float32, CPU));
    }

    static Tensor Reference(Tensor q, Tensor k, Tensor v, Tensor? mask)
    {
        long batch = q.shape[0], t = q.shape[2], keys = k.shape[2];
        var position = torch.arange(keys - t, keys).unsqueeze(1);                 // absolute position of query i
        var causal = torch.arange(keys).unsqueeze(0).le(position);                // [T, T_k]: j ≤ T_k − T + i
        var rows = new List<Tensor>();
        for (long b = 0; b < batch; b++)
            for (long h = 0; h < Heads; h++)
            {
                long kvHead = h / (Heads / KvHeads);
                var qh = q[b, h].to_type(ScalarType.Float64);       // [T, D]
                var kh = k[b, kvHead].to_type(ScalarType.Float64);  // [T_k, D]
                var vh = v[b, kvHead].to_type(ScalarType.Float64);
                var scores = qh.matmul(kh.t()) / Math.Sqrt(Dim);     // [T, T_k]
                var allowed = mask is null ? causal : mask[b, 0].eq(0f);
                // A query with no visible key (a padding position) comes out NaN here: its output is unspecified.
                rows.Add(scores.masked_fill(allowed.logical_not(), double.NegativeInfinity).softmax(-1).matmul(vh));
            }
        return torch.stack(rows).view(batch, Heads, t, Dim).transpose(1, 2); // [B, T, nh, D], as the kernels return it
    }

    static Tensor[] Gradients(Func<Tensor, Tensor, Tensor, Tensor?, Tensor> attention, Tensor q, Tensor k, Tensor v, Tensor upstream)
    {
        var leaves = new[] { q, k, v }.Select(x => x.detach().clone().requires_grad_(true)).ToArray();
        var output = attention(leaves[0], leaves[1], leaves[2], null);
        (output.to_type(ScalarType.Float64) * upstream.to_type(ScalarType.Float64)).sum().backward();
        return leaves.Select(x => x.grad!.detach().clone()).ToArray();
    }

    /// <summary>Compares where the reference is defined; the kernels must be finite everywhere (as HF's are for padding).</summary>
    static void AssertClose(Tensor expected, Tensor actual, string what)
    {
        Assert.Equal(expected.shape, actual.shape);
        Assert.True(actual.isfinite().all().item<bool>(), $"{what}: non-finite output");
        var defined = expected.isnan().logical_not();
        Assert.True(defined.sum().item<long>() > expected.numel() / 2, $"{what}: reference mostly undefined");
        var delta = (expected.to_type(ScalarType.Float64) - actual.to_type(ScalarType.Float64)).abs().masked_fill(defined.logical_not(), 0);
        double diff = delta.max().item<double>();
        Assert.True(diff <= 1e-5, $"{what}: max |Δ| = {diff:E2}");
    }
}
