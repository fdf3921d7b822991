namespace Aha.Tests.Tracking;

/// <summary>A clock that moves only when told, for ETA and timestamp tests.</summary>
internal sealed class FakeClock(DateTimeOffset start) : TimeProvider
{
    private long _ticks;

    public void Advance(TimeSpan by) => _ticks += by.Ticks;

    public override DateTimeOffset GetUtcNow() => start + TimeSpan.FromTicks(_ticks);
    public override long GetTimestamp() => _ticks;
    public override long TimestampFrequency => TimeSpan.TicksPerSecond;
}
