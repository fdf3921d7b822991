namespace Aha.Tests;

/// <summary>
/// Tests that measure process-wide quantities (live managed memory) run last, so other tests' allocations do not count
/// against them (and they stay alone should test parallelization, off in AssemblyInfo.cs, be turned back on).
/// </summary>
[CollectionDefinition(Name, DisableParallelization = true)]
public sealed class SerialCollection
{
    public const string Name = "Serial (process-wide measurements)";
}
