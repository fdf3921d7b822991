namespace Aha.Tests;

/// <summary>The repository's root folder (the one holding Aha.sln), found above the test assembly.</summary>
internal static class RepoRoot
{
    public static string Find()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
            if (File.Exists(Path.Combine(dir.FullName, "Aha.sln"))) return dir.FullName;
        throw new DirectoryNotFoundException("Aha.sln not found above the test folder.");
    }
}
