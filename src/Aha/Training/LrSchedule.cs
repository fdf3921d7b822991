namespace Aha.Training;

/// <summary>
/// Linear warmup then cosine decay to <see cref="MinRatio"/>·peak (the schedule of HF Trainer's "cosine" with a floor,
/// and of nanoGPT). Step numbers start at 0.
/// </summary>
public sealed record LrSchedule(double PeakLr, int WarmupSteps, int TotalSteps, double MinRatio = 0.0)
{

    public double At(int step)
    {
        if (WarmupSteps > 0 && step < WarmupSteps) return PeakLr * (step + 1) / WarmupSteps;
        if (MinRatio >= 1.0 || TotalSteps <= WarmupSteps) return PeakLr;
        double progress = Math.Clamp((double)(step - WarmupSteps) / (TotalSteps - WarmupSteps), 0, 1);
        double cosine = 0.5 * (1 + Math.Cos(Math.PI * progress));   // 1 → 0
        return PeakLr * (MinRatio + (1 - MinRatio) * cosine);
    }
}
