using Aha.Configuration;
using Aha.Data;
using Aha.Generation;
using Aha.Rewards;
using Aha.Tokenization;
using Aha.Training.Offline;

namespace Aha.Tests.Training.Offline;

public sealed class RejectionSamplerTests
{
    /// <summary>Returns scripted completions from (prompt text, row index in the call), each ending in EOS.</summary>
    sealed class ScriptedEngine(ITokenizer tokenizer, Func<string, int, string> completionFor) : IRolloutEngine
    {
        public List<IReadOnlyList<int>> Prompts { get; } = [];

        public IReadOnlyList<Completion> Generate(IReadOnlyList<IReadOnlyList<int>> prompts, SamplingParams sampling)
        {
            Prompts.AddRange(prompts);
            return prompts.Select((p, i) =>
            {
                var ids = tokenizer.Encode(completionFor(tokenizer.Decode(p), i)).Append(tokenizer.EosTokenId!.Value).ToArray();
                return new Completion(p, ids, new float[ids.Length], FinishReason.Eos);
            }).ToList();
        }
    }

    static readonly IRewardFunction Exact = new DelegateReward("exact", s => s.Completion == s.GroundTruth ? 1.0 : 0.0);

    static List<PromptItem> Items(int n) => Enumerable.Range(0, n).Select(i => new PromptItem($"q{i}", $"{i}=", $"{i + 1}")).ToList();

    [Fact]
    public void RejectionSampling_WritesOnlyAcceptedCompletions_AndTheFileReadsBackAsSft()
    {
        var tok = OfflineFixtures.Tokenizer;
        // Per prompt (N = 4 rows): the right answer twice, then two wrong ones.
        var items = Items(3);
        var engine = new ScriptedEngine(tok, (prompt, row) => row % 4 < 2 ? $"{int.Parse(prompt.TrimEnd('=')) + 1}" : "9");
        var config = new RejectionSamplingConfig { SamplesPerPrompt = 4, Deduplicate = false, PromptsPerBatch = 2 };
        var observer = new RecordingObserver();
        using var dir = new TempDir();

        var result = new RejectionSampler(engine, tok, new RewardScorer(Exact), config, observer).Run(items, dir["rs.jsonl"]);

        Assert.Equal((3, 12, 6, 6, 3), (result.Prompts, result.Samples, result.Accepted, result.Written, result.PromptsWithAccepted));
        var back = SftDataReader.Read(dir["rs.jsonl"]).ToList();
        Assert.Equal(6, back.Count);
        Assert.All(back, e => Assert.Equal($"{int.Parse(e.Prompt!.TrimEnd('=')) + 1}", e.Completion));   // prompt "i=" → "i+1"
        Assert.Equal(new[] { "q0#0", "q0#1", "q1#0", "q1#1", "q2#0", "q2#1" }, back.Select(e => e.Id));
        Assert.Equal(2, observer.Steps.Count);                      // two generation batches (2 + 1 prompts)
        Assert.Equal(0.5, observer.Steps[0].Metrics["accepted_frac"]);
        Assert.Equal(12, observer.Samples.Sum(s => s.Samples.Count));
    }

    [Fact]
    public void RejectionSampling_Dedup_BestOfN_AndNothingAcceptedGivesAnEmptyFile()
    {
        var tok = OfflineFixtures.Tokenizer;
        var graded = new DelegateReward("len", s => s.Completion.Length);   // longer is better
        var engine = new ScriptedEngine(tok, (_, row) => (row % 3) switch { 0 => "1", 1 => "22", _ => "22" });
        using var dir = new TempDir();

        var all = new RejectionSampler(engine, tok, new RewardScorer(graded), new RejectionSamplingConfig { SamplesPerPrompt = 3, MinReward = null })
            .Run(Items(2), dir["all.jsonl"]);
        Assert.Equal((6, 4), (all.Accepted, all.Written));          // "22" kept once per prompt after de-duplication

        var best = new RejectionSampler(engine, tok, new RewardScorer(graded), new RejectionSamplingConfig { SamplesPerPrompt = 3, MinReward = null, Selection = RejectionSelection.BestOfN })
            .Run(Items(2), dir["best.jsonl"]);
        Assert.Equal(2, best.Written);
        Assert.All(SftDataReader.Read(dir["best.jsonl"]), e => Assert.Equal("22", e.Completion));

        var none = new RejectionSampler(engine, tok, new RewardScorer(graded), new RejectionSamplingConfig { SamplesPerPrompt = 3, MinReward = 5 })
            .Run(Items(2), dir["none.jsonl"]);
        Assert.Equal(0, none.Written);
        Assert.Equal("", File.ReadAllText(dir["none.jsonl"]));
    }

    [Fact]
    public void RejectionSampling_ChatFormat_RoundTripsToTheSampledTokens()
    {
        var tok = OfflineFixtures.Tokenizer;
        var engine = new ScriptedEngine(tok, (_, _) => "1");
        using var dir = new TempDir();
        var sampler = new RejectionSampler(engine, tok, new RewardScorer(Exact), new RejectionSamplingConfig { SamplesPerPrompt = 2, ChatFormat = true });

        sampler.Run(Items(1), dir["chat.jsonl"]);

        var example = Assert.Single(SftDataReader.Read(dir["chat.jsonl"]));
        Assert.True(example.IsChat);
        var seq = OfflineTokenization.Sft(example, tok, ChatTemplate.Default, 256, appendEos: true)!;
        // The SFT sequence starts with exactly the prompt the model was sampled from; its target is "1<|im_end|>".
        Assert.Equal(engine.Prompts[0], seq.Ids.Take(engine.Prompts[0].Count));
        Assert.Equal("1<|im_end|>", tok.Decode(seq.Ids.Where((_, i) => seq.Trained[i])));
    }

    [Fact]
    public void RejectionSampling_WithLocalEngine_WritesOnlyCompletionsTheVerifierAccepts()
    {
        var tok = OfflineFixtures.Tokenizer;
        using var model = OfflineFixtures.Policy(seed: 4);
        var containsA = new DelegateReward("has_a", s => s.Completion.Contains('a') ? 1.0 : 0.0);
        var config = new RejectionSamplingConfig { SamplesPerPrompt = 8, MaxNewTokens = 6, Temperature = 1.0, Seed = 11 };
        using var dir = new TempDir();

        var result = new RejectionSampler(new LocalRolloutEngine(model, tok), tok, new RewardScorer(containsA), config).Run(Items(4), dir["local.jsonl"]);

        Assert.Equal(32, result.Samples);
        Assert.InRange(result.Written, 1, result.Accepted);
        Assert.True(result.Accepted < result.Samples, "the filter should reject something");
        var back = SftDataReader.Read(dir["local.jsonl"]).ToList();
        Assert.Equal(result.Written, back.Count);
        Assert.All(back, e => Assert.Contains('a', e.Completion!));
    }

    [Fact]
    public void RejectionSamplingConfig_WithBadKnobs_ThrowsOneErrorListingEach()
    {
        var e = Assert.Throws<ConfigException>(() => new RejectionSamplingConfig
            { SamplesPerPrompt = 0, TopP = 0, MaxNewTokens = 0, MinReward = double.NaN }.Validate());
        Assert.Equal(["samples_per_prompt", "min_reward", "max_new_tokens", "top_p"], e.Errors.Select(x => x.KeyPath));
        Assert.Equal(0, e.Errors[0].Value);
    }
}
