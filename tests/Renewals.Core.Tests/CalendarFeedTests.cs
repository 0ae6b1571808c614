using System.Diagnostics;
using System.Text;
using System.Text.Json;
using Microsoft.EntityFrameworkCore;
using NodaTime;
using NodaTime.Text;
using Renewals.Core.CalendarFeeds;
using Renewals.Core.Engagement;
using Renewals.Core.Portal;
using Renewals.Data;
using Renewals.Testing;

namespace Renewals.Core.Tests;

public sealed class SqliteCalendarFeedTests() : CalendarFeedTests(DatabaseProvider.Sqlite);

public sealed class PostgresCalendarFeedTests() : CalendarFeedTests(DatabaseProvider.PostgreSql);

/// <summary>
/// Calendar feeds read by an independent parser (Python's icalendar): a contact sees its
/// account's key dates and its meetings, an advisor the key dates of its book; a renewed
/// token kills the old one; only the token's hash is stored.
/// </summary>
public abstract class CalendarFeedTests(DatabaseProvider provider) : DatabaseTest(provider)
{
    private const string Script = """
        import sys, json, icalendar
        cal = icalendar.Calendar.from_ical(open(sys.argv[1], 'rb').read())
        out = {'name': str(cal.get('X-WR-CALNAME')), 'events': []}
        for ev in cal.walk('VEVENT'):
            out['events'].append({
                'uid': str(ev['UID']),
                'summary': str(ev['SUMMARY']),
                'start': ev['DTSTART'].to_ical().decode(),
                'end': ev['DTEND'].to_ical().decode(),
                'allDay': ev['DTSTART'].params.get('VALUE') == 'DATE',
            })
        print(json.dumps(out))
        """;

    [Fact]
    public async Task A_contacts_feed_holds_its_accounts_key_dates_as_all_day_events_and_its_meetings()
    {
        var advisor = await Book.AdvisorAsync();
        var account = await Book.AccountAsync(advisorId: advisor);
        var subscription = await Book.SellAsync(account.Id, new LocalDate(2027, 1, 15)); // 3 years, yearly invoices
        var jane = account.Contacts.Single(c => c.Name == "Jane Primary");
        string meetingUid;
        await using (var db = Database.Context())
        {
            meetingUid = (await new MeetingService(db, Clock).ScheduleAsync(
                NewMeeting.ForAccount(account.Id, LocalDateTimePattern.GeneralIso.Parse("2027-04-20T10:00:00").Value, 60), "test")).Uid;
        }

        var issued = await ServiceAsync(s => s.RenewForContactAsync(new PortalCustomer(account.Id), jane.Id, "customer:jane"));
        var feed = await ParseAsync((await ServiceAsync(s => s.IcsAsync(issued!.Token)))!);

        var s = subscription.Id;
        Assert.Equal("Renewals: key dates for Jane Primary", feed.GetProperty("name").GetString());
        Assert.Equal(
            [
                ($"dayone-s{s}-t1-v0@renewals", $"Subscription {s} of Acme starts", "20270115", "20270116", true),
                (meetingUid, "Subscription review: Acme", "20270420T080000Z", "20270420T090000Z", false),
                ($"yearlyinvoice-s{s}-t1-v2@renewals", $"Yearly invoice of subscription {s} of Acme", "20280115", "20280116", true),
                ($"yearlyinvoice-s{s}-t1-v3@renewals", $"Yearly invoice of subscription {s} of Acme", "20290115", "20290116", true),
                ($"cancellationdeadline-s{s}-t1-v0@renewals", $"Last day to cancel subscription {s} of Acme in writing", "20291116", "20291117", true),
                ($"anniversary-s{s}-t1-v0@renewals", $"Subscription {s} of Acme renews", "20300115", "20300116", true),
            ],
            Events(feed).OrderBy(e => e.Start, StringComparer.Ordinal).Select(e => (e.Uid, e.Summary, e.Start, e.End, e.AllDay)));
    }

    [Fact]
    public async Task An_advisors_feed_holds_the_key_dates_of_its_book_in_its_language_and_not_another_advisors()
    {
        var advisor = await Book.AdvisorAsync(); // French
        var other = await Book.AdvisorAsync("Other Advisor", "en");
        var mine = await Book.AccountAsync(advisorId: advisor);
        var theirs = await Book.AccountAsync(name: "Globex", advisorId: other);
        var subscription = await Book.SellAsync(mine.Id, new LocalDate(2027, 1, 15), years: 1);
        await Book.SellAsync(theirs.Id, new LocalDate(2027, 2, 1), years: 1);

        var issued = await ServiceAsync(s => s.RenewForAdvisorAsync(advisor, $"advisor:{advisor}"));
        var feed = await ParseAsync((await ServiceAsync(s => s.IcsAsync(issued.Token)))!);

        var s = subscription.Id;
        // One year from 15 January 2027: check-in after 90 days, reminders 120 and 60 days before the renewal, 60 days' notice.
        Assert.Equal(
            [
                ("20270115", $"Début de l'abonnement {s} (Acme)"),
                ("20270415", $"Prise de contact avec Acme (abonnement {s})"),
                ("20270917", $"Rappel de renouvellement à Acme (abonnement {s})"),
                ("20271116", $"Dernier jour pour résilier par écrit l'abonnement {s} (Acme)"),
                ("20271116", $"Rappel de renouvellement à Acme (abonnement {s})"),
                ("20280115", $"Renouvellement de l'abonnement {s} (Acme)"),
            ],
            Events(feed).Select(e => (e.Start, e.Summary)).Order());
        Assert.Equal("Renewals\u00a0: dates clés pour Camille Laurent", feed.GetProperty("name").GetString());
    }

    [Fact]
    public async Task A_renewed_token_replaces_the_old_one_which_opens_nothing_and_only_hashes_are_stored()
    {
        var account = await Book.AccountAsync();
        var other = await Book.AccountAsync(name: "Globex");
        var jane = account.Contacts.Single(c => c.Name == "Jane Primary");

        var first = await ServiceAsync(s => s.RenewForContactAsync(new PortalCustomer(account.Id), jane.Id, "customer:jane"));
        Clock.Advance(Duration.FromHours(1));
        var second = await ServiceAsync(s => s.RenewForContactAsync(new PortalCustomer(account.Id), jane.Id, "customer:jane"));
        var foreign = await ServiceAsync(s => s.RenewForContactAsync(new PortalCustomer(other.Id), jane.Id, "customer:globex"));

        Assert.Null(await ServiceAsync(s => s.IcsAsync(first!.Token)));
        Assert.NotNull(await ServiceAsync(s => s.IcsAsync(second!.Token)));
        Assert.Null(await ServiceAsync(s => s.IcsAsync(second!.Token[..^1] + (second.Token[^1] == 'A' ? 'B' : 'A'))));
        Assert.Null(foreign);
        Assert.Equal(43, second!.Token.Length);
        var contacts = await ServiceAsync(s => s.ContactFeedsAsync(new PortalCustomer(account.Id)));
        Assert.Equal([("Jane Primary", (Instant?)Instant.FromUtc(2026, 12, 1, 13, 0)), ("Paul Payables", null)], contacts.Select(c => (c.Name, c.IssuedAt)));

        await using var db = Database.Context();
        var stored = await db.CalendarFeeds.AsNoTracking().SingleAsync();
        // SHA-256 of the token, worked out by another implementation (coreutils' sha256sum).
        Assert.Equal(await Sha256SumAsync(second.Token), stored.TokenHash);
        Assert.Equal(["calendar-feed.made", "calendar-feed.renewed"], await db.Audit.AsNoTracking().Where(a => a.Entity == "calendar-feed").OrderBy(a => a.Id).Select(a => a.Action).ToListAsync());
    }

    private sealed record FeedEvent(string Uid, string Summary, string Start, string End, bool AllDay);

    private static IEnumerable<FeedEvent> Events(JsonElement feed) =>
        feed.GetProperty("events").EnumerateArray().Select(e => new FeedEvent(
            e.GetProperty("uid").GetString()!, e.GetProperty("summary").GetString()!, e.GetProperty("start").GetString()!, e.GetProperty("end").GetString()!,
            e.GetProperty("allDay").GetBoolean()));

    private async Task<T> ServiceAsync<T>(Func<CalendarFeedService, Task<T>> use)
    {
        await using var db = Database.Context();
        return await use(new CalendarFeedService(db, Clock));
    }

    private static async Task<JsonElement> ParseAsync(string ics)
    {
        var file = Path.Combine(Path.GetTempPath(), "renewals-feed-" + Guid.NewGuid().ToString("N")[..12] + ".ics");
        await File.WriteAllTextAsync(file, ics, new UTF8Encoding(false));
        try
        {
            var (code, output, error) = await RunAsync(PythonIcalendar.Python, "-c", Script, file);
            Assert.True(code == 0, $"python icalendar refused the feed: {error}");
            return JsonDocument.Parse(output).RootElement.Clone();
        }
        finally
        {
            File.Delete(file);
        }
    }

    private static async Task<string> Sha256SumAsync(string text)
    {
        var file = Path.GetTempFileName();
        await File.WriteAllTextAsync(file, text, new UTF8Encoding(false));
        try
        {
            var (_, output, _) = await RunAsync("sha256sum", file);
            return output.Split(' ')[0];
        }
        finally
        {
            File.Delete(file);
        }
    }

    private static async Task<(int Code, string Output, string Error)> RunAsync(string program, params string[] args)
    {
        var start = new ProcessStartInfo(program) { RedirectStandardOutput = true, RedirectStandardError = true, StandardOutputEncoding = Encoding.UTF8 };
        foreach (var a in args)
        {
            start.ArgumentList.Add(a);
        }

        start.Environment["PYTHONIOENCODING"] = "utf-8";
        using var process = Process.Start(start) ?? throw new InvalidOperationException($"{program} did not start");
        var output = process.StandardOutput.ReadToEndAsync();
        var error = process.StandardError.ReadToEndAsync();
        await process.WaitForExitAsync();
        return (process.ExitCode, await output, await error);
    }
}
