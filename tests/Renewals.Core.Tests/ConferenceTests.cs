using System.Text;
using System.Text.RegularExpressions;
using Microsoft.EntityFrameworkCore;
using MimeKit;
using NodaTime;
using NodaTime.Testing;
using Renewals.Core.Access;
using Renewals.Core.Conferences;
using Renewals.Core.Messaging;
using Renewals.Core.Portal;
using Renewals.Data;
using Renewals.Data.Model;
using Renewals.Domain;
using Renewals.Testing;

namespace Renewals.Core.Tests;

public sealed class SqliteConferenceTests() : ConferenceTests(DatabaseProvider.Sqlite);

public sealed class PostgresConferenceTests() : ConferenceTests(DatabaseProvider.PostgreSql);

/// <summary>
/// The user conference: invitations go once per contact in each contact's language; a slot is
/// held by one request even when customers ask at the same moment (the unique key, not only the
/// check); a confirmed meeting's .ics, read by Python's icalendar, carries the venue and the local
/// start with its zone, here in Montreal on the night the clocks spring forward (Sunday 14 March
/// 2027: 02:00 EST becomes 03:00 EDT). The clock stands at 1 December 2026, 12:00 UTC.
/// </summary>
public abstract partial class ConferenceTests(DatabaseProvider provider) : DatabaseTest(provider)
{
    private static readonly Actor Admin = new Actor.Admin("alice");

    private static ConferenceInput Summit(string zone = "Europe/Paris") =>
        new("Renewals Summit 2027", "Lyon", "Cité internationale", "50 quai Charles de Gaulle\n69006 Lyon", zone, new LocalDate(2027, 6, 15), new LocalDate(2027, 6, 16));

    private static ConferenceInput Montreal() =>
        new("Renewals North America 2027", "Montréal", "Palais des congrès", "1001 Place Jean-Paul-Riopelle\nMontréal (Québec) H2Z 1H5",
            "America/Montreal", new LocalDate(2027, 3, 13), new LocalDate(2027, 3, 14));

    [Fact]
    public async Task Invitations_go_once_per_contact_of_a_running_subscription_in_each_contacts_language()
    {
        var french = await Book.AccountAsync("Ateliers Lumiere", language: "fr");
        var english = await Book.AccountAsync("Northwind", language: "en", withAccountsPayable: false);
        var idle = await Book.AccountAsync("Idle", language: "en");
        await Book.SellAsync(french.Id, new LocalDate(2026, 10, 1));
        await Book.SellAsync(english.Id, new LocalDate(2026, 10, 1));
        ConferenceView summit;
        InvitationRun first, second;
        await using (var db = Database.Context())
        {
            var service = new ConferenceService(db, Clock);
            summit = await service.CreateAsync(Admin, Summit());
            first = await service.SendInvitationsAsync(Admin, summit.Id);
            second = await service.SendInvitationsAsync(Admin, summit.Id);
        }

        // Ateliers Lumière's two contacts and Northwind's one; Idle has no subscription.
        Assert.Equal(new InvitationRun(3, 0), first);
        Assert.Equal(new InvitationRun(0, 3), second);
        await using var check = Database.Context();
        var sent = await check.Outbox.AsNoTracking().Where(m => m.Template == MessageKinds.ConferenceInvitation).OrderBy(m => m.ToEmail).ToListAsync();
        Assert.Equal(
            [("ap@atelierslumiere.example", "fr"), ("jane@atelierslumiere.example", "fr"), ("jane@northwind.example", "en")],
            sent.Select(m => (m.ToEmail, m.Language)).ToArray());
        Assert.Equal(3, await check.ConferenceInvitations.CountAsync(i => i.EventId == summit.Id));
        Assert.DoesNotContain(sent, m => m.AccountId == idle.Id);
        Assert.Single(await check.Audit.AsNoTracking().Where(a => a.Action == "conference.invitations-sent" && a.Details == "3 sent, 0 already invited").ToListAsync());

        var mails = await DispatchAsync(Instant.FromUtc(2026, 12, 1, 12, 1));
        var jane = mails.Single(m => m.To.Mailboxes.Single().Address == "jane@atelierslumiere.example");
        Assert.Equal("Invitation à Renewals Summit 2027, à Lyon, à partir du 15 juin 2027", Spaces().Replace(jane.Subject ?? "", " "));
        Assert.Contains("du 15 juin 2027 au 16 juin 2027, au lieu suivant : Cité internationale (50 quai Charles de Gaulle, 69006 Lyon).",
            Spaces().Replace(jane.TextBody ?? "", " "), StringComparison.Ordinal);
        var northwind = mails.Single(m => m.To.Mailboxes.Single().Address == "jane@northwind.example");
        Assert.Equal("You are invited to Renewals Summit 2027 in Lyon, from 15 June 2027", northwind.Subject);

        // The unique key itself refuses a second invitation to the same contact, whatever the code does.
        await using var raw = Database.Context();
        var contact = await raw.Contacts.Where(c => c.Email == "jane@northwind.example").Select(c => c.Id).SingleAsync();
        raw.ConferenceInvitations.Add(new ConferenceInvitation { EventId = summit.Id, AccountId = english.Id, ContactId = contact, Language = "en", SentAt = Clock.GetCurrentInstant() });
        await Assert.ThrowsAsync<DbUpdateException>(() => raw.SaveChangesAsync());
    }

    [Fact]
    public async Task Of_customers_asking_for_one_slot_at_the_same_moment_one_gets_it_and_the_others_are_told_it_is_taken()
    {
        var advisorId = await Book.AdvisorAsync("Camille Laurent");
        var accounts = new List<Account>();
        for (var i = 0; i < 6; i++)
        {
            var account = await Book.AccountAsync($"Customer {i}", advisorId: advisorId, withAccountsPayable: false);
            await Book.SellAsync(account.Id, new LocalDate(2026, 10, 1));
            accounts.Add(account);
        }

        var advisor = new Actor.Advisor(advisorId);
        long eventId, slotId;
        await using (var db = Database.Context())
        {
            var service = new ConferenceService(db, Clock);
            eventId = (await service.CreateAsync(Admin, Summit())).Id;
            await service.SendInvitationsAsync(Admin, eventId);
            slotId = (await service.OfferSlotAsync(advisor, eventId, new LocalDateTime(2027, 6, 15, 10, 30), 30)).SlotId;
        }

        using var start = new Barrier(accounts.Count);
        var attempts = accounts.Select(a => Task.Run(async () =>
        {
            await using var db = Database.Context();
            start.SignalAndWait();
            try
            {
                await new ConferenceService(db, Clock).RequestAsync(new PortalCustomer(a.Id), null, eventId, slotId);
                return "booked";
            }
            catch (DomainException refused)
            {
                return refused.Code;
            }
        })).ToList();
        var outcomes = await Task.WhenAll(attempts);

        Assert.Equal(1, outcomes.Count(o => o == "booked"));
        Assert.All(outcomes.Where(o => o != "booked"), o => Assert.Equal(DomainErrors.ConferenceSlotTaken, o));
        await using var check = Database.Context();
        var held = Assert.Single(await check.ConferenceMeetings.AsNoTracking().ToListAsync());
        Assert.Equal((slotId, (long?)slotId, ConferenceMeetingStatus.Requested), (held.SlotId, held.HeldSlotId, held.Status));
        Assert.Single(await check.Audit.AsNoTracking().Where(a => a.Action == "conference.meeting-requested").ToListAsync());

        // A second request holding the same slot, written past every check, is refused by the database.
        var other = accounts.First(a => a.Id != held.AccountId);
        check.ConferenceMeetings.Add(new ConferenceMeeting
        {
            EventId = eventId, SlotId = slotId, HeldSlotId = slotId, AdvisorId = advisorId, AccountId = other.Id,
            ContactId = await check.Contacts.Where(c => c.AccountId == other.Id).Select(c => c.Id).FirstAsync(),
            Uid = "conference-raw@renewals", RequestedAt = Clock.GetCurrentInstant(),
        });
        await Assert.ThrowsAsync<DbUpdateException>(() => check.SaveChangesAsync());

        // Declined, the slot is free again and another customer gets it.
        await using (var db = Database.Context())
        {
            await new ConferenceService(db, Clock).DeclineAsync(advisor, held.Id);
            await new ConferenceService(db, Clock).RequestAsync(new PortalCustomer(other.Id), null, eventId, slotId);
        }

        await using var after = Database.Context();
        Assert.Equal(other.Id, (await after.ConferenceMeetings.AsNoTracking().SingleAsync(m => m.HeldSlotId == slotId)).AccountId);
    }

    [Fact]
    public async Task The_confirmed_meetings_ics_read_by_python_gives_the_venue_and_the_local_start_in_montreal_across_the_spring_clock_change()
    {
        var advisorId = await Book.AdvisorAsync("Camille Laurent");
        var account = await Book.AccountAsync("Maple Works", zone: "America/Toronto", advisorId: advisorId, withAccountsPayable: false);
        await Book.SellAsync(account.Id, new LocalDate(2026, 10, 1));
        var advisor = new Actor.Advisor(advisorId);
        long meetingId;
        await using (var db = Database.Context())
        {
            var service = new ConferenceService(db, Clock);
            var conference = await service.CreateAsync(Admin, Montreal());
            await service.SendInvitationsAsync(Admin, conference.Id);
            // 02:30 on 14 March does not exist in Montreal: refused, nothing stored.
            var gap = await Assert.ThrowsAsync<DomainException>(() => service.OfferSlotAsync(advisor, conference.Id, new LocalDateTime(2027, 3, 14, 2, 30), 60));
            Assert.Equal(DomainErrors.MeetingInClockChangeGap, gap.Code);
            var slot = await service.OfferSlotAsync(advisor, conference.Id, new LocalDateTime(2027, 3, 14, 1, 30), 60);
            meetingId = (await service.RequestAsync(new PortalCustomer(account.Id), "jane@mapleworks.example", conference.Id, slot.SlotId)).MeetingId;
            await service.ConfirmAsync(advisor, meetingId);
        }

        await using (var check = Database.Context())
        {
            Assert.Equal(1, await check.ConferenceSlots.CountAsync());
        }

        var mail = Assert.Single(await DispatchAsync(Instant.FromUtc(2026, 12, 1, 12, 5)), m => m.Headers["X-Renewals-Template"] == MessageKinds.ConferenceMeetingConfirmed);
        Assert.Equal("Confirmed: meeting with Camille Laurent at Renewals North America 2027 on 14 March 2027 at 01:30", mail.Subject);
        Assert.Contains("on 14 March 2027 at 01:30 (local time, America/Montreal), for 60 minutes, at Palais des congrès, 1001 Place Jean-Paul-Riopelle, Montréal (Québec) H2Z 1H5.",
            mail.TextBody, StringComparison.Ordinal);
        var part = Assert.Single(mail.Attachments.OfType<MimePart>());
        Assert.Equal(("text/calendar", "REQUEST"), (part.ContentType.MimeType, part.ContentType.Parameters["method"]));
        using var content = new MemoryStream();
        await part.Content!.DecodeToAsync(content);
        var ics = Encoding.UTF8.GetString(content.ToArray());

        var python = await PythonIcalendar.ParseAsync(ics);
        Assert.Equal("Palais des congrès, 1001 Place Jean-Paul-Riopelle, Montréal (Québec) H2Z 1H5", python.GetProperty("location").GetString());
        Assert.Equal("America/Montreal", python.GetProperty("dtstart").GetProperty("tzid").GetString());
        Assert.Equal("2027-03-14T01:30:00", python.GetProperty("dtstart").GetProperty("local").GetString());
        // 01:30 EST is 06:30Z; sixty minutes later the clocks read 03:30 EDT, 07:30Z.
        Assert.Equal("2027-03-14T06:30:00Z", python.GetProperty("dtstart").GetProperty("utc").GetString());
        Assert.Equal("2027-03-14T03:30:00", python.GetProperty("dtend").GetProperty("local").GetString());
        Assert.Equal("2027-03-14T07:30:00Z", python.GetProperty("dtend").GetProperty("utc").GetString());
        Assert.Contains("America/Montreal", python.GetProperty("timezones").EnumerateArray().Select(z => z.GetString()));
        Assert.Equal(("REQUEST", "mailto:jane@mapleworks.example"), (python.GetProperty("method").GetString(), python.GetProperty("attendee").GetString()));
    }

    [Fact]
    public async Task Bad_event_input_and_other_peoples_ids_are_refused_and_nothing_is_stored()
    {
        var mine = await Book.AdvisorAsync("Camille Laurent");
        var theirs = await Book.AdvisorAsync("Sam Taylor", "en");
        var account = await Book.AccountAsync("Acme", advisorId: mine, withAccountsPayable: false);
        var stranger = await Book.AccountAsync("Stranger", advisorId: theirs, withAccountsPayable: false);
        await Book.SellAsync(account.Id, new LocalDate(2026, 10, 1));
        await using var db = Database.Context();
        var service = new ConferenceService(db, Clock);

        var backwards = await Assert.ThrowsAsync<DomainException>(() => service.CreateAsync(Admin, Summit() with { EndsOn = new LocalDate(2027, 6, 14) }));
        Assert.Equal("The event cannot end (14 June 2027) before it starts (15 June 2027).", backwards.Describe(System.Globalization.CultureInfo.GetCultureInfo("en")));
        Assert.Equal(DomainErrors.TimeZoneUnknown, (await Assert.ThrowsAsync<DomainException>(() => service.CreateAsync(Admin, Summit("Paris")))).Code);
        Assert.Equal(DomainErrors.AdministratorsOnly, (await Assert.ThrowsAsync<DomainException>(() => service.CreateAsync(new Actor.Advisor(mine), Summit()))).Code);
        Assert.Equal(0, await db.ConferenceEvents.CountAsync());

        var summit = await service.CreateAsync(Admin, Summit());
        await service.SendInvitationsAsync(Admin, summit.Id);
        var slot = await service.OfferSlotAsync(new Actor.Advisor(mine), summit.Id, new LocalDateTime(2027, 6, 15, 9, 0), 30);
        var theirSlot = await service.OfferSlotAsync(new Actor.Advisor(theirs), summit.Id, new LocalDateTime(2027, 6, 15, 9, 0), 30);
        Assert.Equal(DomainErrors.ConferenceSlotOverlap,
            (await Assert.ThrowsAsync<DomainException>(() => service.OfferSlotAsync(new Actor.Advisor(mine), summit.Id, new LocalDateTime(2027, 6, 15, 9, 15), 30))).Code);

        // The stranger's account was not invited (no subscription): the event is not theirs to see or book.
        Assert.Null(await service.CustomerConferenceAsync(new PortalCustomer(stranger.Id), summit.Id));
        Assert.Equal(DomainErrors.ConferenceNotInvited,
            (await Assert.ThrowsAsync<DomainException>(() => service.RequestAsync(new PortalCustomer(stranger.Id), null, summit.Id, theirSlot.SlotId))).Code);
        // Another advisor's slot reads as no slot.
        Assert.Equal(DomainErrors.ConferenceSlotUnknown,
            (await Assert.ThrowsAsync<DomainException>(() => service.RequestAsync(new PortalCustomer(account.Id), null, summit.Id, theirSlot.SlotId))).Code);
        var meeting = await service.RequestAsync(new PortalCustomer(account.Id), null, summit.Id, slot.SlotId);
        // The other advisor cannot answer this advisor's request.
        Assert.Equal(DomainErrors.ConferenceMeetingUnknown,
            (await Assert.ThrowsAsync<DomainException>(() => service.ConfirmAsync(new Actor.Advisor(theirs), meeting.MeetingId))).Code);
        Assert.Equal(ConferenceMeetingStatus.Requested, (await db.ConferenceMeetings.AsNoTracking().SingleAsync()).Status);
        Assert.Equal(0, await db.Outbox.CountAsync(m => m.Template == MessageKinds.ConferenceMeetingConfirmed));
    }

    private async Task<IReadOnlyList<MimeMessage>> DispatchAsync(Instant at)
    {
        await using var server = new TestSmtpServer();
        await server.StartAsync();
        var composer = new MessageComposer(new MessageRenderer(TemplateLibrary.FromSetting(null)), new DeliveryOptions(), Attachments.For(Invoicing.Seller.Default));
        await using (var transport = new SmtpTransport(new SmtpSettings("127.0.0.1", server.Port, SmtpTls.None)))
        {
            await new OutboxDispatcher(Database.Database, composer, transport, Invoicing.Seller.Default, new FakeClock(at)).DispatchAsync(at);
        }

        return server.Received;
    }

    [GeneratedRegex(@"[\u00A0\u202F\u2009]")]
    private static partial Regex Spaces();
}
