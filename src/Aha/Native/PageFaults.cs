namespace Aha.Native;

/// <summary>The process's minor page-fault count (Linux: field 10 of /proc/self/stat); null where it cannot be read.</summary>
public static class PageFaults
{
    public static long? Minor()
    {
        if (!OperatingSystem.IsLinux()) return null;
        try
        {
            var stat = File.ReadAllText("/proc/self/stat");
            var fields = stat[(stat.LastIndexOf(')') + 2)..].Split(' '); // the command name may contain spaces
            return long.Parse(fields[7]);
        }
        catch (IOException)
        {
            return null;
        }
    }
}
