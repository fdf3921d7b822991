namespace Aha.Tests;

/// <summary>A fresh folder under the system temp dir, deleted on dispose.</summary>
internal sealed class TempDir : IDisposable
{
    public TempDir() => Directory.CreateDirectory(Path);

    public string Path { get; } = System.IO.Path.Combine(System.IO.Path.GetTempPath(), "aha-test-" + Guid.NewGuid().ToString("N"));

    public string this[string name] => System.IO.Path.Combine(Path, name);

    /// <summary>Writes <paramref name="contents"/> to a file in this folder and returns its path.</summary>
    public string File(string name, string contents)
    {
        System.IO.File.WriteAllText(this[name], contents);
        return this[name];
    }

    public void Dispose()
    {
        try { Directory.Delete(Path, recursive: true); } catch (IOException) { }
    }
}
