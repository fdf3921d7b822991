namespace Aha.Training.Offline;

/// <summary>
/// Supervised fine-tuning: next-token cross-entropy on completion tokens only (TRL <c>SFTConfig</c> with
/// <c>completion_only_loss</c> / <c>assistant_only_loss</c>). Shared knobs in <see cref="OfflineTrainingConfig"/>.
/// </summary>
public sealed record SftConfig : OfflineTrainingConfig
{
    /// <summary>Defaults as TRL's SFTConfig: learning rate 2e-5.</summary>
    public SftConfig() => LearningRate = 2e-5;

    /// <summary>
    /// Pack each micro-batch's sequences into rows of up to <see cref="OfflineTrainingConfig.MaxLength"/> tokens, each
    /// attending only within itself, instead of padding every one to the longest (TRL's <c>packing</c>, best-fit
    /// decreasing). The loss and gradients are those of the padded batch; the padding's FLOPs are saved. The default value is false.
    /// </summary>
    public bool Packing { get; init; }

}
