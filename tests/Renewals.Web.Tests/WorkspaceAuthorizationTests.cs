using System.Globalization;
using System.Net;
using System.Text.RegularExpressions;
using Deque.AxeCore.Playwright;
using Microsoft.EntityFrameworkCore;
using Microsoft.Playwright;
using NodaTime;
using Renewals.Core.Advisors;
using Renewals.Data;
using Renewals.Data.Model;

namespace Renewals.Web.Tests;

/// <summary>
/// Every route of the advisor workspace and the partner portal, listed once below: each
/// answers its owner, answers 404 with another advisor's or partner's ids and to a customer,
/// and sends nobody signed in to sign in. An advisor's pages list its book and the unassigned
/// queue only. Every page has no serious or critical accessibility violation, in both languages.
/// </summary>
[Collection(WebAppGroup.Name)]
public sealed partial class WorkspaceAuthorizationTests(WebApp app)
{
    private const string Advisor = "advisor@example.com";
    private const string Partner = "partner@example.com";

    /// <summary>The ids each route is asked with: the demo advisor's and partner's own, or another's.</summary>
    private sealed record Ids(
        long Account, long Task, long CheckIn, long Meeting, long PastMeeting, long Customer, string Month, long Event = 0, long Subscription = 0);

    /// <summary>Every /advisor route, in one place.</summary>
    private static List<string> AdvisorRoutes(Ids ids) =>
    [
        "/advisor",
        "/advisor/pipeline",
        $"/advisor/pipeline/{ids.Month}",
        "/advisor/preview",
        $"/advisor/accounts/{ids.Account}",
        $"/advisor/accounts/{ids.Account}/meetings/new",
        $"/advisor/accounts/{ids.Account}/notice",
        $"/advisor/tasks/{ids.Task}",
        $"/advisor/tasks/{ids.CheckIn}/meeting",
        $"/advisor/meetings/{ids.Meeting}",
        $"/advisor/meetings/{ids.PastMeeting}",
        "/advisor/events",
        $"/advisor/events/{ids.Event}",
        $"/advisor/subscriptions/{ids.Subscription}/amend",
    ];

    /// <summary>The /advisor routes that name an id: with another advisor's ids each must answer 404.</summary>
    private static List<string> AdvisorRoutesWithIds(Ids ids) => [.. AdvisorRoutes(ids).Where(r => IdInRoute().IsMatch(r))];

    /// <summary>Every /partner route, in one place.</summary>
    private static List<string> PartnerRoutes(Ids ids) => ["/partner", $"/partner/customers/{ids.Customer}"];

    [Fact]
    public async Task Each_route_answers_its_owner_and_404_to_the_other_area_and_to_a_customer()
    {
        var mine = await OursAsync();
        using var advisor = await app.SignedInClientAsync(Advisor, "**/advisor");
        using var partner = await app.SignedInClientAsync(Partner, "**/partner");
        using var customer = await app.SignedInClientAsync(WebApp.English, "**/portal");
        foreach (var route in AdvisorRoutes(mine))
        {
            Assert.Equal((route, HttpStatusCode.OK), (route, (await advisor.GetAsync(route)).StatusCode));
            Assert.Equal((route, HttpStatusCode.NotFound), (route, (await partner.GetAsync(route)).StatusCode));
            Assert.Equal((route, HttpStatusCode.NotFound), (route, (await customer.GetAsync(route)).StatusCode));
        }

        foreach (var route in PartnerRoutes(mine))
        {
            Assert.Equal((route, HttpStatusCode.OK), (route, (await partner.GetAsync(route)).StatusCode));
            Assert.Equal((route, HttpStatusCode.NotFound), (route, (await advisor.GetAsync(route)).StatusCode));
            Assert.Equal((route, HttpStatusCode.NotFound), (route, (await customer.GetAsync(route)).StatusCode));
        }
    }

    [Fact]
    public async Task Another_advisors_or_partners_ids_answer_404_on_every_route_that_names_one()
    {
        var theirs = await TheirsAsync();
        using var advisor = await app.SignedInClientAsync(Advisor, "**/advisor");
        using var partner = await app.SignedInClientAsync(Partner, "**/partner");
        foreach (var route in AdvisorRoutesWithIds(theirs))
        {
            Assert.Equal((route, HttpStatusCode.NotFound), (route, (await advisor.GetAsync(route)).StatusCode));
        }

        foreach (var route in PartnerRoutes(theirs).Where(r => IdInRoute().IsMatch(r)))
        {
            Assert.Equal((route, HttpStatusCode.NotFound), (route, (await partner.GetAsync(route)).StatusCode));
        }

        // Posting to another advisor's meeting changes nothing either: the page is not found before any form is read.
        await using var db = app.Database.CreateContext();
        var before = await db.ReviewMeetings.AsNoTracking().SingleAsync(m => m.Id == theirs.Meeting);
        using var form = new FormUrlEncodedContent([new("_handler", "cancel")]);
        Assert.NotEqual(HttpStatusCode.OK, (await advisor.PostAsync($"/advisor/meetings/{theirs.Meeting}", form)).StatusCode);
        var after = await db.ReviewMeetings.AsNoTracking().SingleAsync(m => m.Id == theirs.Meeting);
        Assert.Equal((before.Sequence, before.IsCancelled), (after.Sequence, after.IsCancelled));
    }

    [Fact]
    public async Task Nobody_signed_in_reaches_any_route()
    {
        var mine = await OursAsync();
        using var anonymous = new HttpClient(new HttpClientHandler { AllowAutoRedirect = false }) { BaseAddress = new Uri(app.BaseUrl) };
        foreach (var route in AdvisorRoutes(mine).Concat(PartnerRoutes(mine)))
        {
            var answer = await anonymous.GetAsync(route);
            Assert.Equal((route, HttpStatusCode.Redirect), (route, answer.StatusCode));
            Assert.StartsWith("/signin", answer.Headers.Location!.PathAndQuery, StringComparison.Ordinal);
        }
    }

    [Fact]
    public async Task The_advisor_sees_its_book_and_the_unassigned_queue_only()
    {
        await OursAsync();
        await using var db = app.Database.CreateContext();
        var advisorId = await db.Users.Where(u => u.Email == Advisor).Select(u => u.AdvisorId!.Value).SingleAsync();
        var book = await db.Accounts.Where(a => a.AdvisorId == advisorId).Select(a => a.Id).ToListAsync();
        var tasks = await db.AdvisorTasks.Where(t => t.Status == AdvisorTaskStatus.Open && (t.AdvisorId == advisorId || t.AdvisorId == null)).Select(t => t.Id).ToListAsync();

        using var advisor = await app.SignedInClientAsync(Advisor, "**/advisor");
        var html = await advisor.GetStringAsync("/advisor");
        var linkedAccounts = AccountLink().Matches(html).Select(m => long.Parse(m.Groups[1].Value, CultureInfo.InvariantCulture)).ToHashSet();
        var linkedTasks = TaskLink().Matches(html).Select(m => long.Parse(m.Groups[1].Value, CultureInfo.InvariantCulture)).ToHashSet();
        Assert.Equal(tasks.Order(), linkedTasks.Order());
        // Accounts are linked from the book and from the tasks: the book's, and those of unassigned tasks only.
        var queueAccounts = await db.AdvisorTasks.Where(t => t.Status == AdvisorTaskStatus.Open && t.AdvisorId == null).Where(t => t.AccountId != null).Select(t => t.AccountId!.Value).ToListAsync();
        Assert.Empty(linkedAccounts.Except(book).Except(queueAccounts));
        Assert.Empty(book.Except(linkedAccounts));
    }

    [Fact]
    public async Task Every_advisor_and_partner_page_has_no_serious_accessibility_violation_in_both_languages()
    {
        var mine = await OursAsync();
        foreach (var language in new[] { "en", "fr" })
        {
            foreach (var (email, landing, routes) in new[] { (Advisor, "**/advisor", AdvisorRoutes(mine)), (Partner, "**/partner", PartnerRoutes(mine)) })
            {
                var page = await app.SignedInPageAsync(email, "en-GB", landing);
                await page.Context.AddCookiesAsync([new Microsoft.Playwright.Cookie { Name = ".AspNetCore.Culture", Value = $"c={language}|uic={language}", Url = app.BaseUrl }]);
                foreach (var route in routes)
                {
                    await page.GotoAsync(route);
                    await WebApp.ScreenshotAsync(page, "axe-workspace-" + language + route.Replace('/', '-'));
                    var result = await page.RunAxeAsync();
                    var serious = result.Violations.Where(v => v.Impact is "serious" or "critical").ToList();
                    Assert.True(serious.Count == 0, $"{route} ({language}): " + string.Join("; ", serious.Select(v => $"{v.Id}: {v.Help} at {string.Join(", ", v.Nodes.Select(n => n.Html))}")));
                }

                await page.Context.CloseAsync();
            }
        }
    }

    /// <summary>Ids the demo advisor and partner own, written for the test where the demo has none.</summary>
    private async Task<Ids> OursAsync()
    {
        await using var db = app.Database.CreateContext();
        var advisorId = await db.Users.Where(u => u.Email == Advisor).Select(u => u.AdvisorId!.Value).SingleAsync();
        var partnerId = await db.Users.Where(u => u.Email == Partner).Select(u => u.PartnerId!.Value).SingleAsync();
        var account = await db.Accounts.Where(a => a.AdvisorId == advisorId).OrderBy(a => a.Id).Select(a => a.Id).FirstAsync();
        var customer = await db.Accounts.Where(a => a.PartnerId == partnerId).OrderBy(a => a.Id).Select(a => a.Id).FirstAsync();
        return await IdsAsync(db, advisorId, account, customer) with { Event = await ConferenceAsync(db) };
    }

    /// <summary>
    /// A conference event (every advisor has an agenda at every event): with another advisor's
    /// ids the event route is asked with an event that does not exist (Event 0); another
    /// advisor's requests at an event are refused in ConferenceTests.
    /// </summary>
    private static async Task<long> ConferenceAsync(RenewalsDbContext db)
    {
        if (await db.ConferenceEvents.OrderBy(e => e.Id).Select(e => (long?)e.Id).FirstOrDefaultAsync() is { } id)
        {
            return id;
        }

        var row = new ConferenceEvent
        {
            Name = "Workspace routes summit", City = "Lyon", VenueName = "Cité internationale", VenueAddress = "50 quai Charles de Gaulle\n69006 Lyon",
            TimeZoneId = "Europe/Paris", StartsOn = new LocalDate(2027, 6, 15), EndsOn = new LocalDate(2027, 6, 16),
        };
        db.ConferenceEvents.Add(row);
        await db.SaveChangesAsync();
        return row.Id;
    }

    /// <summary>Ids of another advisor (an account, its tasks and meetings) and of another partner's customer.</summary>
    private async Task<Ids> TheirsAsync()
    {
        await using var db = app.Database.CreateContext();
        var advisorId = await db.Users.Where(u => u.Email == Advisor).Select(u => u.AdvisorId!.Value).SingleAsync();
        var partnerId = await db.Users.Where(u => u.Email == Partner).Select(u => u.PartnerId!.Value).SingleAsync();
        var other = await db.Accounts.Where(a => a.AdvisorId != null && a.AdvisorId != advisorId).OrderBy(a => a.Id).Select(a => new { a.Id, a.AdvisorId }).FirstAsync();
        var customer = await db.Accounts.Where(a => a.PartnerId != partnerId).OrderBy(a => a.Id).Select(a => a.Id).FirstAsync();
        return await IdsAsync(db, other.AdvisorId!.Value, other.Id, customer);
    }

    private async Task<Ids> IdsAsync(RenewalsDbContext db, long advisorId, long account, long customer)
    {
        var task = NewTask(account, advisorId, AdvisorTaskKinds.Callback);
        var checkIn = NewTask(account, advisorId, AdvisorTaskKinds.CheckIn);
        db.AdvisorTasks.AddRange(task, checkIn);
        await db.SaveChangesAsync();
        var contact = await db.Contacts.Where(c => c.AccountId == account).OrderBy(c => c.Id).Select(c => c.Id).FirstAsync();
        var zone = await db.Accounts.Where(a => a.Id == account).Select(a => a.TimeZoneId).SingleAsync();
        var today = SystemClock.Instance.GetCurrentInstant().InZone(DateTimeZoneProviders.Tzdb[zone]).Date;
        // One meeting still to come (move and cancel offered), one whose day is past (its outcome to record).
        var coming = Meeting(account, advisorId, contact, zone, today.PlusDays(7).At(new LocalTime(10, 0)));
        var past = Meeting(account, advisorId, contact, zone, today.PlusDays(-2).At(new LocalTime(10, 0)));
        db.ReviewMeetings.AddRange(coming, past);
        await db.SaveChangesAsync();

        // The first month of the pipeline, as the page links it (the application's clock decides which it is).
        using var advisor = await app.SignedInClientAsync(Advisor, "**/advisor");
        var month = Regex.Match(await advisor.GetStringAsync("/advisor/pipeline"), "/advisor/pipeline/([0-9]{4}-[0-9]{2})").Groups[1].Value;
        Assert.NotEmpty(month);
        var subscription = await db.Subscriptions.Where(s => s.AccountId == account).OrderBy(s => s.Id).Select(s => s.Id).FirstAsync();
        return new Ids(account, task.Id, checkIn.Id, coming.Id, past.Id, customer, month, Subscription: subscription);
    }

    private static AdvisorTask NewTask(long account, long advisor, string kind) =>
        new() { AccountId = account, AdvisorId = advisor, Kind = kind, DueOn = new LocalDate(2027, 2, 28), Status = AdvisorTaskStatus.Open };

    private static ReviewMeeting Meeting(long account, long advisor, long contact, string zone, LocalDateTime start) => new()
    {
        AccountId = account, AdvisorId = advisor, ContactId = contact, Uid = $"review-test-{Guid.NewGuid():N}@renewals", Start = start,
        DurationMinutes = 45, TimeZoneId = zone, UpdatedAt = SystemClock.Instance.GetCurrentInstant(),
    };

    [GeneratedRegex("/[0-9]+(/|$)")]
    private static partial Regex IdInRoute();

    [GeneratedRegex("href=\"/advisor/accounts/([0-9]+)\"")]
    private static partial Regex AccountLink();

    [GeneratedRegex("href=\"/advisor/tasks/([0-9]+)\"")]
    private static partial Regex TaskLink();
}
