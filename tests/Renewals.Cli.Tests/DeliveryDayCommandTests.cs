using Microsoft.EntityFrameworkCore;
using MimeKit;
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

    [Fact]
    public async Task Simulate_sends_each_reminder_on_its_own_day_dated_and_worded_for_that_day()
    {
        var clock = new FakeClock(Instant.FromUtc(2027, 1, 14, 9, 0));

        var simulate = await Cli(clock, "simulate", "--until", "2027-12-31");

        Assert.Equal(0, simulate.ExitCode);
        var reminders = Directory.GetFiles(_pickup, "*.eml")
            .Select(f => MimeMessage.Load(f))
            .Where(m => m.Headers["X-Renewals-Template"] == "reminder" && m.To.Mailboxes.Single().Address == "jane@acme.example")
            .OrderBy(m => m.Date)
            .ToList();
        Assert.Equal(2, reminders.Count);
        // 17 September in Paris begins at 22:00 UTC on the 16th: the simulated day of 16 September
        // (UTC) carries it out and sends it at that day's last second.
        Assert.Equal(new DateTimeOffset(2027, 9, 16, 23, 59, 59, TimeSpan.Zero), reminders[0].Date);
        Assert.Equal("Your subscription renews on 15 January 2028 (in 120 days)", Plain(reminders[0].Subject));
        Assert.Contains("your written cancellation must reach us by 16 November 2027.", Plain(reminders[0].TextBody), StringComparison.Ordinal);
        Assert.Equal(new DateTimeOffset(2027, 11, 15, 23, 59, 59, TimeSpan.Zero), reminders[1].Date);
        Assert.Equal("Your subscription renews on 15 January 2028 (in 60 days)", Plain(reminders[1].Subject));
        Assert.Contains("must reach us today, 16 November 2027, at the latest.", Plain(reminders[1].TextBody), StringComparison.Ordinal);
        Assert.All(reminders, r => Assert.DoesNotContain("renewed on", r.TextBody, StringComparison.Ordinal));
    }

    private static string Plain(string? text) => text is null ? "" : string.Join(' ', text.Replace('\u00A0', ' ').Replace('\u202F', ' ').Split((char[])[' ', '\r', '\n'], StringSplitOptions.RemoveEmptyEntries));
}
