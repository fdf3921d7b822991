using Aha.Algorithms;
using TorchSharp;
using static TorchSharp.torch;

namespace Aha.Tests.Algorithms;

public sealed class DisposeScopeTests
{
    [Fact]
    public void OneTrainingStepOfAlgorithms_LeavesNoLiveTensorsAfterItsScope()
    {
        long before = DisposeScopeManager.Statistics.ThreadTotalLiveCount;
        using (var scope = torch.NewDisposeScope())
        {
            var rng = new Random(1);
            var mask = T.Mat(T.RandomMask(rng, 4, 5));
            var logp = T.Mat(T.Random2(rng, 4, 5), requiresGrad: true);
            var old = T.Mat(T.Random2(rng, 4, 5));
            var adv = AdvantageEstimators.Grpo(T.Vec(1, 0, 0, 1), mask, 2);
            var gae = AdvantageEstimators.Gae(AdvantageEstimators.TokenRewards(T.Vec(1, 0, 0, 1), mask, old, 0.1), old, mask);
            var norm = AggregationNorm.Of(mask);
            var (pg, _) = PolicyLoss.Clipped(logp, old, adv, mask, AggregationMode.SeqMeanTokenMean, 0.2, 0.28, 3.0, norm);
            var kl = LossAggregation.Aggregate(KlEstimators.K3(logp, old), mask, AggregationMode.SeqMeanTokenMean, norm);
            var (vl, _) = ValueLoss.Clipped(logp, old, gae.Returns, mask);
            (pg + 0.04 * kl + vl).backward();
            using var g = logp.grad!;
            Assert.True(g.abs().sum().item<double>() > 0);
        }
        Assert.Equal(before, DisposeScopeManager.Statistics.ThreadTotalLiveCount);
    }
}
