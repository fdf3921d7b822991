using Aha.Algorithms;

namespace Aha.Tests.Algorithms;

public sealed class PresetTests
{
    [Fact]
    public void Registry_HoldsTheSixPresets()
    {
        Assert.Equal(new[] { "dapo", "dr_grpo", "grpo", "ppo", "reinforce_pp", "rloo" }, Presets.Names);
        foreach (var (name, preset) in Presets.All)
        {
            Assert.Equal(name, preset.Name);
            Assert.Contains("arXiv:", preset.Source);
            Assert.False(string.IsNullOrWhiteSpace(preset.Formula));
            // β = 0 exactly when no KL is used
            Assert.Equal(preset.KlPlacement == KlPlacement.None, preset.Beta == 0);
        }
    }

    [Fact]
    public void Grpo_IsTrlClassic()
    {
        var p = Presets.Get("grpo");
        Assert.Equal((AdvantageEstimator.Grpo, 0.2, 0.2, AggregationMode.SeqMeanTokenMean, KlEstimator.K3, KlPlacement.Loss, 0.04),
            (p.Estimator, p.ClipLow, p.ClipHigh, p.Aggregation, p.Kl, p.KlPlacement, p.Beta));
        Assert.False(p.DynamicSampling);
    }

    [Fact]
    public void Dapo_HasClipHigherTokenMeanNoKlDynamicSamplingAndOverlongShaping()
    {
        var p = Presets.Get("DAPO");
        Assert.Equal((AdvantageEstimator.Grpo, 0.2, 0.28, AggregationMode.TokenMean, KlPlacement.None, 0.0, true, true),
            (p.Estimator, p.ClipLow, p.ClipHigh, p.Aggregation, p.KlPlacement, p.Beta, p.DynamicSampling, p.OverlongShaping));
    }

    [Fact]
    public void DrGrpo_Rloo_ReinforcePp_Ppo_SetTheirEstimatorAndKlPlacement()
    {
        Assert.Equal((AdvantageEstimator.DrGrpo, AggregationMode.SeqMeanTokenSumNorm, KlPlacement.None),
            (Presets.Get("dr_grpo").Estimator, Presets.Get("dr_grpo").Aggregation, Presets.Get("dr_grpo").KlPlacement));
        Assert.Equal(AdvantageEstimator.Rloo, Presets.Get("rloo").Estimator);
        Assert.Equal((AdvantageEstimator.ReinforcePp, KlEstimator.K1, KlPlacement.Reward),
            (Presets.Get("reinforce_pp").Estimator, Presets.Get("reinforce_pp").Kl, Presets.Get("reinforce_pp").KlPlacement));
        Assert.Equal((AdvantageEstimator.Gae, KlEstimator.K1, KlPlacement.Reward),
            (Presets.Get("ppo").Estimator, Presets.Get("ppo").Kl, Presets.Get("ppo").KlPlacement));
    }

    [Fact]
    public void UnknownPreset_FailsListingTheValidOnes()
    {
        var e = Assert.Throws<ArgumentException>(() => Presets.Get("gspo"));
        Assert.Equal("name", e.ParamName);
        Assert.Contains("'gspo'", e.Message);
        Assert.Contains("dapo, dr_grpo, grpo, ppo, reinforce_pp, rloo", e.Message);
    }

    [Fact]
    public void Registry_IsReadOnly()
    {
        var asDictionary = Assert.IsAssignableFrom<IDictionary<string, AlgorithmPreset>>(Presets.All);
        Assert.Throws<NotSupportedException>(() => asDictionary.Add("mine", Presets.Get("grpo")));
    }

    [Fact]
    public void Overriding_APresetKnob_IsAWithExpression()
    {
        var p = Presets.Get("grpo") with { Beta = 0 };
        Assert.Equal(0, p.Beta);
        Assert.Equal(0.04, Presets.Get("grpo").Beta); // the registry entry is unchanged
    }
}
