using Aha.Generation;
using Aha.Training;
using TorchSharp;

namespace Aha.Tests.Training;

public sealed class SequenceBatchTests
{
    [Fact]
    public void Layout_LeftPadsPrompts_RightPadsCompletions()
    {
        using var batch = SequenceBatch.Create([[5, 6, 7], [8]], [[1], [2, 3]], padId: 0);
        Assert.Equal(new long[] { 5, 6, 7, 1, 0, 0, 0, 8, 2, 3 }, batch.Ids.data<long>().ToArray());
        Assert.Equal(new long[] { 1, 1, 1, 1, 0, 0, 0, 1, 1, 1 }, batch.AttentionMask.data<long>().ToArray());
        Assert.Equal(new float[] { 1, 0, 1, 1 }, batch.CompletionMask.data<float>().ToArray());
        Assert.Equal((3, 2), (batch.PromptLength, batch.CompletionLength));
    }

    [Fact]
    public void CompletionLogProbs_EqualTheRolloutEnginesLogProbs()
    {
        using var model = TinyModels.Build(TinyModels.Qwen3());
        IReadOnlyList<int>[] prompts = [[1, 2, 3, 4], [5, 6], [7, 8, 9]];
        var completions = new LocalRolloutEngine(model).Generate(prompts, new SamplingParams { MaxNewTokens = 9, Temperature = 0.8, Seed = 2, StopTokenIds = [3, 4, 5] });
        using var batch = SequenceBatch.Create(prompts, completions.Select(c => (IReadOnlyList<int>)c.TokenIds).ToList(), padId: 0);
        using var _ = torch.no_grad();
        using var lp = batch.CompletionLogProbs(model, 0.8);
        for (int b = 0; b < prompts.Length; b++)
            for (int t = 0; t < completions[b].TokenIds.Length; t++)
                Assert.InRange(Math.Abs(lp[b, t].item<float>() - completions[b].LogProbs[t]), 0, 1e-4);
    }

    [Fact]
    public void MismatchedCounts_AreAClearError()
    {
        var e = Assert.Throws<ArgumentException>(() => SequenceBatch.Create([[1]], [[1], [2]], 0));
        Assert.Equal("completions", e.ParamName);
    }
}
