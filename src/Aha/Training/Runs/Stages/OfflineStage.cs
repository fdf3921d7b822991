using Aha.Training.Offline;

namespace Aha.Training.Runs;

/// <summary>
/// The offline training stage (<c>aha sft | rm | dpo | kto</c>, the SFT stages of <c>aha recipe r1</c>): continues from the
/// session's checkpoint when resuming, trains to the trainer's end with a checkpoint every <c>every</c> steps, and on
/// cancellation saves one (unless that step has one) and stops. The trainer's data position is a function of its
/// step, so a resumed stage continues exactly. The caller saves <c>final/</c> when the stage completed.
/// </summary>
internal static class OfflineStage
{
    /// <summary>Runs the stage; <see cref="RunResult.Completed"/> is false when it stopped before <paramref name="total"/> steps.</summary>
    public static RunResult Run<TExample>(RunSession session, IOfflineTrainer<TExample> trainer, IReadOnlyList<TExample> train,
        IReadOnlyList<TExample> eval, int total, int every, CancellationToken cancellation)
    {
        if (session.ResumeFrom is { } from) trainer.LoadState(from);
        var result = trainer.Train(train, eval.Count > 0 ? eval : null, step =>
        {
            if (every > 0 && step % every == 0) session.Checkpoint(step, trainer.SaveState);
        }, cancellation);
        bool completed = result.Steps >= total;
        if (!completed && (every == 0 || result.Steps % every != 0)) session.Checkpoint(result.Steps, trainer.SaveState);
        return new RunResult(session.Dir.Path, result.Steps, session.FinalPath, result.LastMetrics, completed);
    }
}
