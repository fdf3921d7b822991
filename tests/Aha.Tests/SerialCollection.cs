namespace Aha.Tests;

/// <summary>
/// Tests that measure process-wide quantities (live managed memory) run alone, after the parallel tests, so other
/// tests' allocations do not count against them.
/// </summary>
[CollectionDefinition(Name, DisableParallelization = true)]
public sealed class SerialCollection
{
    public const string Name = "Serial (process-wide measurements)";
}
