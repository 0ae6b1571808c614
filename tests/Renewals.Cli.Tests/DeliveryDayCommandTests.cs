using Microsoft.EntityFrameworkCore;
using NodaTime;
using NodaTime.Testing;
using Renewals.Core.Messaging;
using Renewals.Data;
using Renewals.Data.Model;
using Renewals.Testing;

namespace Renewals.Cli.Tests;

public sealed class SqliteDeliveryDayCommandTests() : DeliveryDayCommandTests(DatabaseProvider.Sqlite);

public sealed class PostgresDeliveryDayCommandTests() : DeliveryDayCommandTests(DatabaseProvider.PostgreSql);

/// <summary>
/// <c>run</c> and <c>simulate</c> deliver what the engine just wrote, each message as of the
/// day it is sent. The example: a one-year subscription from 15 January 2027, Paris, English;
/// renewal on 15 January 2028, reminders (120 and 60 days before) on 17 September and
/// 16 November 2027, the written-notice deadline (60 days) on 16 November 2027.
/// </summary>
public abstract class DeliveryDayCommandTests(DatabaseProvider provider) : IAsyncLifetime
{
    private readonly string _pickup = Path.Combine(Path.GetTempPath(), "renewals-pickup-" + Guid.NewGuid().ToString("N")[..10]);
    private TestDatabase? _database;

    private TestDatabase Database => _database ?? throw new InvalidOperationException("Not initialised");

    public async Task InitializeAsync()
    {
        _database = await TestDatabase.CreateAsync(provider);
        var book = new TestBook(Database.Database, TestBook.ClockAt(2026, 12, 1));
        var account = await book.AccountAsync("Acme", zone: "Europe/Paris", language: "en");
        await book.SellAsync(account.Id, new LocalDate(2027, 1, 15), years: 1);
    }

    public async Task DisposeAsync()
    {
        if (_database is not null)
        {
            await _database.DisposeAsync();
        }

        if (Directory.Exists(_pickup))
        {
            Directory.Delete(_pickup, recursive: true);
        }
    }

    private Task<CliRun> Cli(IClock clock, params string[] args) => CliRun.InProcess(
        clock, new Dictionary<string, string?> { [PickupFolderTransport.Variable] = _pickup }, [.. args, "--db", Database.Setting]);

    [Fact]
    public async Task A_plain_run_sends_the_messages_it_has_just_written()
    {
        // A real clock moves while the engine works: every reading here is a second later.
        var clock = new FakeClock(Instant.FromUtc(2027, 1, 15, 9, 0), Duration.FromSeconds(1));

        var run = await Cli(clock, "run");

        Assert.Equal(0, run.ExitCode);
        await using var db = Database.Context();
        var messages = await db.Outbox.AsNoTracking().ToListAsync();
        Assert.NotEmpty(messages);
        Assert.All(messages, m => Assert.Equal(OutboxStatus.Sent, m.Status));
        Assert.Contains($"Messages: {messages.Count} sent, 0 waiting", run.Output, StringComparison.Ordinal);
    }
}
