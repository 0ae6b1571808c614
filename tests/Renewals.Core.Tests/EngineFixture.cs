using Microsoft.EntityFrameworkCore;
using NodaTime;
using NodaTime.Testing;
using Renewals.Core.Engine;
using Renewals.Data;
using Renewals.Data.Model;
using Renewals.Testing;

namespace Renewals.Core.Tests;

/// <summary>A fresh database, a fake clock at 2026-12-01 and a test book over them, for one test.</summary>
public abstract class DatabaseTest(DatabaseProvider provider) : IAsyncLifetime
{
    private TestDatabase? _database;

    protected DatabaseProvider Provider => provider;

    protected TestDatabase Database => _database ?? throw new InvalidOperationException("Not initialised");

    protected FakeClock Clock { get; } = TestBook.ClockAt(2026, 12, 1);

    protected TestBook Book => new(Database.Database, Clock);

    public async Task InitializeAsync() => _database = await TestDatabase.CreateAsync(provider);

    public async Task DisposeAsync()
    {
        if (_database is not null)
        {
            await _database.DisposeAsync();
        }
    }

    protected RenewalEngine Engine(int batchSize = 1000) => new(Database.Database, Clock, new EngineOptions { BatchSize = batchSize });

    /// <summary>Runs the engine as of midnight starting <paramref name="localDate"/> in <paramref name="zone"/>.</summary>
    protected Task<EngineRunResult> RunOnAsync(LocalDate localDate, string zone = "Europe/Paris") =>
        Engine().RunAsync(localDate.AtStartOfDayInZone(DateTimeZoneProviders.Tzdb[zone]).ToInstant());

    protected static LocalDate Date(string iso) => NodaTime.Text.LocalDatePattern.Iso.Parse(iso).Value;

    protected async Task<List<Milestone>> MilestonesAsync(long subscriptionId)
    {
        await using var db = Database.Context();
        return await db.Milestones.AsNoTracking().Where(m => m.SubscriptionId == subscriptionId)
            .OrderBy(m => m.TermNumber).ThenBy(m => m.Date).ThenBy(m => m.Kind).ToListAsync();
    }

    protected async Task<List<OutboxMessage>> MessagesAsync(long? subscriptionId = null)
    {
        await using var db = Database.Context();
        return await db.Outbox.AsNoTracking().Where(m => subscriptionId == null || m.SubscriptionId == subscriptionId).OrderBy(m => m.Id).ToListAsync();
    }

    protected async Task<List<Invoice>> InvoicesAsync(long subscriptionId)
    {
        await using var db = Database.Context();
        return await db.Invoices.AsNoTracking().Include(i => i.Lines).Where(i => i.SubscriptionId == subscriptionId).OrderBy(i => i.PeriodStart).ToListAsync();
    }
}
