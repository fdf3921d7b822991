using Aha.Generation;
using Aha.Training;
using TorchSharp;

namespace Aha.Tests.Models;

public sealed class TensorLeakTests
{
    [Fact]
    public void GenerationAndTraining_ReturnLiveTensorCountToStart()
    {
        using var model = TinyModels.Build(TinyModels.Qwen2());
        var engine = new LocalRolloutEngine(model);
        var optimizer = OptimizerFactory.AdamW(model.parameters(), lr: 1e-3); // the trainers' fused AdamW
        using var ids = torch.tensor(new long[,] { { 1, 2, 3, 4, 5, 6, 7, 8 }, { 8, 7, 6, 5, 4, 3, 2, 1 } });

        void TrainStep()
        {
            using var scope = torch.NewDisposeScope();
            model.train();
            optimizer.zero_grad();
            var logits = model.Forward(ids);
            var loss = torch.nn.functional.cross_entropy(logits[.., ..^1].reshape(-1, 40), ids[.., 1..].reshape(-1));
            loss.backward();
            torch.nn.utils.clip_grad_norm_(model.parameters(), 1.0);
            optimizer.step();
        }
        var sampling = new SamplingParams { MaxNewTokens = 50, Temperature = 1, Seed = 1 };

        // Warm-up creates the long-lived tensors (optimizer state, rotary table) once.
        engine.Generate([[1, 2, 3], [4, 5]], sampling);
        TrainStep();

        var stats = DisposeScopeManager.Statistics;
        long before = stats.ThreadTotalLiveCount;
        var completions = engine.Generate([[1, 2, 3], [4, 5]], sampling);  // 50 decode steps
        long mid = DisposeScopeManager.Statistics.ThreadTotalLiveCount;
        Assert.Equal(before, mid);
        for (int i = 0; i < 20; i++) TrainStep();
        long after = DisposeScopeManager.Statistics.ThreadTotalLiveCount;

        Assert.Equal(50, completions[0].TokenIds.Length);
        Assert.Equal(before, after);
    }
}
