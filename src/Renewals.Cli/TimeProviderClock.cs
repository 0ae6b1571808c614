using NodaTime;

namespace Renewals.Cli;

/// <summary>
/// The NodaTime clock over a .NET <see cref="TimeProvider"/>: the program hands in the host's
/// time provider, tests hand in their own, and no code below reads the time by itself.
/// </summary>
internal sealed class TimeProviderClock(TimeProvider time) : IClock
{
    public Instant GetCurrentInstant() => Instant.FromDateTimeOffset(time.GetUtcNow());
}
