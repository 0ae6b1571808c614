using NodaTime;

namespace Renewals.Core.Hosting;

/// <summary>The NodaTime clock over the host's <see cref="TimeProvider"/>: tests hand in their own provider.</summary>
public sealed class TimeProviderClock(TimeProvider time) : IClock
{
    public Instant GetCurrentInstant() => Instant.FromDateTimeOffset(time.GetUtcNow());
}
