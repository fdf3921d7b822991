using Aha.Algorithms;

namespace Aha.Tests.Algorithms;

public sealed class PresetTests
{
    [Fact]
    public void Registry_HoldsTheTenPresets_EachNamingRegisteredParts()
    {
        Assert.Equal(new[] { "cispo", "dapo", "dr_grpo", "gmpo", "grpo", "gspo", "ppo", "reinforce_pp", "rloo", "sapo" }, Presets.Names);
        foreach (var (name, preset) in Presets.All)
        {
            Assert.Equal(name, preset.Name);
            Assert.Contains("arXiv:", preset.Source);
            Assert.False(string.IsNullOrWhiteSpace(preset.Formula));
            // β = 0 exactly when no KL is used
            Assert.Equal(preset.KlPlacement == KlPlacement.None, preset.Beta == 0);
            Assert.True(AdvantageEstimatorRegistry.All.TryGet(preset.Estimator, out _), name);
            Assert.True(PolicyLossRegistry.All.TryGet(preset.PolicyLoss, out _), name);
            Assert.True(AggregationRegistry.All.TryGet(preset.Aggregation, out _), name);
            Assert.True(KlEstimatorRegistry.All.TryGet(preset.Kl, out _), name);
        }
    }

    [Fact]
    public void PresetHelp_ShowsEachPresetsFormulaAndSource()
    {
        var (code, output, _) = Aha.Tests.Cli.AhaCli.Run("grpo", "--help");
        Assert.Equal(0, code);
        var flat = string.Join(" ", output.Split((char[])[' ', '\n', '\r'], StringSplitOptions.RemoveEmptyEntries));   // help wraps long lines
        foreach (var p in Presets.All.Values)
        {
            Assert.Contains(string.Join(" ", p.Source.Split(' ', StringSplitOptions.RemoveEmptyEntries)), flat);
            Assert.Contains(string.Join(" ", $"{p.Name}: {p.Formula}".Split(' ', StringSplitOptions.RemoveEmptyEntries)), flat);
        }
    }

    [Fact]
    public void PresetsAndRegistries_MatchNamesByOneRule()
    {
        // Case, surrounding space and '-' vs '_' are ignored for presets as for every registry.
        Assert.Same(Presets.Get("dr_grpo"), Presets.Get(" DR-GRPO "));
        Assert.Same(Presets.Get("reinforce_pp"), Presets.Get("Reinforce-PP"));
        Assert.True(AggregationRegistry.All.TryGet(" Token_Mean ", out var agg));
        Assert.Equal("token-mean", agg.Name);
        var e = Assert.Throws<ArgumentException>(() => Presets.Get("dr grpo"));
        Assert.Contains("dr_grpo", e.Message);
    }

    [Fact]
    public void Grpo_IsTrlClassic()
    {
        var p = Presets.Get("grpo");
        Assert.Equal(("grpo", "vanilla", 0.2, 0.2, "seq-mean-token-mean", "k3", KlPlacement.Loss, 0.04),
            (p.Estimator, p.PolicyLoss, p.ClipLow, p.ClipHigh, p.Aggregation, p.Kl, p.KlPlacement, p.Beta));
        Assert.False(p.DynamicSampling);
    }

    [Fact]
    public void Dapo_HasClipHigherTokenMeanNoKlDynamicSamplingAndOverlongShaping()
    {
        var p = Presets.Get("DAPO");
        Assert.Equal(("grpo", 0.2, 0.28, "token-mean", KlPlacement.None, 0.0, true, true),
            (p.Estimator, p.ClipLow, p.ClipHigh, p.Aggregation, p.KlPlacement, p.Beta, p.DynamicSampling, p.OverlongShaping));
    }

    [Fact]
    public void DrGrpo_Rloo_ReinforcePp_Ppo_SetTheirEstimatorAndKlPlacement()
    {
        Assert.Equal(("dr_grpo", "seq-mean-token-sum-norm", KlPlacement.None),
            (Presets.Get("dr_grpo").Estimator, Presets.Get("dr_grpo").Aggregation, Presets.Get("dr_grpo").KlPlacement));
        Assert.Equal("rloo", Presets.Get("rloo").Estimator);
        Assert.Equal(("reinforce_pp", "k1", KlPlacement.Reward),
            (Presets.Get("reinforce_pp").Estimator, Presets.Get("reinforce_pp").Kl, Presets.Get("reinforce_pp").KlPlacement));
        Assert.Equal(("gae", "k1", KlPlacement.Reward),
            (Presets.Get("ppo").Estimator, Presets.Get("ppo").Kl, Presets.Get("ppo").KlPlacement));
    }

    [Fact]
    public void NewPresets_NameTheirLossAndTheUpstreamClipRanges()
    {
        // GSPO: ε 3e-4/4e-4 (paper, veRL run_qwen30b_gspo.sh); CISPO: ε_low 10 (no lower bound), ε_high 0.2 (veRL
        // run_cispo_qwen2_5_0_5b_gsm8k.sh); SAPO: seq-mean-token-mean (veRL/TRL); GMPO: ε 0.4 (paper, veRL run_qwen2_5-7b_math.sh)
        Assert.Equal(("gspo", 3e-4, 4e-4, "seq-mean-token-mean"), (Presets.Get("gspo").PolicyLoss, Presets.Get("gspo").ClipLow, Presets.Get("gspo").ClipHigh, Presets.Get("gspo").Aggregation));
        Assert.Equal(("cispo", 10.0, 0.2, "token-mean"), (Presets.Get("cispo").PolicyLoss, Presets.Get("cispo").ClipLow, Presets.Get("cispo").ClipHigh, Presets.Get("cispo").Aggregation));
        Assert.Equal(("sapo", "seq-mean-token-mean"), (Presets.Get("sapo").PolicyLoss, Presets.Get("sapo").Aggregation));
        Assert.Equal(("gmpo", 0.4, 0.4), (Presets.Get("gmpo").PolicyLoss, Presets.Get("gmpo").ClipLow, Presets.Get("gmpo").ClipHigh));
        foreach (var name in new[] { "gspo", "cispo", "sapo", "gmpo" }) Assert.Equal("grpo", Presets.Get(name).Estimator);
    }

    [Fact]
    public void UnknownPreset_FailsListingTheValidOnes()
    {
        var e = Assert.Throws<ArgumentException>(() => Presets.Get("gspoo"));
        Assert.Equal("name", e.ParamName);
        Assert.Contains("'gspoo'", e.Message);
        Assert.Contains("cispo, dapo, dr_grpo, gmpo, grpo, gspo, ppo, reinforce_pp, rloo, sapo", e.Message);
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
