namespace Aha.Training.Offline;

/// <summary>
/// One SFT sequence: token ids and, per position t, whether token t is a training target (predicted from ids[..t]).
/// Trained[0] is always false (nothing predicts the first token).
/// </summary>
public sealed record TokenizedSequence(int[] Ids, bool[] Trained)
{
    /// <summary>Number of target tokens (the loss units of SFT).</summary>
    public int TrainedCount { get; } = Trained.Count(x => x);
}

/// <summary>One preference pair as token ids: a shared prompt and two completions.</summary>
public sealed record TokenizedPair(int[] Prompt, int[] Chosen, int[] Rejected);
