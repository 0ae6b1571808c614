using Microsoft.EntityFrameworkCore;
using MimeKit;
using NodaTime;
using NodaTime.Testing;
using Renewals.Core.Messaging;
using Renewals.Data;
using Renewals.Data.Model;
using Renewals.Testing;

namespace Renewals.Cli.Tests;

public sealed class SqliteAsOfClockTests() : AsOfClockTests(DatabaseProvider.Sqlite);

public sealed class PostgresAsOfClockTests() : AsOfClockTests(DatabaseProvider.PostgreSql);

/// <summary>
/// The command line's clock is one: given <c>--as-of</c>, <c>run</c> stands at that instant for the
/// whole command, so what it writes (audit rows, messages) and what it sends (SentAt, the Date
/// header) all carry it; without <c>--as-of</c> they carry the real time. The example: a sale from
/// 15 January 2027 (Paris, English); its first day (which begins at 23:00 UTC on the 14th) is
/// carried out by a run as of 15 January 2027, 09:30 UTC.
/// </summary>
public abstract class AsOfClockTests(DatabaseProvider provider) : IAsyncLifetime
{
    private readonly string _pickup = Path.Combine(Path.GetTempPath(), "renewals-asof-" + Guid.NewGuid().ToString("N")[..10]);
    private TestDatabase? _database;

    private TestDatabase Database => _database ?? throw new InvalidOperationException("Not initialised");

    public async Task InitializeAsync() => _database = await TestDatabase.CreateAsync(provider);

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

    [Fact]
    public async Task Run_as_of_an_instant_writes_and_sends_everything_at_that_instant_not_at_the_running_clock()
    {
        // The running clock stands weeks earlier and moves a second at every reading: a stamp
        // taken from it instead of from the as-of would show 1 December 2026.
        var running = new FakeClock(Instant.FromUtc(2026, 12, 1, 9, 0), Duration.FromSeconds(1));
        await SellAsync(new FakeClock(Instant.FromUtc(2026, 12, 1, 9, 0)), new LocalDate(2027, 1, 15));
        var auditBefore = await LastAuditIdAsync();

        var run = await CliRun.InProcess(running, Pickup(), "run", "--as-of", "2027-01-15T09:30:00Z", "--db", Database.Setting);

        Assert.Equal(0, run.ExitCode);
        var asOf = Instant.FromUtc(2027, 1, 15, 9, 30);
        await using var db = Database.Context();
        var messages = await db.Outbox.AsNoTracking().OrderBy(m => m.Id).ToListAsync();
        Assert.NotEmpty(messages);
        Assert.Contains($"Messages: {messages.Count} sent, 0 waiting", run.Output, StringComparison.Ordinal);
        Assert.All(messages, m => Assert.Equal((OutboxStatus.Sent, asOf, asOf, (Instant?)asOf), (m.Status, m.CreatedAt, m.NextAttemptAt, m.SentAt)));
        var mails = Directory.GetFiles(_pickup, "*.eml").Select(f => MimeMessage.Load(f)).ToList();
        Assert.Equal(messages.Count, mails.Count);
        Assert.All(mails, mail => Assert.Equal(new DateTimeOffset(2027, 1, 15, 9, 30, 0, TimeSpan.Zero), mail.Date));
        var audit = await db.Audit.AsNoTracking().Where(a => a.Id > auditBefore).ToListAsync();
        Assert.Contains(audit, a => a.Action == "milestone.done");
        Assert.All(audit, a => Assert.Equal(asOf, a.At));
    }

    [Fact]
    public async Task Run_as_of_a_day_stands_at_that_day_s_last_instant_for_the_whole_command()
    {
        var running = new FakeClock(Instant.FromUtc(2026, 12, 1, 9, 0), Duration.FromSeconds(1));
        await SellAsync(new FakeClock(Instant.FromUtc(2026, 12, 1, 9, 0)), new LocalDate(2027, 1, 15));
        var auditBefore = await LastAuditIdAsync();

        var run = await CliRun.InProcess(running, Pickup(), "run", "--as-of", "2027-01-15", "--db", Database.Setting);

        Assert.Equal(0, run.ExitCode);
        // The end of 15 January 2027 (UTC): 23:59:59 and the last nanosecond; stored to the
        // microsecond at most, and dated to the second in the header.
        var lastSecond = Instant.FromUtc(2027, 1, 15, 23, 59, 59);
        await using var db = Database.Context();
        var messages = await db.Outbox.AsNoTracking().ToListAsync();
        Assert.NotEmpty(messages);
        Assert.All(messages, m => Assert.Equal(OutboxStatus.Sent, m.Status));
        Assert.All(messages, m => Assert.InRange(m.SentAt!.Value, lastSecond, lastSecond + Duration.FromSeconds(1) - Duration.Epsilon));
        Assert.All(Directory.GetFiles(_pickup, "*.eml"), f => Assert.Equal(new DateTimeOffset(2027, 1, 15, 23, 59, 59, TimeSpan.Zero), MimeMessage.Load(f).Date));
        var audit = await db.Audit.AsNoTracking().Where(a => a.Id > auditBefore).ToListAsync();
        Assert.NotEmpty(audit);
        Assert.All(audit, a => Assert.InRange(a.At, lastSecond, lastSecond + Duration.FromSeconds(1) - Duration.Epsilon));
    }

    [Fact]
    public async Task Run_without_as_of_stamps_with_the_real_clock()
    {
        // The test's own reading of the system clock, independent of the command's.
        var before = SystemClock.Instance.GetCurrentInstant();
        // Sold from yesterday (UTC): its first day is due now in any zone.
        await SellAsync(new FakeClock(before), before.InUtc().Date.PlusDays(-1));
        var auditBefore = await LastAuditIdAsync();

        var output = new StringWriter();
        var error = new StringWriter();
        var code = await RenewalsCli.RunAsync(["run", "--db", Database.Setting], output, error, clock: null, Pickup());
        var after = SystemClock.Instance.GetCurrentInstant();

        Assert.Equal(0, code);
        await using var db = Database.Context();
        var messages = await db.Outbox.AsNoTracking().ToListAsync();
        Assert.NotEmpty(messages);
        Assert.All(messages, m => Assert.Equal(OutboxStatus.Sent, m.Status));
        Assert.All(messages, m => Assert.InRange(m.SentAt!.Value, before, after));
        Assert.All(messages, m => Assert.InRange(m.CreatedAt, before, after));
        // The Date header is written to the second.
        var fromSecond = Instant.FromUnixTimeSeconds(before.ToUnixTimeSeconds()).ToDateTimeOffset();
        Assert.All(Directory.GetFiles(_pickup, "*.eml"), f => Assert.InRange(MimeMessage.Load(f).Date, fromSecond, after.ToDateTimeOffset()));
        var audit = await db.Audit.AsNoTracking().Where(a => a.Id > auditBefore).ToListAsync();
        Assert.Contains(audit, a => a.Action == "milestone.done");
        Assert.All(audit, a => Assert.InRange(a.At, before, after));
    }

    private Dictionary<string, string?> Pickup() => new() { [PickupFolderTransport.Variable] = _pickup };

    private async Task SellAsync(FakeClock clock, LocalDate start)
    {
        var book = new TestBook(Database.Database, clock);
        var account = await book.AccountAsync("Acme", zone: "Europe/Paris", language: "en");
        await book.SellAsync(account.Id, start, years: 1);
    }

    private async Task<long> LastAuditIdAsync()
    {
        await using var db = Database.Context();
        return await db.Audit.MaxAsync(a => (long?)a.Id) ?? 0;
    }
}
