using Aha.Models;
using Aha.Training;
using Aha.Training.Offline;
using TorchSharp;
using static TorchSharp.torch;

namespace Aha.Tests.Training;

/// <summary>Packed rows (block-diagonal causal attention, positions restarting per sequence) against one padded row per sequence.</summary>
public sealed class PackingTests
{
    static readonly int[] Lengths = [5, 3, 7, 2, 6, 4];

    [Fact]
    public void Packer_IsBestFitDecreasing()
    {
        // Capacity 10, longest first: 7 → row 0 (free 3); 6 → new row 1 (free 4); 5 → new row 2 (free 5);
        // 4 → row 1 fits exactly (free 0, better than row 2's 5); 3 → row 0 fits exactly; 2 → row 2 (the only room).
        var rows = SequencePacker.Pack(Lengths, 10);
        Assert.Equal([[2, 1], [4, 5], [0, 3]], rows.Select(r => r.ToArray()).ToArray());
        Assert.Throws<ArgumentException>(() => SequencePacker.Pack([11], 10));
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public void PackedLogits_EqualEachSequencePadded(bool qwen3)
    {
        using var model = TinyModels.Build(qwen3 ? TinyModels.Qwen3() : TinyModels.Qwen2());
        var sequences = RandomSequences(model.Config.VocabSize);
        using var _ = torch.no_grad();
        using var rows = PackedRows.Create(sequences, capacity: 10, padId: 0);
        Assert.Equal(3, rows.Ids.shape[0]);
        var packed = rows.Unpack(model.Forward(rows.Ids, positionIds: rows.PositionIds, segmentIds: rows.SegmentIds)); // [N, 7, V]
        var (ids, mask) = RightPadded(sequences);
        var padded = model.Forward(ids, mask);                                                                          // [N, 7, V]
        for (int i = 0; i < sequences.Length; i++)
        {
            double diff = (packed[i, ..Lengths[i]] - padded[i, ..Lengths[i]]).abs().max().item<float>();
            Assert.True(diff <= 1e-5, $"sequence {i}: max |Δlogit| = {diff:E2}");
        }
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public void PackedSftLoss_HasThePaddedLossAndGradients(bool qwen3)
    {
        using var model = TinyModels.Build(qwen3 ? TinyModels.Qwen3() : TinyModels.Qwen2());
        var random = new Random(3);
        var sequences = RandomSequences(model.Config.VocabSize)
            .Select(s => new TokenizedSequence(s.ToArray(), s.Select((_, t) => t > 0 && random.Next(3) > 0).ToArray())).ToList();
        using var padded = SftBatch.Create(sequences, padId: 0);
        using var packed = SftBatch.CreatePacked(sequences, capacity: 10, padId: 0);
        Assert.Equal(sequences.Sum(s => s.TrainedCount), packed.LossMask.sum().item<float>());
        var (lossPadded, gradPadded) = LossAndGradients(model, padded);
        var (lossPacked, gradPacked) = LossAndGradients(model, packed);
        Assert.True(Math.Abs(lossPadded - lossPacked) <= 1e-5 * Math.Abs(lossPadded), $"loss {lossPadded} vs {lossPacked}");
        for (int i = 0; i < gradPadded.Count; i++)
        {
            double diff = (gradPadded[i] - gradPacked[i]).abs().max().item<float>();
            Assert.True(diff <= 1e-5, $"parameter {i}: max |Δgrad| = {diff:E2}");
        }
    }

    [Fact]
    public void SftTrainer_WithPacking_TrainsAsWithPadding()
    {
        var config = new SftConfig { LearningRate = 1e-3, BatchSize = 4, MaxLength = 64, MaxSteps = 2, Seed = 3 };
        var data = Offline.OfflineFixtures.CopyTask(8, seed: 1);
        using var padded = Offline.OfflineFixtures.Policy();
        using var packed = Offline.OfflineFixtures.Policy();
        new SftTrainer(padded, Offline.OfflineFixtures.Tokenizer, config).Train(data);
        new SftTrainer(packed, Offline.OfflineFixtures.Tokenizer, config with { Packing = true }).Train(data);
        using var _ = torch.no_grad();
        foreach (var ((name, a), (_, b)) in padded.named_parameters().Zip(packed.named_parameters()))
        {
            double diff = (a - b).abs().max().item<float>();
            Assert.True(diff <= 1e-4, $"{name}: max |Δ| = {diff:E2} after two steps");
        }
    }

    static IReadOnlyList<int>[] RandomSequences(int vocab)
    {
        var random = new Random(1);
        return Lengths.Select(n => (IReadOnlyList<int>)Enumerable.Range(0, n).Select(_ => 1 + random.Next(vocab - 1)).ToArray()).ToArray();
    }

    static (Tensor Ids, Tensor Mask) RightPadded(IReadOnlyList<int>[] sequences)
    {
        int longest = sequences.Max(s => s.Count);
        var ids = new long[sequences.Length, longest];
        var mask = new long[sequences.Length, longest];
        for (int i = 0; i < sequences.Length; i++)
            for (int t = 0; t < sequences[i].Count; t++) { ids[i, t] = sequences[i][t]; mask[i, t] = 1; }
        return (torch.tensor(ids), torch.tensor(mask));
    }

    static (double Loss, List<Tensor> Gradients) LossAndGradients(CausalLM model, SftBatch batch)
    {
        model.zero_grad();
        double loss;
        using (torch.NewDisposeScope())
        {
            var l = SftLoss.TokenSum(model, batch);
            l.backward();
            loss = l.item<float>();
        }
        var grads = model.parameters().Select(p => p.grad!.clone()).ToList();
        model.zero_grad();
        return (loss, grads);
    }
}
