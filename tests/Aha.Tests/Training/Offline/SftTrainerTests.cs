using Aha.Configuration;
using Aha.Data;
using Aha.Tokenization;
using Aha.Tracking;
using Aha.Training.Offline;
using TorchSharp;
using static TorchSharp.torch;

namespace Aha.Tests.Training.Offline;

public sealed class SftTrainerTests
{
    static SftConfig Fast => new() { LearningRate = 3e-3, BatchSize = 16, WarmupSteps = 5, MaxLength = 64, Seed = 3 };

    [Fact]
    public void Sft_OnSyntheticCopyTask_EvalLossFallsByHalf()
    {
        using var model = OfflineFixtures.Policy();
        var observer = new RecordingObserver();
        var trainer = new SftTrainer(model, OfflineFixtures.Tokenizer, Fast with { Epochs = 6, EvalSteps = 8 }, observer);
        var eval = OfflineFixtures.CopyTask(32, seed: 99);
        double before = trainer.Evaluate(eval)["eval_loss"];

        var result = trainer.Train(OfflineFixtures.CopyTask(256, seed: 1), eval);

        double after = result.Eval["eval_loss"];
        Assert.True(after <= 0.5 * before, $"eval_loss {before:F3} → {after:F3}");
        Assert.Equal(6 * 16, result.Steps);
        foreach (var name in new[] { "loss", "learning_rate", "grad_norm", "perf/throughput", "step_time", "epoch" })
            Assert.All(observer.Steps, s => Assert.True(double.IsFinite(s.Metrics[name]), name));
        Assert.Equal(12, observer.Steps.Count(s => s.Metrics.ContainsKey("eval_loss")));  // every 8 of 96 steps
    }

    [Fact]
    public void Sft_LabelsOutsideTheLossMask_ContributeNoGradient()
    {
        using var model = OfflineFixtures.Policy();
        var tok = OfflineFixtures.Tokenizer;
        var sequences = OfflineFixtures.CopyTask(4, seed: 5)
            .Select(e => OfflineTokenization.Sft(e, tok, ChatTemplate.Default, 64, appendEos: true)!).ToList();
        using var batch = SftBatch.Create(sequences, tok.PadTokenId);
        var original = Gradients(model, batch);

        // Replace every label the mask excludes (prompt positions and padding) with a different, random token.
        using (torch.no_grad())
        {
            var random = torch.randint(tok.VocabSize, batch.Labels.shape, generator: new Generator(7));
            var excluded = batch.LossMask.eq(0);
            batch.Labels.copy_(torch.where(excluded, (batch.Labels + 1 + random) % tok.VocabSize, batch.Labels));
            Assert.True(batch.Labels.masked_select(excluded).ne(batch.Ids.masked_select(excluded)).all().item<bool>());
        }
        var perturbed = Gradients(model, batch);

        Assert.Equal(original.Count, perturbed.Count);
        for (int i = 0; i < original.Count; i++) Assert.True(original[i].equal(perturbed[i]).all().item<bool>());
    }

    [Fact]
    public void SftLoss_EqualsALoopOverCompletionTokensOnly()
    {
        using var model = OfflineFixtures.Policy();
        var tok = OfflineFixtures.Tokenizer;
        var seq = OfflineTokenization.Sft(SftExample.Text("a", "ab=", "bb"), tok, ChatTemplate.Default, 64, appendEos: true)!;
        using var batch = SftBatch.Create([seq], tok.PadTokenId);
        using var _ = torch.no_grad();
        double loss = SftLoss.TokenSum(model, batch).item<float>();

        // Reference: the targets are "b", "b", <eos> at positions 3, 4, 5; each is predicted by the logits one position earlier.
        var logits = model.Forward(batch.Ids);                                 // [1, 6, V]
        double expected = 0;
        for (int t = 3; t < 6; t++)
        {
            var row = logits[0, t - 1].to_type(ScalarType.Float64).data<double>().ToArray();
            double logZ = Math.Log(row.Sum(Math.Exp));
            expected -= row[seq.Ids[t]] - logZ;
        }
        Assert.Equal(expected, loss, 1e-4);
    }

    [Fact]
    public void Sft_PromptCompletion_TargetsTheCompletionAndEos()
    {
        var tok = OfflineFixtures.Tokenizer;
        var seq = OfflineTokenization.Sft(SftExample.Text("a", "ab=", "cd"), tok, ChatTemplate.Default, 64, appendEos: true)!;
        Assert.Equal(tok.Encode("ab=cd").Append(tok.EosTokenId!.Value), seq.Ids);
        Assert.Equal(new[] { false, false, false, true, true, true }, seq.Trained);
    }

    [Fact]
    public void Sft_ChatExample_TargetsAssistantContentAndImEndOnly()
    {
        var tok = OfflineFixtures.Tokenizer;
        var chat = SftExample.Chat("c", [ChatMessage.System("be brief"), ChatMessage.User("hi"), ChatMessage.Assistant("yo"),
            ChatMessage.User("and"), ChatMessage.Assistant("ok")]);
        var seq = OfflineTokenization.Sft(chat, tok, ChatTemplate.Default, 256, appendEos: true)!;

        Assert.Equal(ChatTemplate.Default.Render(chat.Messages!), tok.Decode(seq.Ids));   // no EOS for chat
        var trained = seq.Ids.Where((_, i) => seq.Trained[i]);
        Assert.Equal("yo<|im_end|>ok<|im_end|>", tok.Decode(trained));
    }

    [Fact]
    public void Sft_TooLongExample_KeepsItsStart_AndIsDroppedWhenNoTargetRemains()
    {
        var tok = OfflineFixtures.Tokenizer;
        var cut = OfflineTokenization.Sft(SftExample.Text("a", "ab=", "cdef"), tok, ChatTemplate.Default, 5, appendEos: true)!;
        Assert.Equal(tok.Encode("ab=cd"), cut.Ids);
        Assert.Null(OfflineTokenization.Sft(SftExample.Text("b", "abcdef=", "x"), tok, ChatTemplate.Default, 5, appendEos: true));

        var observer = new RecordingObserver();
        var trainer = new SftTrainer(OfflineFixtures.Policy(), tok, Fast with { MaxLength = 5 }, observer);
        Assert.Single(trainer.Tokenize([SftExample.Text("a", "ab=", "cdef"), SftExample.Text("b", "abcdef=", "x")]));
        Assert.Contains(observer.Messages, m => m.Level == TrainingMessageLevel.Warning && m.Text.Contains("dropped 1 of 2"));
    }

    [Fact]
    public void GradientAccumulation_GivesTheFullBatchUpdate()
    {
        // Sequences of unequal length: a per-micro-batch mean would weight tokens differently; the step-wide token mean does not.
        var data = OfflineFixtures.CopyTask(8, seed: 4).Select((e, i) => e with { Completion = new string(e.Completion![0], 1 + i % 4) }).ToList();
        var config = Fast with { MaxSteps = 2, WarmupSteps = 0, MaxGradNorm = 0 };
        using var full = OfflineFixtures.Policy();
        using var accumulated = OfflineFixtures.Policy();
        var fullRun = new SftTrainer(full, OfflineFixtures.Tokenizer, config with { BatchSize = 4, GradientAccumulationSteps = 1 }).Train(data);
        var accRun = new SftTrainer(accumulated, OfflineFixtures.Tokenizer, config with { BatchSize = 1, GradientAccumulationSteps = 4 }).Train(data);

        Assert.Equal(fullRun.LastMetrics["loss"], accRun.LastMetrics["loss"], 1e-5);
        Assert.Equal(fullRun.LastMetrics["grad_norm"], accRun.LastMetrics["grad_norm"], 1e-5);
        // k_proj.bias is skipped: softmax is shift-invariant, so its true gradient is 0 and Adam amplifies rounding noise.
        foreach (var ((name, a), (_, b)) in full.named_parameters().Zip(accumulated.named_parameters()).Where(p => !p.First.name.Contains("k_proj.bias")))
            Assert.True(a.allclose(b, rtol: 1e-4, atol: 1e-5), name);
    }

    [Fact]
    public void Sft_ResumedFromSavedState_ReproducesTheUninterruptedRun()
    {
        var data = OfflineFixtures.CopyTask(40, seed: 8);
        var config = Fast with { BatchSize = 4, GradientAccumulationSteps = 2, Epochs = 2 };   // 5 steps per epoch, 10 in all
        using var dir = new TempDir();

        using var straight = OfflineFixtures.Policy();
        var observer = new RecordingObserver();
        new SftTrainer(straight, OfflineFixtures.Tokenizer, config, observer).Train(data);

        using var first = OfflineFixtures.Policy();
        using var cts = new CancellationTokenSource();
        var a = new SftTrainer(first, OfflineFixtures.Tokenizer, config);
        a.Train(data, afterStep: s => { if (s == 7) { a.SaveState(dir.Path); cts.Cancel(); } }, cancellationToken: cts.Token);
        Assert.Equal(7, a.Step);

        using var resumedModel = OfflineFixtures.Policy(seed: 123);   // different weights: the state must overwrite them
        var resumedObserver = new RecordingObserver();
        var b = new SftTrainer(resumedModel, OfflineFixtures.Tokenizer, config, resumedObserver);
        b.LoadState(dir.Path);
        Assert.Equal(7, b.Step);
        b.Train(data);

        Assert.Equal(new[] { 8, 9, 10 }, resumedObserver.Steps.Select(s => s.Step));
        for (int i = 0; i < 3; i++)
            Assert.Equal(observer.Steps[7 + i].Metrics["loss"], resumedObserver.Steps[i].Metrics["loss"], 1e-5);
        foreach (var ((name, x), (_, y)) in straight.named_parameters().Zip(resumedModel.named_parameters()))
            Assert.True(x.allclose(y, rtol: 1e-5, atol: 1e-6), name);
        Assert.True(File.Exists(Path.Combine(dir.Path, "model.safetensors")));
    }

    [Fact]
    public void Loop_ShufflesBySeed_AndVisitsEveryExampleOncePerEpoch()
    {
        var items = Enumerable.Range(0, 10).ToList();
        OfflineLoop<int> Loop(long seed)
        {
            var policy = OfflineFixtures.Policy();
            return new(new SftConfig { BatchSize = 2, GradientAccumulationSteps = 2, Seed = seed }.Validate(), policy, policy.Config, new NoObjective());
        }
        var loop = Loop(5);
        Assert.Equal(3, loop.StepsPerEpoch(10));   // 4 + 4 + 2 (no drop_last)
        var epoch0 = Enumerable.Range(0, 3).SelectMany(s => loop.StepItems(items, s)).ToList();
        var epoch1 = Enumerable.Range(3, 3).SelectMany(s => loop.StepItems(items, s)).ToList();
        Assert.Equal(items, epoch0.Order());
        Assert.Equal(items, epoch1.Order());
        Assert.NotEqual(epoch0, epoch1);
        Assert.Equal(epoch0, Enumerable.Range(0, 3).SelectMany(s => Loop(5).StepItems(items, s)));
        Assert.NotEqual(epoch0, Enumerable.Range(0, 3).SelectMany(s => Loop(6).StepItems(items, s)));
    }

    sealed class NoObjective : IOfflineObjective<int>
    {
        public double Units(IReadOnlyList<int> items) => items.Count;
        public long Tokens(IReadOnlyList<int> items) => items.Count;
        public OfflineLoss Loss(IReadOnlyList<int> microBatch) => throw new NotSupportedException();
    }

    static List<Tensor> Gradients(Aha.Models.CausalLM model, SftBatch batch)
    {
        model.zero_grad();
        using (var scope = torch.NewDisposeScope()) SftLoss.TokenSum(model, batch).backward();
        var grads = model.parameters().Select(p => p.grad!.clone()).ToList();
        model.zero_grad();
        return grads;
    }
}
