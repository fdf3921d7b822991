using TorchSharp;
using static TorchSharp.torch;

namespace Aha.Algorithms;

/// <summary>
/// The inputs of a pairwise preference loss, one number per pair ([B]): the policy's sequence log-probs of the chosen
/// and rejected completions (sums over tokens, or per-token means for a length-normalised loss), the reference's
/// (null for reference-free losses), β, label smoothing ε and SimPO's target margin γ.
/// </summary>
public sealed record PreferenceInput(Tensor PolicyChosen, Tensor PolicyRejected, Tensor? ReferenceChosen, Tensor? ReferenceRejected,
    double Beta = 0.1, double LabelSmoothing = 0.0, double SimpoGamma = 0.5);

/// <summary>
/// What a preference loss returns: the per-pair loss [B], the implicit rewards of chosen and rejected [B] (for TRL's
/// rewards/* metrics), and loss-specific metric terms [B] by TRL name (e.g. ORPO's <c>log_odds_ratio</c>).
/// </summary>
public sealed record PreferenceTerms(Tensor PerPair, Tensor ChosenReward, Tensor RejectedReward, IReadOnlyDictionary<string, Tensor> Extra);

/// <summary>One registered preference loss: what it needs and how its inputs are formed, its function, equation and source.</summary>
/// <param name="NeedsReference">False for SimPO and ORPO: no reference log-probs are computed.</param>
/// <param name="LengthNormalized">The log-probs are per-token means (IPO as TRL, SimPO, ORPO) rather than sums.</param>
/// <param name="LabelSmoothing">The loss takes a label-flip rate ε in [0, 0.5) (sigmoid/cDPO, robust, SimPO); others need ε = 0.</param>
public sealed record PreferenceLossEntry(string Name, bool NeedsReference, bool LengthNormalized,
    Func<PreferenceInput, PreferenceTerms> Compute, string Formula, string Source, bool LabelSmoothing = false);

/// <summary>
/// The preference losses by name (TRL loss_type names). With h = (log π_θ(y_w) − log π_ref(y_w)) − (log π_θ(y_l) − log π_ref(y_l)):
/// sigmoid −(1 − ε)·log σ(βh) − ε·log σ(−βh); ipo (h − 1/(2β))²; hinge max(0, 1 − βh); robust
/// (−(1 − ε)·log σ(βh) + ε·log σ(−βh))/(1 − 2ε); simpo −log σ(β(w̄ − l̄) − γ) (with ε as sigmoid); orpo
/// −β·log σ(log odds(w̄) − log odds(l̄)) + NLL(y_w), log odds(p̄) = p̄ − log(1 − e^{p̄}). w̄, l̄ are per-token mean log-probs.
/// </summary>
public static class PreferenceLossRegistry
{
    /// <summary>Every preference loss.</summary>
    public static Registry<PreferenceLossEntry> All { get; } = new("preference loss");

    static PreferenceLossRegistry()
    {
        Add("sigmoid", true, false, Sigmoid, "−(1 − ε)·log σ(βh) − ε·log σ(−βh)",
            "DPO arXiv:2305.18290, cDPO (Mitchell 2023); TRL loss_type=sigmoid", smoothing: true);
        Add("ipo", true, true, x => WithDpoRewards(x, (Logratios(x).h - 1 / (2 * x.Beta)).square()),
            "(h − 1/(2β))², h on per-token mean log-probs", "IPO arXiv:2310.12036; TRL loss_type=ipo");
        Add("hinge", true, false, x => WithDpoRewards(x, torch.nn.functional.relu(1 - x.Beta * Logratios(x).h)),
            "max(0, 1 − βh)", "SLiC arXiv:2305.10425; TRL loss_type=hinge");
        Add("robust", true, false, Robust, "(−(1 − ε)·log σ(βh) + ε·log σ(−βh)) / (1 − 2ε)",
            "Robust DPO arXiv:2403.00409; TRL loss_type=robust", smoothing: true);
        Add("simpo", false, true, Simpo, "−(1 − ε)·log σ(β(w̄ − l̄) − γ) − ε·log σ(−β(w̄ − l̄) + γ)",
            "SimPO arXiv:2405.14734; TRL CPOTrainer loss_type=simpo", smoothing: true);
        Add("orpo", false, true, Orpo, "−β·log σ(log odds(w̄) − log odds(l̄)) − w̄; log odds(p̄) = p̄ − log(1 − e^{p̄})",
            "ORPO arXiv:2403.07691; TRL ORPOTrainer");
    }

    static void Add(string name, bool reference, bool normalized, Func<PreferenceInput, PreferenceTerms> f, string formula, string source,
        bool smoothing = false)
    {
        All.Register(name, new PreferenceLossEntry(name, reference, normalized, f, formula, source, smoothing));
    }

    static (Tensor Chosen, Tensor Rejected, Tensor h) Logratios(PreferenceInput x)
    {
        var chosen = x.PolicyChosen - Require(x.ReferenceChosen).detach();     // [B]
        var rejected = x.PolicyRejected - Require(x.ReferenceRejected).detach(); // [B]
        return (chosen, rejected, chosen - rejected);
    }

    static PreferenceTerms WithDpoRewards(PreferenceInput x, Tensor perPair)
    {
        var (c, r, _) = Logratios(x);
        return new PreferenceTerms(perPair, x.Beta * c.detach(), x.Beta * r.detach(), new Dictionary<string, Tensor>());
    }

    static PreferenceTerms Sigmoid(PreferenceInput x)
    {
        var bh = x.Beta * Logratios(x).h;                                         // [B]
        return WithDpoRewards(x, -(1 - x.LabelSmoothing) * torch.nn.functional.logsigmoid(bh)
                                 - x.LabelSmoothing * torch.nn.functional.logsigmoid(-bh));
    }

    static PreferenceTerms Robust(PreferenceInput x)
    {
        var bh = x.Beta * Logratios(x).h;                                         // [B]
        double e = x.LabelSmoothing;
        return WithDpoRewards(x, (-(1 - e) * torch.nn.functional.logsigmoid(bh) + e * torch.nn.functional.logsigmoid(-bh)) / (1 - 2 * e));
    }

    static PreferenceTerms Simpo(PreferenceInput x)
    {
        var logits = x.PolicyChosen - x.PolicyRejected - x.SimpoGamma / x.Beta;   // [B]
        var perPair = -(1 - x.LabelSmoothing) * torch.nn.functional.logsigmoid(x.Beta * logits)
                      - x.LabelSmoothing * torch.nn.functional.logsigmoid(-x.Beta * logits);
        return new PreferenceTerms(perPair, x.Beta * x.PolicyChosen.detach(), x.Beta * x.PolicyRejected.detach(), new Dictionary<string, Tensor>());
    }

    static PreferenceTerms Orpo(PreferenceInput x)
    {
        var w = x.PolicyChosen;                                                   // [B] mean log-prob of y_w
        var l = x.PolicyRejected;                                                 // [B]
        var logOdds = (w - l) - ((-w.exp()).log1p() - (-l.exp()).log1p());       // [B]
        var ratio = torch.nn.functional.logsigmoid(logOdds);                      // [B]
        var nll = -w;                                                             // [B]
        var extra = new Dictionary<string, Tensor>
        {
            ["log_odds_ratio"] = ratio.detach(), ["log_odds_chosen"] = logOdds.detach(), ["nll_loss"] = nll.detach(),
        };
        return new PreferenceTerms(nll - x.Beta * ratio, x.Beta * w.detach(), x.Beta * l.detach(), extra);
    }

    static Tensor Require(Tensor? t) =>
        t ?? throw new ArgumentException("This preference loss needs reference log-probs.");
}
