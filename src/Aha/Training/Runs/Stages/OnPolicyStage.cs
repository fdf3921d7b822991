using Aha.Training.OnPolicy;

namespace Aha.Training.Runs;

/// <summary>
/// The on-policy RL stage of a run (<c>aha grpo</c>/<c>ppo</c>, the RL stages of <c>aha recipe r1</c>, <c>aha r1zero</c>):
/// continues from the session's checkpoint when resuming, steps the trainer until <c>steps</c>, saves a checkpoint every
/// <c>every</c> steps (and, when asked, after the last one), and on cancellation saves one and
/// stops. The trainer must have been built on the run's starting weights: the checkpoint replaces them.
/// </summary>
internal static class OnPolicyStage
{
    /// <summary>Runs the stage; <see cref="RunResult.Completed"/> is false when cancelled (a checkpoint was saved).</summary>
    public static RunResult Run(RunSession session, OnPolicyTrainer trainer, int steps, int every, CancellationToken cancellation, bool checkpointLast = false)
    {
        if (session.ResumeFrom is { } from) trainer.LoadState(from);
        trainer.PlannedSteps = steps;
        IReadOnlyDictionary<string, double> last = new Dictionary<string, double>();
        while (trainer.GlobalStep < steps)
        {
            if (cancellation.IsCancellationRequested)
            {
                session.Checkpoint(trainer.GlobalStep, trainer.SaveState);
                return new RunResult(session.Dir.Path, trainer.GlobalStep, session.FinalPath, last, Completed: false);
            }
            last = trainer.Step();
            bool lastStep = trainer.GlobalStep == steps && checkpointLast;
            if ((every > 0 && trainer.GlobalStep % every == 0) || (lastStep && every > 0)) session.Checkpoint(trainer.GlobalStep, trainer.SaveState);
        }
        return new RunResult(session.Dir.Path, trainer.GlobalStep, session.FinalPath, last, Completed: true);
    }
}
