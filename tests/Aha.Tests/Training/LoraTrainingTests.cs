using Aha.Checkpoints;
using Aha.Models;
using Aha.Models.Lora;
using Aha.Tests.Training.Offline;
using Aha.Tests.Training.OnPolicy;
using Aha.Tracking;
using Aha.Training.Offline;
using Aha.Training.OnPolicy;
using TorchSharp;
using static TorchSharp.torch;

namespace Aha.Tests.Training;

/// <summary>
/// LoRA through the trainers: only adapter parameters (and a reward model's score head) move, the frozen base serves as
/// the reference policy with its adapters off, and checkpoints hold the adapter so a resume restores it.
/// </summary>
public sealed class LoraTrainingTests
{
    static Dictionary<string, Tensor> Snapshot(nn.Module model) =>
        model.named_parameters().ToDictionary(p => p.name, p => p.parameter.detach().clone());

    static void AssertBaseUnchanged(nn.Module model, Dictionary<string, Tensor> before, params string[] except)
    {
        foreach (var (name, p) in model.named_parameters())
            if (!except.Contains(name)) Assert.True(p.equal(before[name]).all().item<bool>(), $"{name} changed");
    }

    static Tensor[] Adapters(LoraAdapters lora) => lora.Parameters.Select(p => p.detach().clone()).ToArray();

    static void AssertAllAdaptersMoved(LoraAdapters lora, Tensor[] before)
    {
        var now = lora.Parameters.ToArray();
        for (int i = 0; i < now.Length; i++) Assert.False(now[i].equal(before[i]).all().item<bool>(), $"adapter tensor {i} did not move");
    }

    [Fact]
    public void Sft_WithLora_LossFalls_AndOnlyAdaptersChange()
    {
        using var model = OfflineFixtures.Policy();
        var lora = LoraAdapters.Attach(model, new LoraConfig { R = 8, Alpha = 16, TargetModules = [LoraConfig.AllLinear] });
        var baseWeights = Snapshot(model);
        var adapters = Adapters(lora);
        var config = new SftConfig { LearningRate = 1e-2, BatchSize = 16, Epochs = 4, WarmupSteps = 3, MaxLength = 64, Seed = 3 };
        var trainer = new SftTrainer(model, OfflineFixtures.Tokenizer, config);
        var eval = OfflineFixtures.CopyTask(32, seed: 99);
        double before = trainer.Evaluate(eval)["eval_loss"];

        var result = trainer.Train(OfflineFixtures.CopyTask(256, seed: 1), eval);

        double after = result.Eval["eval_loss"];
        Assert.True(after <= 0.6 * before, $"eval_loss {before:F3} → {after:F3}");
        AssertBaseUnchanged(model, baseWeights);
        AssertAllAdaptersMoved(lora, adapters);
    }

    [Fact]
    public void Sft_WithLora_CheckpointHoldsThePeftAdapter_AndResumeRestoresIt()
    {
        using var dir = new TempDir();
        var config = new SftConfig { LearningRate = 1e-2, BatchSize = 8, MaxSteps = 3, MaxLength = 64, Seed = 3 };
        var data = OfflineFixtures.CopyTask(32, seed: 1);
        using var model = OfflineFixtures.Policy();
        var lora = LoraAdapters.Attach(model, new LoraConfig { TargetModules = ["q_proj", "up_proj"] });
        var trainer = new SftTrainer(model, OfflineFixtures.Tokenizer, config);
        trainer.Train(data);
        trainer.SaveState(dir.Path);
        Assert.True(File.Exists(dir["adapter_model.safetensors"]) && File.Exists(dir["adapter_config.json"]));
        Assert.False(File.Exists(dir["model.safetensors"]), "the frozen base is not written into every checkpoint");

        using var again = OfflineFixtures.Policy();
        var restored = LoraAdapters.Attach(again, new LoraConfig { TargetModules = ["q_proj", "up_proj"] }, seed: 99);
        new SftTrainer(again, OfflineFixtures.Tokenizer, config).LoadState(dir.Path);
        var a = lora.Parameters.ToArray();
        var b = restored.Parameters.ToArray();
        for (int i = 0; i < a.Length; i++) Assert.True(a[i].equal(b[i]).all().item<bool>());

        using var full = OfflineFixtures.Policy();
        var e = Assert.Throws<InvalidDataException>(() => new SftTrainer(full, OfflineFixtures.Tokenizer, config).LoadState(dir.Path));
        Assert.Contains("LoRA adapter but the model has none", e.Message);
    }

    [Fact]
    public void Grpo_WithLora_ReferenceIsThePolicyWithAdaptersOff_AndOnlyAdaptersChange()
    {
        var policy = ToyRl.Policy();
        var lora = LoraAdapters.Attach(policy, new LoraConfig { R = 4, Alpha = 8, TargetModules = [LoraConfig.AllLinear] });
        var baseWeights = Snapshot(policy);
        var adapters = Adapters(lora);
        var observer = new Aha.Tests.Training.OnPolicy.RecordingObserver();
        var scorer = new Aha.Rewards.RewardScorer([new Aha.Rewards.WeightedReward(ToyRl.StartsWithDigit)], new Aha.Rewards.RewardScorerOptions { MaxDegreeOfParallelism = 2 });
        using var trainer = new OnPolicyTrainer(ToyRl.Config("grpo") with { Beta = 0.04, LearningRate = 1e-2 }, policy, ToyRl.Tokenizer(), scorer,
            new ShuffledPromptSource(ToyRl.Prompts, seed: 3), observer: observer);

        Assert.Same(policy, trainer.Reference); // no second copy of the model
        var first = trainer.Step();
        var second = trainer.Step();

        Assert.Equal(0.0, first[MetricNames.Kl], 6);   // B = 0: π_θ = π_ref before the first update
        Assert.True(second[MetricNames.Kl] > 0, "after an update the adapted policy differs from the base it is compared with");
        AssertBaseUnchanged(policy, baseWeights);
        AssertAllAdaptersMoved(lora, adapters);
        policy.Dispose();
    }

    [Fact]
    public void Grpo_WithLora_ReferenceLogProbsAreTheBaseModels()
    {
        // Adapters given a non-zero B before training: the KL of step 1 must then be the KL to the base model, which a
        // trainer holding a full frozen copy of the base (same seed, no adapters) measures the same.
        double KlOfFirstStep(bool withLora)
        {
            var policy = ToyRl.Policy();
            if (withLora)
            {
                var lora = LoraAdapters.Attach(policy, new LoraConfig { TargetModules = [LoraConfig.AllLinear] });
                using var _ = torch.no_grad();
                var g = new Generator(4);
                foreach (var a in lora.Adapters) a.B.normal_(0, 0.5, g);
            }
            var scorer = new Aha.Rewards.RewardScorer([new Aha.Rewards.WeightedReward(ToyRl.StartsWithDigit)]);
            using var trainer = new OnPolicyTrainer(ToyRl.Config("grpo") with { Beta = 0.04 }, policy, ToyRl.Tokenizer(), scorer,
                new ShuffledPromptSource(ToyRl.Prompts, seed: 3));
            var kl = trainer.Step()[MetricNames.Kl];
            policy.Dispose();
            return kl;
        }
        Assert.Equal(0.0, KlOfFirstStep(withLora: false), 6);
        Assert.True(KlOfFirstStep(withLora: true) > 1e-3, "a non-zero adapter must show up as KL to the base");
    }

    [Fact]
    public void Dpo_WithLora_ReferenceLogProbsComeFromTheBase()
    {
        using var policy = OfflineFixtures.Policy();
        using var plain = OfflineFixtures.Policy();
        var lora = LoraAdapters.Attach(policy, new LoraConfig { TargetModules = [LoraConfig.AllLinear] });
        using (torch.no_grad())
        {
            var g = new Generator(4);
            foreach (var a in lora.Adapters) a.B.normal_(0, 0.5, g);
        }
        var config = new DpoConfig { BatchSize = 8, MaxLength = 32 };
        var pairs = OfflineFixtures.StartsWithXRule(8, seed: 1)
            .Select(e => OfflineTokenization.Pair(e, OfflineFixtures.Tokenizer, Aha.Tokenization.ChatTemplate.Default, 32, appendEos: true)!).ToList();
        var withLora = new DpoTrainer(policy, OfflineFixtures.Tokenizer, config).ReferenceLogProbs(pairs);
        var fromBase = new DpoTrainer(plain, OfflineFixtures.Tokenizer, config).ReferenceLogProbs(pairs);
        for (int i = 0; i < pairs.Count; i++)
        {
            Assert.Equal(fromBase[i][0], withLora[i][0], 1e-5);
            Assert.Equal(fromBase[i][1], withLora[i][1], 1e-5);
        }
        Assert.NotNull(LoraAdapters.Of(policy)); // still attached and on afterwards
    }

    [Fact]
    public void RewardModel_WithLora_TrainsAdaptersAndScoreHeadOnly()
    {
        using var model = OfflineFixtures.RewardModel();
        var lora = LoraAdapters.Attach(model, new LoraConfig());
        var baseWeights = Snapshot(model);
        var adapters = Adapters(lora);
        var config = new RewardModelConfig { LearningRate = 1e-2, BatchSize = 8, MaxSteps = 3, MaxLength = 32 };
        new RewardModelTrainer(model, OfflineFixtures.Tokenizer, config).Train(OfflineFixtures.ContainsXRule(24, seed: 1));
        AssertBaseUnchanged(model, baseWeights, except: "score.weight");
        Assert.False(model.get_parameter("score.weight")!.equal(baseWeights["score.weight"]).all().item<bool>());
        AssertAllAdaptersMoved(lora, adapters);
    }
}
