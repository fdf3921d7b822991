namespace Aha.Tests.Data;

/// <summary>Temporary files removed on dispose.</summary>
internal sealed class TempFiles : IDisposable
{
    private readonly string _dir = Path.Combine(Path.GetTempPath(), "aha-data-" + Guid.NewGuid().ToString("N"));

    public TempFiles() => Directory.CreateDirectory(_dir);

    public string Write(string name, string content)
    {
        var path = Path.Combine(_dir, name);
        File.WriteAllText(path, content);
        return path;
    }

    public string PathOf(string name) => Path.Combine(_dir, name);

    public void Dispose() => Directory.Delete(_dir, recursive: true);
}
