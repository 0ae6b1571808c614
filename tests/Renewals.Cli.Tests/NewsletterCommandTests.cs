using System.Text.Json;
using MimeKit;
using NodaTime;
using NodaTime.Testing;
using Renewals.Core.Access;
using Renewals.Core.Messaging;
using Renewals.Core.Newsletter;
using Renewals.Data;
using Renewals.Data.Model;
using Renewals.Testing;

namespace Renewals.Cli.Tests;

public sealed class SqliteNewsletterCommandTests() : NewsletterCommandTests(DatabaseProvider.Sqlite);

public sealed class PostgresNewsletterCommandTests() : NewsletterCommandTests(DatabaseProvider.PostgreSql);

/// <summary>
/// <c>renewals newsletter send</c>: nothing before the issue's time, then one message per
/// subscribed contact delivered with its one-click unsubscribe header, never twice; counts
/// printed as text or JSON; an unknown issue refused in French. The issue goes out on
/// 1 December 2026 at 14:00 in Paris (13:00Z).
/// </summary>
public abstract class NewsletterCommandTests(DatabaseProvider provider) : IAsyncLifetime
{
    private readonly string _pickup = Path.Combine(Path.GetTempPath(), "renewals-news-" + Guid.NewGuid().ToString("N")[..10]);
    private readonly FakeClock _clock = TestBook.ClockAt(2026, 12, 1);
    private TestDatabase? _database;

    private TestDatabase Database => _database ?? throw new InvalidOperationException("Not initialised");

    public async Task InitializeAsync()
    {
        _database = await TestDatabase.CreateAsync(provider);
        var book = new TestBook(Database.Database, _clock);
        var account = await book.AccountAsync("Acme", language: "en");
        await using var db = Database.Context();
        var consents = new NewsletterConsentService(db, _clock);
        foreach (var contact in db.Contacts.Where(c => c.AccountId == account.Id).Select(c => c.Id).ToList())
        {
            await consents.SetAsync(new Actor.OperatorConsole(), contact, true, ConsentSources.Import);
        }

        await new NewsletterService(db, _clock, new MessageRenderer(TemplateLibrary.FromSetting(null)), new DeliveryOptions(), Core.Invoicing.Seller.Default)
            .SaveAsync(new Actor.OperatorConsole(), null, new NewsletterDraft("December news", "Les nouvelles de décembre", "Hello", "Bonjour", "2026-12-01T14:00"));
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

    [Fact]
    public async Task Send_writes_each_due_issue_once_per_subscribed_contact_and_delivers_it_with_its_unsubscribe_header()
    {
        var early = await Cli("newsletter", "send", "--format", "json");
        Assert.Equal(0, early.ExitCode);
        using (var json = JsonDocument.Parse(early.Output))
        {
            Assert.Empty(json.RootElement.GetProperty("issues").EnumerateArray());
            Assert.Equal(0, json.RootElement.GetProperty("queued").GetInt32());
        }

        _clock.Reset(Instant.FromUtc(2026, 12, 1, 13, 5));
        var due = await Cli("newsletter", "send");
        Assert.Equal(0, due.ExitCode);
        Assert.Contains("Issue 1: 2 messages written, 0 contacts already had it.", due.Output, StringComparison.Ordinal);
        Assert.Contains("Messages: 2 sent, 0 waiting to be retried, 0 dead-lettered", due.Output, StringComparison.Ordinal);
        var mails = Directory.GetFiles(_pickup, "*.eml").Select(f => MimeMessage.Load(f)).ToList();
        Assert.Equal(["ap@acme.example", "jane@acme.example"], mails.Select(m => m.To.Mailboxes.Single().Address).Order(StringComparer.Ordinal));
        Assert.All(mails, m => Assert.Matches(@"^<http://localhost:5000/newsletter/unsubscribe/[A-Za-z0-9_-]{43}>$", m.Headers[HeaderId.ListUnsubscribe]));
        Assert.All(mails, m => Assert.Equal("List-Unsubscribe=One-Click", m.Headers["List-Unsubscribe-Post"]));
        Assert.All(mails, m => Assert.Equal("December news", m.Subject));

        var again = await Cli("newsletter", "send", "--issue", "1", "--format", "json");
        Assert.Equal(0, again.ExitCode);
        using (var json = JsonDocument.Parse(again.Output))
        {
            var issue = Assert.Single(json.RootElement.GetProperty("issues").EnumerateArray());
            Assert.Equal((1, 0, 2), (issue.GetProperty("id").GetInt32(), issue.GetProperty("queued").GetInt32(), issue.GetProperty("alreadySent").GetInt32()));
            Assert.Equal(0, json.RootElement.GetProperty("delivered").GetProperty("sent").GetInt32());
        }

        Assert.Equal(2, Directory.GetFiles(_pickup, "*.eml").Length);
        var unknown = await Cli("--lang", "fr", "newsletter", "send", "--issue", "99");
        Assert.NotEqual(0, unknown.ExitCode);
        Assert.Contains("Il n'y a pas de lettre numéro 99.", unknown.Error, StringComparison.Ordinal);
    }

    private Task<CliRun> Cli(params string[] args) => CliRun.InProcess(
        _clock, new Dictionary<string, string?> { [PickupFolderTransport.Variable] = _pickup }, [.. args, "--db", Database.Setting]);
}
