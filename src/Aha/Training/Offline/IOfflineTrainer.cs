namespace Aha.Training.Offline;

/// <summary>An offline trainer as a run drives it: resume from a checkpoint, save one, train (calling back after each step).</summary>
/// <typeparam name="TExample">What the trainer reads: SFT examples, preference pairs, unpaired examples.</typeparam>
public interface IOfflineTrainer<TExample>
{
    /// <summary>Optimizer steps done.</summary>
    int Step { get; }

    /// <summary>Trains from <see cref="Step"/> to the end, <paramref name="afterStep"/> called with each finished step.</summary>
    OfflineRunResult Train(IReadOnlyList<TExample> train, IReadOnlyList<TExample>? eval = null,
        Action<int>? afterStep = null, CancellationToken cancellationToken = default);

    /// <summary>Writes the model, optimizer, RNG and step (and what else the trainer needs to continue) into <paramref name="dir"/>.</summary>
    void SaveState(string dir);

    /// <summary>Reads what <see cref="SaveState"/> wrote.</summary>
    void LoadState(string dir);
}
