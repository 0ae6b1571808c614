using Microsoft.Extensions.Options;
using NodaTime;
using Renewals.Core.Payments;
using Renewals.Data;

namespace Renewals.Core.Engine;

/// <summary>What running the book at an instant did: the engine's steps, then the collection pass's.</summary>
public sealed record BookRunResult(EngineRunResult Engine, CollectionResult Collections);

/// <summary>
/// Runs the book at an instant: what `renewals run` does, and what a clean reference run in the
/// fault and chaos tests must do the same way. The order matters and is fixed here:
/// <list type="number">
/// <item>the engine carries out every milestone due at the instant (renewal invoices are issued);</item>
/// <item>then the collection pass, as of the same instant, notes invoices overdue and queues their
/// reminders, so that it sees the invoices the engine has just issued and a reminder's day is
/// reckoned from the run's instant, not from when the pass happened to start.</item>
/// </list>
/// Each step is safe to repeat and to share with other instances (the engine's claims, the
/// collection steps' (invoice, stage) key), so a run cut short is finished by running it again.
/// Delivering the outbox is not part of it: the caller decides when (and whether) to send.
/// </summary>
public sealed class BookRun(RenewalEngine engine, CollectionPass collections)
{
    /// <summary>
    /// A run over <paramref name="database"/> for <paramref name="seller"/> (whose date says when an
    /// invoice is late), with its own engine and collection settings; null ones are those classes'
    /// defaults, the same the configuration starts from (tests, tools).
    /// </summary>
    public static BookRun Over(
        RenewalsDatabase database, IClock clock, Invoicing.Seller seller, EngineOptions? engine = null, CollectionOptions? collections = null) =>
        new(new RenewalEngine(database, clock, engine), new CollectionPass(database, clock, Options.Create(collections ?? new CollectionOptions()), seller));

    public async Task<BookRunResult> RunAsync(Instant at, CancellationToken ct = default)
    {
        var engineResult = await engine.RunAsync(at, ct);
        var chased = await collections.RunAsync(at, ct);
        return new BookRunResult(engineResult, chased);
    }
}
