using System.Text.Json;
using NodaTime;
using NodaTime.Testing;
using Renewals.Core.Access;
using Renewals.Core.Conferences;
using Renewals.Core.Portal;
using Renewals.Data;
using Renewals.Testing;

namespace Renewals.Cli.Tests;

/// <summary>
/// <c>renewals events list</c>: each event with its dates, city, invitations sent and meetings
/// requested and confirmed, as a table (in English or French) and as JSON.
/// </summary>
public sealed class EventsCommandTests : IAsyncLifetime
{
    private readonly string _folder = Path.Combine(Path.GetTempPath(), "renewals-cli-" + Guid.NewGuid().ToString("N")[..10]);
    private readonly FakeClock _clock = new(CliRun.Today);

    private string DbFile => Path.Combine(_folder, "book.db");

    public async Task InitializeAsync()
    {
        Directory.CreateDirectory(_folder);
        Assert.Equal(0, (await Cli("db", "migrate", "--db", DbFile)).ExitCode);
        var database = RenewalsDatabase.FromSetting(DbFile);
        var book = new TestBook(database, _clock);
        var advisor = await book.AdvisorAsync();
        var acme = await book.AccountAsync("Acme", advisorId: advisor);
        var globex = await book.AccountAsync("Globex", advisorId: advisor, withAccountsPayable: false);
        await book.SellAsync(acme.Id, new LocalDate(2026, 10, 1));
        await book.SellAsync(globex.Id, new LocalDate(2026, 10, 1));
        await using var db = database.CreateContext();
        var service = new ConferenceService(db, _clock);
        var admin = new Actor.Admin("alice");
        await service.CreateAsync(admin, new ConferenceInput(
            "Renewals Days Nantes", "Nantes", "Cité des congrès", "5 rue de Valmy\n44000 Nantes", "Europe/Paris", new LocalDate(2027, 2, 2), new LocalDate(2027, 2, 2)));
        var summit = await service.CreateAsync(admin, new ConferenceInput(
            "Renewals Summit 2027", "Lyon", "Cité internationale", "50 quai Charles de Gaulle\n69006 Lyon", "Europe/Paris", new LocalDate(2027, 6, 15), new LocalDate(2027, 6, 16)));
        await service.SendInvitationsAsync(admin, summit.Id);
        var advisorActor = new Actor.Advisor(advisor);
        var first = await service.OfferSlotAsync(advisorActor, summit.Id, new LocalDateTime(2027, 6, 15, 10, 0), 30);
        var second = await service.OfferSlotAsync(advisorActor, summit.Id, new LocalDateTime(2027, 6, 15, 11, 0), 30);
        var confirmed = await service.RequestAsync(new PortalCustomer(acme.Id), null, summit.Id, first.SlotId);
        await service.RequestAsync(new PortalCustomer(globex.Id), null, summit.Id, second.SlotId);
        await service.ConfirmAsync(advisorActor, confirmed.MeetingId);
    }

    public Task DisposeAsync()
    {
        Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
        Directory.Delete(_folder, recursive: true);
        return Task.CompletedTask;
    }

    private Task<CliRun> Cli(params string[] args) => CliRun.InProcess(_clock, null, args);

    [Fact]
    public async Task Events_list_shows_each_event_with_its_dates_city_invitations_and_meetings_in_a_table_and_as_json()
    {
        var table = await Cli("events", "list", "--db", DbFile);
        var french = await Cli("--lang", "fr", "events", "list", "--db", DbFile);
        var json = await Cli("events", "list", "--format", "json", "--db", DbFile);

        Assert.Equal((0, 0, 0), (table.ExitCode, french.ExitCode, json.ExitCode));
        Assert.Contains("Renewals Summit 2027", table.Output, StringComparison.Ordinal);
        Assert.Contains("2027-06-15..2027-06-16", table.Output, StringComparison.Ordinal);
        Assert.Contains("Events: 2.", table.Output, StringComparison.Ordinal);
        Assert.Contains("Invitations", table.Output, StringComparison.Ordinal);
        Assert.Contains("Événements : 2.", System.Text.RegularExpressions.Regex.Replace(french.Output, "[\u00A0\u202F]", " "), StringComparison.Ordinal);

        using var document = JsonDocument.Parse(json.Output);
        var events = document.RootElement.GetProperty("events").EnumerateArray().Select(e => (
            e.GetProperty("name").GetString(), e.GetProperty("city").GetString(), e.GetProperty("startsOn").GetString(), e.GetProperty("endsOn").GetString(),
            e.GetProperty("invitationsSent").GetInt32(), e.GetProperty("meetingsRequested").GetInt32(), e.GetProperty("meetingsConfirmed").GetInt32())).ToList();
        // Acme's two contacts and Globex's one are invited to the summit; two meetings asked, one confirmed. The latest event comes first.
        Assert.Equal(
            [("Renewals Summit 2027", "Lyon", "2027-06-15", "2027-06-16", 3, 2, 1), ("Renewals Days Nantes", "Nantes", "2027-02-02", "2027-02-02", 0, 0, 0)],
            events);
    }
}
