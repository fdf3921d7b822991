using System.Text.Json.Nodes;
using Aha.Checkpoints;
using Aha.Models;
using TorchSharp;

namespace Aha.Tests.Models;

/// <summary>
/// Logits of checkpoints written by tests/reference/models/make_parity_fixtures.py (an independent PyTorch restatement of
/// Hugging Face's modeling_llama/qwen2/qwen3, checked again by a numpy implementation) against that script's outputs.
/// </summary>
public sealed class LogitsParityTests
{
    [Theory]
    [InlineData("qwen2-tiny")]          // GQA, qkv bias, tied embeddings
    [InlineData("qwen3-tiny")]          // q/k-norm, head_dim ≠ hidden/heads, untied
    [InlineData("llama-tiny")]
    [InlineData("qwen2-tiny-sharded")]  // model.safetensors.index.json with two shards
    [InlineData("qwen2-tiny-bf16")]     // bf16 file into an fp32 model
    public void Logits_MatchReference_Within1e4(string name)
    {
        var dir = Path.Combine("fixtures", "models", name);
        using var model = HfCheckpoint.LoadCausalLM(dir);
        var reference = JsonNode.Parse(File.ReadAllText(Path.Combine(dir, "reference.json")))!;
        using var _ = torch.no_grad();
        foreach (var c in reference["cases"]!.AsArray())
        {
            var ids = ToLong(c!["input_ids"]!);
            var mask = ToLong(c["attention_mask"]!);
            using var idsT = torch.tensor(ids);
            using var maskT = torch.tensor(mask);
            using var logits = model.Forward(idsT, maskT);                    // [B, T, V]
            var expected = c["logits"]!.AsArray();
            double maxDiff = 0;
            int compared = 0;
            for (int b = 0; b < ids.GetLength(0); b++)
                for (int t = 0; t < ids.GetLength(1); t++)
                {
                    if (mask[b, t] == 0) continue;
                    var row = logits[b, t].data<float>().ToArray();
                    var want = expected[b]![t]!.AsArray();
                    Assert.Equal(want.Count, row.Length);
                    for (int v = 0; v < row.Length; v++)
                        maxDiff = Math.Max(maxDiff, Math.Abs(row[v] - (float)want[v]!.GetValue<double>()));
                    compared++;
                }
            Assert.True(compared > 0);
            Assert.True(maxDiff <= 1e-4, $"{name}/{c["name"]}: max |Δlogit| = {maxDiff:E2}");
        }
    }

    /// <summary>
    /// The reference cases have fewer token rows than the projections have output rows, so the blocks scale the
    /// normalised activations by the RMSNorm gain; a batch with more rows takes the gain into the weights instead
    /// (<see cref="GainedLinear"/>). Each sequence of such a batch must get the logits it gets alone.
    /// </summary>
    [Theory]
    [InlineData("qwen2-tiny")]
    [InlineData("qwen3-tiny")]
    [InlineData("llama-tiny")]
    public void Logits_OfABatchThatFoldsTheNormGains_MatchEachSequenceAlone(string name)
    {
        const int batch = 8, length = 12;
        using var model = HfCheckpoint.LoadCausalLM(Path.Combine("fixtures", "models", name));
        var c = model.Config;
        long smallestProjection = Math.Min((long)c.NumKvHeads * c.HeadDim, c.IntermediateSize);
        long largestProjection = Math.Max((long)c.NumHeads * c.HeadDim, c.IntermediateSize);
        Assert.True(batch * length > largestProjection && length < smallestProjection, "the batch must fold, a sequence alone must not");
        using var _ = torch.no_grad();
        using var ids = torch.randint(c.VocabSize, [batch, length], generator: new torch.Generator(11));
        using var together = model.Forward(ids);
        for (int b = 0; b < batch; b++)
        {
            using var alone = model.Forward(ids.narrow(0, b, 1));
            double diff = (together[b] - alone[0]).abs().max().item<float>();
            Assert.True(diff <= 1e-5, $"{name}, sequence {b}: max |Δlogit| = {diff:E2}");
        }
    }

    static long[,] ToLong(JsonNode node)
    {
        var rows = node.AsArray();
        var result = new long[rows.Count, rows[0]!.AsArray().Count];
        for (int i = 0; i < rows.Count; i++)
            for (int j = 0; j < result.GetLength(1); j++)
                result[i, j] = rows[i]![j]!.GetValue<long>();
        return result;
    }
}
