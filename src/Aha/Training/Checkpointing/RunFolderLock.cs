namespace Aha.Training.Checkpointing;

/// <summary>
/// Exclusive use of a run folder by one process: <c>&lt;run&gt;/.lock</c> opened with no sharing (on Linux and macOS
/// .NET takes an advisory <c>flock</c> on it), held until disposed. A second process that opens the same run (two
/// <c>--resume</c> at once) fails at once with <see cref="RunFolderLockedException"/>, before it writes anything.
/// The kernel drops the lock when its process dies, so a run killed with SIGKILL can be resumed right away.
/// </summary>
public sealed class RunFolderLock : IDisposable
{
    /// <summary>The lock file's name inside the run folder.</summary>
    public const string FileName = ".lock";

    private readonly FileStream _stream;

    private RunFolderLock(FileStream stream) => _stream = stream;

    /// <summary>Takes the lock on <paramref name="runDir"/>.</summary>
    /// <exception cref="RunFolderLockedException">Another process holds it.</exception>
    public static RunFolderLock Acquire(string runDir)
    {
        var path = Path.Combine(runDir, FileName);
        try
        {
            var stream = new FileStream(path, FileMode.OpenOrCreate, FileAccess.ReadWrite, FileShare.None, 1, FileOptions.DeleteOnClose);
            return new RunFolderLock(stream);
        }
        catch (IOException e) when (e is not FileNotFoundException and not DirectoryNotFoundException)
        {
            throw new RunFolderLockedException(runDir, e);
        }
    }

    public void Dispose() => _stream.Dispose();
}

/// <summary>The run folder is in use by another process (its <c>.lock</c> is held).</summary>
public sealed class RunFolderLockedException(string runDir, Exception inner)
    : IOException($"run folder '{runDir}' is in use by another process (it holds {Path.Combine(runDir, RunFolderLock.FileName)}); wait for that run to finish or stop it, then resume.", inner);
