using Aha.Training.Runs;

namespace Aha.Tests;

/// <summary>
/// One cache of pretrained bases (<c>model.pretrain</c>) for the whole test run: a temporary folder set as
/// <c>$AHA_CACHE</c> for this process and the <c>aha</c> processes it starts, so the shipped recipes' base is built
/// once per run by whichever test needs it first, never read from (or written to) the user's own cache, and deleted
/// when the test process exits.
/// </summary>
internal static class SharedBaseCache
{
    static readonly Lazy<string> Root = new(() =>
    {
        var root = Path.Combine(Path.GetTempPath(), "aha-test-cache-" + Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(root);
        Environment.SetEnvironmentVariable(PretrainedBase.CacheVariable, root);
        AppDomain.CurrentDomain.ProcessExit += (_, _) =>
        {
            try { Directory.Delete(root, recursive: true); } catch (IOException) { } catch (UnauthorizedAccessException) { }
        };
        return root;
    });

    /// <summary>Points <c>$AHA_CACHE</c> at the run's shared cache (created on first call) and returns it.</summary>
    public static string Use() => Root.Value;
}
