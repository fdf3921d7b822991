using Aha.Generation;
using Aha.Models;
using TorchSharp;
using static TorchSharp.torch;

namespace Aha.Tests.Generation;

public sealed class RolloutEngineTests
{
    static readonly IReadOnlyList<int>[] Prompts = [[1, 2, 3, 4, 5], [7, 8], [9, 10, 11]];

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public void ReturnedLogProbs_EqualTeacherForcedForward(bool qwen3)
    {
        using var model = TinyModels.Build(qwen3 ? TinyModels.Qwen3() : TinyModels.Qwen2());
        var engine = new LocalRolloutEngine(model);
        var sampling = new SamplingParams { MaxNewTokens = 12, Temperature = 0.7, TopK = 20, TopP = 0.9, Seed = 5 };
        var completions = engine.Generate(Prompts, sampling);

        // One forward over each prompt + completion, unpadded, log softmax(logits / T) at the completion tokens.
        using var _ = torch.no_grad();
        foreach (var c in completions)
        {
            var full = c.PromptIds.Concat(c.TokenIds).Select(i => (long)i).ToArray();
            using var ids = torch.tensor(full).unsqueeze(0);
            using var lp = TeacherForcedLogProbs.OfSequence(model, ids, torch.ones_like(ids), 0.7); // [1, T-1]
            var expected = lp[0].narrow(0, c.PromptIds.Count - 1, c.TokenIds.Length).data<float>().ToArray();
            for (int i = 0; i < expected.Length; i++)
                Assert.InRange(Math.Abs(expected[i] - c.LogProbs[i]), 0, 1e-4);
        }
    }

    [Fact]
    public void ModelWithMoreRowsThanTheTokenizer_NeverSamplesAnIdTheTokenizerLacks()
    {
        // As real Qwen checkpoints: 40 embedding rows, a tokenizer with fewer ids. Random weights at a high temperature
        // spread the mass over all 40 rows, so 256 unmasked draws would hit the extra ids almost surely.
        using var model = TinyModels.Build(TinyModels.Qwen2());
        var tokenizer = Aha.Tokenization.CharTokenizer.Create("0123456789");
        Assert.True(tokenizer.VocabSize < model.Config.VocabSize);
        var completions = new LocalRolloutEngine(model, tokenizer).Generate(
            Enumerable.Repeat<IReadOnlyList<int>>([1, 2, 3], 8).ToList(), new SamplingParams { MaxNewTokens = 32, Temperature = 2, Seed = 3 });
        var ids = completions.SelectMany(c => c.TokenIds).ToList();
        Assert.Equal(256, ids.Count);
        Assert.All(ids, id => Assert.InRange(id, 0, tokenizer.VocabSize - 1));
        Assert.All(completions.SelectMany(c => c.LogProbs), lp => Assert.True(float.IsFinite(lp)));
        // Without a tokenizer the engine knows no bound and samples every row (the control: the mask is what holds).
        var free = new LocalRolloutEngine(model).Generate(
            Enumerable.Repeat<IReadOnlyList<int>>([1, 2, 3], 8).ToList(), new SamplingParams { MaxNewTokens = 32, Temperature = 2, Seed = 3 });
        Assert.Contains(free.SelectMany(c => c.TokenIds), id => id >= tokenizer.VocabSize);
    }

    [Fact]
    public void PromptPlusNewTokens_BeyondThePositions_IsRefused()
    {
        using var model = TinyModels.Build(TinyModels.Qwen2() with { MaxPositionEmbeddings = 8 });
        var engine = new LocalRolloutEngine(model);
        var e = Assert.Throws<ArgumentException>(() => engine.Generate([[1, 2, 3]], new SamplingParams { MaxNewTokens = 6 }));
        Assert.Contains("exceeds the model's 8 positions", e.Message);
        Assert.Equal(5, engine.Generate([[1, 2, 3]], new SamplingParams { MaxNewTokens = 5, Temperature = 0 })[0].TokenIds.Length);
    }

    [Fact]
    public void Greedy_WithAndWithoutKvCache_IsIdentical()
    {
        using var model = TinyModels.Build(TinyModels.Qwen2());
        var engine = new LocalRolloutEngine(model);
        var greedy = new SamplingParams { MaxNewTokens = 16, Temperature = 0 };
        var cached = engine.Generate(Prompts, greedy);
        var recomputed = engine.Generate(Prompts, greedy with { UseKvCache = false });
        for (int b = 0; b < Prompts.Length; b++)
        {
            Assert.Equal(recomputed[b].TokenIds, cached[b].TokenIds);
            Assert.Equal(16, cached[b].TokenIds.Length);
        }
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public void SharedPromptPrefill_GivesTheCompletionsOfPrefillingEveryRow(bool qwen3)
    {
        // Groups of repeated prompts, interleaved and of different lengths, as GRPO's G completions per prompt.
        IReadOnlyList<int>[] groups = [Prompts[0], Prompts[1], Prompts[0], Prompts[2], Prompts[1], Prompts[0], Prompts[2], Prompts[1]];
        using var model = TinyModels.Build(qwen3 ? TinyModels.Qwen3() : TinyModels.Qwen2());
        var engine = new LocalRolloutEngine(model);
        var greedy = new SamplingParams { MaxNewTokens = 16, Temperature = 0 };
        var shared = engine.Generate(groups, greedy);
        var unshared = engine.Generate(groups, greedy with { SharePromptPrefill = false });
        CompletionAssert.Same(unshared, shared);
        Assert.All(shared, c => Assert.Equal(16, c.TokenIds.Length));
        // Sampling at T = 1 with one seed: the same draws, so the same tokens, with log-probs within rounding.
        var sampling = new SamplingParams { MaxNewTokens = 16, Temperature = 1, Seed = 9 };
        var sampledShared = engine.Generate(groups, sampling);
        var sampledUnshared = engine.Generate(groups, sampling with { SharePromptPrefill = false });
        CompletionAssert.Same(sampledUnshared, sampledShared);
    }

    [Fact]
    public void SameSeed_SameSamples_DifferentSeed_DifferentSamples()
    {
        using var model = TinyModels.Build(TinyModels.Qwen2());
        var engine = new LocalRolloutEngine(model);
        var sampling = new SamplingParams { MaxNewTokens = 20, Temperature = 1.0, Seed = 42 };
        var a = engine.Generate(Prompts, sampling);
        var b = engine.Generate(Prompts, sampling);
        var c = engine.Generate(Prompts, sampling with { Seed = 43 });
        Assert.True(a.Zip(b).All(p => p.First.TokenIds.SequenceEqual(p.Second.TokenIds)));
        Assert.False(a.Zip(c).All(p => p.First.TokenIds.SequenceEqual(p.Second.TokenIds)));
    }

    [Fact]
    public void LeftPadding_DoesNotChangeAnySequence()
    {
        using var model = TinyModels.Build(TinyModels.Qwen3());
        var engine = new LocalRolloutEngine(model);
        var greedy = new SamplingParams { MaxNewTokens = 10, Temperature = 0 };
        var batched = engine.Generate(Prompts, greedy);
        for (int b = 0; b < Prompts.Length; b++)
        {
            var alone = engine.Generate([Prompts[b]], greedy)[0];
            Assert.Equal(alone.TokenIds, batched[b].TokenIds);
            for (int i = 0; i < alone.LogProbs.Length; i++)
                Assert.InRange(Math.Abs(alone.LogProbs[i] - batched[b].LogProbs[i]), 0, 1e-4);
        }
    }

    [Fact]
    public void StopToken_EndsOnlyThatSequence_WithFinishReasons()
    {
        using var model = TinyModels.Build(TinyModels.Qwen2());
        var engine = new LocalRolloutEngine(model);
        var greedy = new SamplingParams { MaxNewTokens = 8, Temperature = 0 };
        var free = engine.Generate(Prompts, greedy);
        int stop = free[0].TokenIds[2];                     // the third token row 0 produces greedily
        var stopped = engine.Generate(Prompts, greedy with { StopTokenIds = [stop] });

        int firstStop = Array.IndexOf(free[0].TokenIds, stop);
        Assert.Equal(FinishReason.Eos, stopped[0].FinishReason);
        Assert.Equal(free[0].TokenIds.Take(firstStop + 1), stopped[0].TokenIds); // stop token kept, nothing after
        for (int b = 1; b < Prompts.Length; b++)
        {
            int at = Array.IndexOf(free[b].TokenIds, stop);
            var expected = at < 0 ? free[b].TokenIds : free[b].TokenIds.Take(at + 1).ToArray();
            Assert.Equal(expected, stopped[b].TokenIds);
            Assert.Equal(at < 0 ? FinishReason.Length : FinishReason.Eos, stopped[b].FinishReason);
        }
    }

    [Fact]
    public void TopK1_IsGreedy_AndTopPTiny_IsGreedy()
    {
        using var model = TinyModels.Build(TinyModels.Qwen2());
        var engine = new LocalRolloutEngine(model);
        var greedy = engine.Generate(Prompts, new SamplingParams { MaxNewTokens = 8, Temperature = 0 });
        var topK = engine.Generate(Prompts, new SamplingParams { MaxNewTokens = 8, Temperature = 1, TopK = 1, Seed = 3 });
        var topP = engine.Generate(Prompts, new SamplingParams { MaxNewTokens = 8, Temperature = 1, TopP = 1e-6, Seed = 3 });
        for (int b = 0; b < Prompts.Length; b++)
        {
            Assert.Equal(greedy[b].TokenIds, topK[b].TokenIds);
            Assert.Equal(greedy[b].TokenIds, topP[b].TokenIds);
        }
    }

    [Fact]
    public void TopP_KeepsSmallestSetReachingP()
    {
        // probs 0.5, 0.3, 0.2 (logits = log p). p = 0.7: 0.5 < 0.7 so the second token is needed (mass before it 0.5 < 0.7),
        // the third has mass before it 0.8 ≥ 0.7 → dropped.
        using var logits = torch.tensor(new[] { MathF.Log(0.5f), MathF.Log(0.3f), MathF.Log(0.2f) }).unsqueeze(0);
        using var kept = TokenSampler.TopP(logits, 0.7);
        var v = kept.data<float>().ToArray();
        Assert.True(float.IsFinite(v[0]) && float.IsFinite(v[1]));
        Assert.True(float.IsNegativeInfinity(v[2]));
    }

    [Fact]
    public void InvalidSampling_IsAClearError()
    {
        using var model = TinyModels.Build(TinyModels.Qwen2());
        var engine = new LocalRolloutEngine(model);
        var e = Assert.Throws<Aha.Configuration.ConfigException>(() => engine.Generate(Prompts, new SamplingParams { TopP = 0, MaxNewTokens = 0 }));
        Assert.Equal(["max_new_tokens", "top_p"], e.Errors.Select(x => x.KeyPath).ToArray());
        Assert.Contains("top_p", e.Message);
        Assert.Contains("max_new_tokens", e.Message);
    }
}
