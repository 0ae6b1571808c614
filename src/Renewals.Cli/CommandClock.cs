using NodaTime;

namespace Renewals.Cli;

/// <summary>
/// The command line's one clock: the host's <see cref="IClock"/>, so every service of a command
/// (the engine, the collection pass, the dispatchers, the audit) reads it. It reads the running
/// clock (the system's, or the one a test hands in) until the command makes it stand at an
/// instant: <c>run --as-of</c> for the whole command, <c>simulate</c> at each simulated day in
/// turn. Everything stamped meanwhile then carries that instant, with no case of its own.
/// </summary>
internal sealed class CommandClock(IClock running) : IClock
{
    // A reference, read and written whole: deliveries read the clock from several threads.
    private volatile Standing? _standing;

    /// <summary>From now on, for the rest of the command, every reading is <paramref name="instant"/>.</summary>
    public void StandAt(Instant instant) => _standing = new Standing(instant);

    public Instant GetCurrentInstant() => _standing?.At ?? running.GetCurrentInstant();

    private sealed record Standing(Instant At);
}
