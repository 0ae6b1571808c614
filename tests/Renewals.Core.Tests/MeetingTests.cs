using System.Globalization;
using System.Text.Json;
using Microsoft.EntityFrameworkCore;
using NodaTime;
using NodaTime.Text;
using Renewals.Core.Engagement;
using Renewals.Data;
using Renewals.Data.Model;
using Renewals.Domain;
using Renewals.Testing;
using IcalCalendar = Ical.Net.Calendar;

namespace Renewals.Core.Tests;

/// <summary>Everything about review meetings, on SQLite.</summary>
public sealed class SqliteMeetingTests() : MeetingTests(DatabaseProvider.Sqlite)
{
    [Fact]
    public async Task Scheduling_for_an_account_invites_its_primary_contact_in_the_contacts_language()
    {
        var (account, advisor) = await AccountWithAdvisorAsync(language: "fr");

        var meeting = await ScheduleAsync(NewMeeting.ForAccount(account.Id, At("2027-04-20T10:00"), 60, location: "Visio : lien à venir"));

        var message = Assert.Single(await MeetingMessagesAsync());
        Assert.Equal(("review-invitation", "jane@acme.example", "fr", meeting.Id, account.Id), (message.Template, message.ToEmail, message.Language, message.MeetingId, message.AccountId));
        Assert.Equal((OutboxStatus.Pending, Clock.GetCurrentInstant(), Clock.GetCurrentInstant()), (message.Status, message.NextAttemptAt, message.CreatedAt));
        Assert.Equal($"<meeting{meeting.Id}.s0.c{meeting.ContactId}@renewals>", message.MessageId);
        Assert.Null(message.MilestoneId);
        var payload = JsonDocument.Parse(message.Payload).RootElement;
        Assert.Equal("2027-04-20T10:00:00", payload.GetProperty("start").GetString());
        Assert.Equal("2027-04-20T11:00:00", payload.GetProperty("end").GetString());
        Assert.Equal("2027-04-20T08:00:00Z", payload.GetProperty("start_utc").GetString());
        Assert.Equal("Europe/Paris", payload.GetProperty("zone").GetString());
        Assert.Equal(60, payload.GetProperty("duration_minutes").GetInt32());
        Assert.Equal("Visio : lien à venir", payload.GetProperty("location").GetString());
        Assert.Equal(0, payload.GetProperty("sequence").GetInt32());
        Assert.Equal(meeting.Uid, payload.GetProperty("uid").GetString());
        Assert.Equal("Camille Laurent", payload.GetProperty("advisor").GetProperty("name").GetString());
        Assert.Equal("camille.laurent@vendor.example", payload.GetProperty("advisor").GetProperty("email").GetString());
        Assert.Equal((advisor, "Europe/Paris"), (meeting.AdvisorId, meeting.TimeZoneId));
        var audit = Assert.Single(await AuditAsync());
        Assert.Equal(("meeting.scheduled", "review-meeting", meeting.Id, "tester"), (audit.Action, audit.Entity, audit.EntityId, audit.Actor));
    }

    [Fact]
    public async Task A_named_contact_of_the_account_is_invited_instead_of_the_primary_contact()
    {
        var (account, _) = await AccountWithAdvisorAsync();
        var payables = account.Contacts.Single(c => c.Role == ContactRole.AccountsPayable);

        var meeting = await ScheduleAsync(NewMeeting.ForAccount(account.Id, At("2027-04-20T10:00"), contactId: payables.Id));

        Assert.Equal(payables.Id, meeting.ContactId);
        Assert.Equal("ap@acme.example", Assert.Single(await MeetingMessagesAsync()).ToEmail);
        var python = await PythonIcalendar.ParseAsync(await InvitationAsync(meeting.Id));
        Assert.Equal("mailto:ap@acme.example", python.GetProperty("attendee").GetString());
        Assert.Equal("Paul Payables", python.GetProperty("attendeeCn").GetString());
    }

    [Theory]
    [InlineData("Pacific/Auckland", "2027-04-20T08:00", "2027-04-19T20:00:00Z")]
    [InlineData("America/Los_Angeles", "2027-04-20T22:30", "2027-04-21T05:30:00Z")]
    public async Task The_invitation_keeps_the_local_time_in_the_customers_zone_when_the_utc_date_differs(string zone, string local, string utc)
    {
        var (account, _) = await AccountWithAdvisorAsync(zone: zone);

        var meeting = await ScheduleAsync(NewMeeting.ForAccount(account.Id, At(local)));
        var ics = await InvitationAsync(meeting.Id);

        var compact = local.Replace("-", "", StringComparison.Ordinal).Replace(":", "", StringComparison.Ordinal) + "00";
        Assert.Contains($"DTSTART;TZID={zone}:{compact}", ics, StringComparison.Ordinal);
        var ical = Assert.Single(IcalCalendar.Load(ics)!.Events);
        Assert.Equal((zone, LocalDateTimePattern.GeneralIso.Parse(local + ":00").Value.ToDateTimeUnspecified()), (ical.DtStart!.TzId, ical.DtStart.Value));
        Assert.Equal(InstantPattern.General.Parse(utc).Value.ToDateTimeUtc(), ical.DtStart.AsUtc);
        var python = await PythonIcalendar.ParseAsync(ics);
        Assert.Equal(zone, python.GetProperty("dtstart").GetProperty("tzid").GetString());
        Assert.Equal(local + ":00", python.GetProperty("dtstart").GetProperty("local").GetString());
        Assert.Equal(utc, python.GetProperty("dtstart").GetProperty("utc").GetString());
        Assert.Contains(zone, python.GetProperty("timezones").EnumerateArray().Select(z => z.GetString()));
    }

    [Fact]
    public async Task A_meeting_across_the_spring_clock_change_keeps_its_local_start_and_ends_after_its_elapsed_duration()
    {
        var (account, _) = await AccountWithAdvisorAsync();

        // Paris, Sunday 28 March 2027: 02:00 CET becomes 03:00 CEST.
        var meeting = await ScheduleAsync(NewMeeting.ForAccount(account.Id, At("2027-03-28T01:30"), 60));
        var ics = await InvitationAsync(meeting.Id);

        Assert.Contains("DTSTART;TZID=Europe/Paris:20270328T013000", ics, StringComparison.Ordinal);
        Assert.Contains("DTEND;TZID=Europe/Paris:20270328T033000", ics, StringComparison.Ordinal);
        var python = await PythonIcalendar.ParseAsync(ics);
        Assert.Equal("2027-03-28T00:30:00Z", python.GetProperty("dtstart").GetProperty("utc").GetString());
        Assert.Equal("2027-03-28T01:30:00Z", python.GetProperty("dtend").GetProperty("utc").GetString());
        var ical = Assert.Single(IcalCalendar.Load(ics)!.Events);
        Assert.Equal(TimeSpan.FromHours(1), ical.DtEnd!.AsUtc - ical.DtStart!.AsUtc);
    }

    [Fact]
    public async Task A_meeting_later_on_the_clock_change_day_is_placed_in_summer_time()
    {
        var (account, _) = await AccountWithAdvisorAsync();

        var meeting = await ScheduleAsync(NewMeeting.ForAccount(account.Id, At("2027-03-28T10:00")));

        var python = await PythonIcalendar.ParseAsync(await InvitationAsync(meeting.Id));
        Assert.Equal("2027-03-28T10:00:00", python.GetProperty("dtstart").GetProperty("local").GetString());
        Assert.Equal("2027-03-28T08:00:00Z", python.GetProperty("dtstart").GetProperty("utc").GetString());
    }

    [Fact]
    public async Task A_time_that_occurs_twice_when_the_clocks_fall_back_means_the_first_one()
    {
        var (account, _) = await AccountWithAdvisorAsync();

        // Paris, Sunday 31 October 2027: 02:30 comes once in summer time (00:30 UTC), then again in winter time.
        var meeting = await ScheduleAsync(NewMeeting.ForAccount(account.Id, At("2027-10-31T02:30")));

        Assert.Equal(Instant.FromUtc(2027, 10, 31, 0, 30), MeetingService.StartInstant(meeting));
        var ical = Assert.Single(IcalCalendar.Load(await InvitationAsync(meeting.Id))!.Events);
        Assert.Equal(new DateTime(2027, 10, 31, 0, 30, 0, DateTimeKind.Utc), ical.DtStart!.AsUtc);
    }

    [Fact]
    public async Task The_invitation_is_worded_in_the_contacts_language()
    {
        var (french, _) = await AccountWithAdvisorAsync(name: "Fromagerie Dupont", language: "fr");
        var (english, _) = await AccountWithAdvisorAsync(name: "Contoso", language: "en");
        var parisMeeting = await ScheduleAsync(NewMeeting.ForAccount(french.Id, At("2027-04-20T10:00")));
        var londonMeeting = await ScheduleAsync(NewMeeting.ForAccount(english.Id, At("2027-04-20T10:00")));

        var fr = Assert.Single(IcalCalendar.Load(await InvitationAsync(parisMeeting.Id))!.Events);
        var en = Assert.Single(IcalCalendar.Load(await InvitationAsync(londonMeeting.Id))!.Events);

        Assert.Equal("Revue de vos abonnements : Fromagerie Dupont", fr.Summary);
        Assert.Contains("le 20 avril 2027 à 10:00 (Europe/Paris), pendant 45 minutes", fr.Description, StringComparison.Ordinal);
        Assert.Equal("Subscription review: Contoso", en.Summary);
        Assert.Contains("on 20 April 2027 at 10:00 (Europe/Paris), for 45 minutes", en.Description, StringComparison.Ordinal);

        await CancelAsync(parisMeeting.Id);
        var cancelled = Assert.Single(IcalCalendar.Load(await InvitationAsync(parisMeeting.Id))!.Events);
        Assert.Equal("Annulée : revue de vos abonnements, Fromagerie Dupont", cancelled.Summary);
    }

    [Fact]
    public async Task The_stamp_is_the_instant_given_and_the_texts_are_the_ones_given()
    {
        var meeting = new ReviewMeeting
        {
            Id = 7, AccountId = 1, AdvisorId = 2, ContactId = 3, Uid = "review-fixed@renewals", Sequence = 4,
            Start = new LocalDateTime(2027, 6, 9, 14, 0), DurationMinutes = 30, TimeZoneId = "America/New_York", Location = "Booth 12",
        };
        var advisor = new Advisor { Name = "Ana Ruiz", Email = "ana@vendor.example", Language = "en" };
        var contact = new Contact { Name = "Bo Chen", Email = "bo@customer.example", Language = "en" };

        var ics = MeetingInvitation.ToIcs(meeting, advisor, contact, "Catch-up at the user conference", "See you there", Instant.FromUtc(2027, 5, 1, 8, 15));

        var python = await PythonIcalendar.ParseAsync(ics);
        Assert.Equal("20270501T081500Z", python.GetProperty("dtstamp").GetString());
        Assert.Equal(("REQUEST", MeetingInvitation.ProductId, "review-fixed@renewals", 4), (python.GetProperty("method").GetString(), python.GetProperty("prodid").GetString(), python.GetProperty("uid").GetString(), python.GetProperty("sequence").GetInt32()));
        Assert.Equal(("Catch-up at the user conference", "Booth 12"), (python.GetProperty("summary").GetString(), python.GetProperty("location").GetString()));
        Assert.Equal("2027-06-09T18:00:00Z", python.GetProperty("dtstart").GetProperty("utc").GetString());
        Assert.Equal("2027-06-09T18:30:00Z", python.GetProperty("dtend").GetProperty("utc").GetString());
        Assert.Equal(ics, MeetingInvitation.ToIcs(meeting, advisor, contact, "Catch-up at the user conference", "See you there", Instant.FromUtc(2027, 5, 1, 8, 15)));
    }

    [Fact]
    public async Task Every_refusal_names_its_rule_and_changes_nothing()
    {
        var (account, advisor) = await AccountWithAdvisorAsync();
        var (other, _) = await AccountWithAdvisorAsync(name: "Globex");
        var withoutAdvisor = await Book.AccountAsync(name: "Initech");
        long withoutContact;
        long otherTask;
        long doneTask;
        await using (var db = Database.Context())
        {
            var empty = new Account { Name = "Hooli", Language = "en", TimeZoneId = "Europe/Paris", AdvisorId = advisor, CreatedAt = Clock.GetCurrentInstant() };
            db.Accounts.Add(empty);
            var callback = new AdvisorTask { AccountId = account.Id, AdvisorId = advisor, Kind = "callback", DueOn = new LocalDate(2027, 1, 1) };
            var done = new AdvisorTask { AccountId = account.Id, AdvisorId = advisor, Kind = MeetingService.TaskKind, DueOn = new LocalDate(2027, 1, 1), Status = AdvisorTaskStatus.Done };
            db.AdvisorTasks.AddRange(callback, done);
            await db.SaveChangesAsync();
            (withoutContact, otherTask, doneTask) = (empty.Id, callback.Id, done.Id);
        }

        var held = await ScheduleAsync(NewMeeting.ForAccount(account.Id, At("2026-12-01T15:00")));
        var cancelled = await ScheduleAsync(NewMeeting.ForAccount(account.Id, At("2027-05-03T09:00")));
        await CancelAsync(cancelled.Id);
        var planned = await ScheduleAsync(NewMeeting.ForAccount(account.Id, At("2027-05-04T09:00"), 45));
        // Made after the meetings above: a meeting set up from the account would answer it.
        var openTask = await OpenTaskAsync(account.Id, advisor);
        Clock.AdvanceHours(4); // 16:00 UTC: the 15:00 Paris meeting has begun.
        var longPlace = new string('x', MeetingService.MaxLocationLength + 1);
        var foreignContact = other.Contacts[0].Id;

        (string Code, Func<MeetingService, Task> Attempt)[] refusals =
        [
            (DomainErrors.MeetingTarget, s => s.ScheduleAsync(new NewMeeting(At("2027-04-20T10:00")), "tester")),
            (DomainErrors.MeetingTarget, s => s.ScheduleAsync(NewMeeting.ForTask(openTask, At("2027-04-20T10:00")) with { AccountId = account.Id }, "tester")),
            (DomainErrors.AdvisorTaskUnknown, s => s.ScheduleAsync(NewMeeting.ForTask(999_999, At("2027-04-20T10:00")), "tester")),
            (DomainErrors.AdvisorTaskNotAReviewMeeting, s => s.ScheduleAsync(NewMeeting.ForTask(otherTask, At("2027-04-20T10:00")), "tester")),
            (DomainErrors.AdvisorTaskAlreadyDone, s => s.ScheduleAsync(NewMeeting.ForTask(doneTask, At("2027-04-20T10:00")), "tester")),
            (DomainErrors.AccountUnknown, s => s.ScheduleAsync(NewMeeting.ForAccount(999_999, At("2027-04-20T10:00")), "tester")),
            (DomainErrors.AccountWithoutAdvisor, s => s.ScheduleAsync(NewMeeting.ForAccount(withoutAdvisor.Id, At("2027-04-20T10:00")), "tester")),
            (DomainErrors.AccountWithoutContact, s => s.ScheduleAsync(NewMeeting.ForAccount(withoutContact, At("2027-04-20T10:00")), "tester")),
            (DomainErrors.ContactUnknown, s => s.ScheduleAsync(NewMeeting.ForAccount(account.Id, At("2027-04-20T10:00"), contactId: 999_999), "tester")),
            (DomainErrors.ContactOfAnotherAccount, s => s.ScheduleAsync(NewMeeting.ForTask(openTask, At("2027-04-20T10:00"), contactId: foreignContact), "tester")),
            (DomainErrors.TimeZoneUnknown, s => s.ScheduleAsync(NewMeeting.ForTask(openTask, At("2027-04-20T10:00"), timeZoneId: "Mars/Olympus_Mons"), "tester")),
            (DomainErrors.MeetingDuration, s => s.ScheduleAsync(NewMeeting.ForTask(openTask, At("2027-04-20T10:00"), 14), "tester")),
            (DomainErrors.MeetingDuration, s => s.ScheduleAsync(NewMeeting.ForTask(openTask, At("2027-04-20T10:00"), 481), "tester")),
            (DomainErrors.MeetingInThePast, s => s.ScheduleAsync(NewMeeting.ForTask(openTask, At("2026-12-01T16:59")), "tester")),
            (DomainErrors.MeetingInClockChangeGap, s => s.ScheduleAsync(NewMeeting.ForTask(openTask, At("2027-03-28T02:30")), "tester")),
            (DomainErrors.MeetingLocationTooLong, s => s.ScheduleAsync(NewMeeting.ForTask(openTask, At("2027-04-20T10:00"), location: longPlace), "tester")),
            (DomainErrors.MeetingUnknown, s => s.RescheduleAsync(999_999, At("2027-04-20T10:00"), null, "tester")),
            (DomainErrors.MeetingUnknown, s => s.CancelAsync(999_999, "tester")),
            (DomainErrors.MeetingCancelled, s => s.RescheduleAsync(cancelled.Id, At("2027-05-10T09:00"), null, "tester")),
            (DomainErrors.MeetingAlreadyCancelled, s => s.CancelAsync(cancelled.Id, "tester")),
            (DomainErrors.MeetingAlreadyHeld, s => s.RescheduleAsync(held.Id, At("2027-05-10T09:00"), null, "tester")),
            (DomainErrors.MeetingAlreadyHeld, s => s.CancelAsync(held.Id, "tester")),
            (DomainErrors.MeetingUnchanged, s => s.RescheduleAsync(planned.Id, At("2027-05-04T09:00"), 45, "tester")),
            (DomainErrors.MeetingInThePast, s => s.RescheduleAsync(planned.Id, At("2026-11-30T09:00"), null, "tester")),
            (DomainErrors.MeetingInClockChangeGap, s => s.RescheduleAsync(planned.Id, At("2027-03-28T02:00"), null, "tester")),
            (DomainErrors.MeetingDuration, s => s.RescheduleAsync(planned.Id, At("2027-05-04T09:00"), 500, "tester")),
            (DomainErrors.TimeZoneUnknown, s => s.RescheduleAsync(planned.Id, At("2027-05-04T09:00"), null, "tester", "Europe/Atlantis")),
        ];

        var before = await SnapshotAsync();
        foreach (var (code, attempt) in refusals)
        {
            await using var db = Database.Context();
            var refused = await Assert.ThrowsAsync<DomainException>(() => attempt(new MeetingService(db, Clock)));
            Assert.Equal(code, refused.Code);
            Assert.False(string.IsNullOrWhiteSpace(refused.Describe(CultureInfo.GetCultureInfo("fr"))));
            Assert.Equal(before, await SnapshotAsync());
        }
    }

    [Fact]
    public async Task A_refusal_is_worded_in_french_with_the_date_written_the_french_way()
    {
        var (account, _) = await AccountWithAdvisorAsync();
        await using var db = Database.Context();

        var refused = await Assert.ThrowsAsync<DomainException>(() =>
            new MeetingService(db, Clock).ScheduleAsync(NewMeeting.ForAccount(account.Id, At("2027-03-28T02:30")), "tester"));

        Assert.Equal(
            "28 mars 2027 à 02:30 n'existe pas dans le fuseau Europe/Paris\u00A0: les horloges sautent cette heure au changement d'heure. Choisissez une heure en dehors du changement.",
            refused.Describe(CultureInfo.GetCultureInfo("fr")));
        Assert.Equal(
            "28 March 2027 at 02:30 does not exist in Europe/Paris: the clocks jump forward over that time. Choose a time outside the change.",
            refused.Describe(CultureInfo.GetCultureInfo("en")));
    }

    [Fact]
    public async Task Moving_a_meeting_can_change_its_zone_and_location_and_keeps_the_rest()
    {
        var (account, _) = await AccountWithAdvisorAsync();
        var meeting = await ScheduleAsync(NewMeeting.ForAccount(account.Id, At("2027-04-20T10:00"), 30, location: "Paris office"));

        await using var db = Database.Context();
        var moved = await new MeetingService(db, Clock).RescheduleAsync(meeting.Id, At("2027-04-20T09:00"), null, "tester", "Europe/London", "Video call");

        Assert.Equal((30, "Europe/London", "Video call", 1), (moved.DurationMinutes, moved.TimeZoneId, moved.Location, moved.Sequence));
        var python = await PythonIcalendar.ParseAsync(await InvitationAsync(meeting.Id));
        Assert.Equal("Europe/London", python.GetProperty("dtstart").GetProperty("tzid").GetString());
        Assert.Equal("2027-04-20T08:00:00Z", python.GetProperty("dtstart").GetProperty("utc").GetString());
    }
}

/// <summary>A meeting set up from the account answers the account's open check-in task.</summary>
public sealed class MeetingFromAccountTests() : DatabaseTest(DatabaseProvider.Sqlite)
{
    [Fact]
    public async Task Scheduling_for_an_account_closes_its_open_check_in_task_and_links_it()
    {
        var advisor = await Book.AdvisorAsync();
        var account = await Book.AccountAsync(advisorId: advisor);
        var other = await Book.AccountAsync("Other", advisorId: advisor);
        await Book.SellAsync(account.Id, Date("2027-01-15"));
        await Book.SellAsync(other.Id, Date("2027-01-15"));
        await RunOnAsync(Date("2027-04-15"));
        Clock.Reset(Instant.FromUtc(2027, 4, 16, 9, 0));

        ReviewMeeting meeting;
        await using (var db = Database.Context())
        {
            meeting = await new MeetingService(db, Clock).ScheduleAsync(NewMeeting.ForAccount(account.Id, new LocalDateTime(2027, 4, 20, 10, 0)), "advisor");
        }

        await using var check = Database.Context();
        var tasks = await check.AdvisorTasks.AsNoTracking().Where(t => t.Kind == MeetingService.TaskKind).ToListAsync();
        var answered = Assert.Single(tasks, t => t.AccountId == account.Id);
        Assert.Equal((AdvisorTaskStatus.Done, answered.Id), (answered.Status, meeting.AdvisorTaskId!.Value));
        Assert.Equal(AdvisorTaskStatus.Open, Assert.Single(tasks, t => t.AccountId == other.Id).Status);
    }
}

/// <summary>The whole life of a meeting, once on real PostgreSQL.</summary>
public sealed class PostgresMeetingTests() : MeetingTests(DatabaseProvider.PostgreSql);

/// <summary>Review meetings and their invitations, on a real database.</summary>
public abstract class MeetingTests(DatabaseProvider provider) : DatabaseTest(provider)
{
    [Fact]
    public async Task A_meeting_keeps_its_uid_through_a_move_and_a_cancellation_while_its_sequence_rises()
    {
        var advisor = await Book.AdvisorAsync();
        var account = await Book.AccountAsync(advisorId: advisor, zone: "Pacific/Auckland");
        var subscription = await Book.SellAsync(account.Id, Date("2027-01-15"));
        await RunOnAsync(Date("2027-01-15"), "Pacific/Auckland");
        await RunOnAsync(Date("2027-04-15"), "Pacific/Auckland");
        long taskId;
        await using (var db = Database.Context())
        {
            taskId = (await db.AdvisorTasks.SingleAsync(t => t.Kind == MeetingService.TaskKind)).Id;
        }

        var scheduled = await ScheduleAsync(NewMeeting.ForTask(taskId, At("2027-04-20T08:00"), location: "Auckland office"));
        var first = await InvitationAsync(scheduled.Id);
        await using (var db = Database.Context())
        {
            Assert.Equal(AdvisorTaskStatus.Done, (await db.AdvisorTasks.SingleAsync(t => t.Id == taskId)).Status);
        }

        await using (var db = Database.Context())
        {
            await new MeetingService(db, Clock).RescheduleAsync(scheduled.Id, At("2027-04-22T07:30"), 60, "tester");
        }

        var second = await InvitationAsync(scheduled.Id);
        await CancelAsync(scheduled.Id);
        var third = await InvitationAsync(scheduled.Id);

        var readings = new[] { first, second, third }.Select(ics => Assert.Single(IcalCalendar.Load(ics)!.Events)).ToList();
        var methods = new[] { first, second, third }.Select(ics => IcalCalendar.Load(ics)!.Method).ToList();
        var python = new List<JsonElement>();
        foreach (var ics in new[] { first, second, third })
        {
            python.Add(await PythonIcalendar.ParseAsync(ics));
        }

        Assert.All(readings, e => Assert.Equal(scheduled.Uid, e.Uid));
        Assert.All(python, p => Assert.Equal(scheduled.Uid, p.GetProperty("uid").GetString()));
        Assert.Equal([0, 1, 2], readings.Select(e => e.Sequence));
        Assert.Equal([0, 1, 2], python.Select(p => p.GetProperty("sequence").GetInt32()));
        Assert.Equal(["REQUEST", "REQUEST", "CANCEL"], methods);
        Assert.Equal(["REQUEST", "REQUEST", "CANCEL"], python.Select(p => p.GetProperty("method").GetString()));
        Assert.Equal(["CONFIRMED", "CONFIRMED", "CANCELLED"], python.Select(p => p.GetProperty("status").GetString()));
        Assert.Equal(["2027-04-20T08:00:00", "2027-04-22T07:30:00", "2027-04-22T07:30:00"], python.Select(p => p.GetProperty("dtstart").GetProperty("local").GetString()));
        Assert.All(python, p => Assert.Equal("Pacific/Auckland", p.GetProperty("dtstart").GetProperty("tzid").GetString()));
        // 07:30 on 22 April in Auckland (UTC+12) is still 21 April in UTC.
        Assert.Equal("2027-04-21T19:30:00Z", python[1].GetProperty("dtstart").GetProperty("utc").GetString());
        Assert.All(python, p => Assert.Equal("mailto:camille.laurent@vendor.example", p.GetProperty("organizer").GetString()));
        Assert.All(python, p => Assert.Equal("Camille Laurent", p.GetProperty("organizerCn").GetString()));
        Assert.All(python, p => Assert.Equal("mailto:jane@acme.example", p.GetProperty("attendee").GetString()));
        Assert.All(python, p => Assert.Equal(("REQ-PARTICIPANT", "TRUE"), (p.GetProperty("attendeeRole").GetString(), p.GetProperty("attendeeRsvp").GetString())));
        Assert.All(readings, e => Assert.Equal("mailto:jane@acme.example", Assert.Single(e.Attendees).Value!.ToString()));
        Assert.All(readings, e => Assert.Equal("Camille Laurent", e.Organizer!.CommonName));

        var messages = await MeetingMessagesAsync();
        Assert.Equal(["review-invitation", "review-invitation", "review-cancelled"], messages.Select(m => m.Template));
        Assert.Equal(3, messages.Select(m => m.MessageId).Distinct().Count());
        Assert.All(messages, m => Assert.Equal((scheduled.Id, subscription.Id), (m.MeetingId!.Value, m.SubscriptionId!.Value)));
        Assert.Equal(["meeting.scheduled", "meeting.rescheduled", "meeting.cancelled"], (await AuditAsync()).Select(a => a.Action));

        // Refused on a cancelled meeting, and nothing changes.
        var before = await SnapshotAsync();
        await using (var db = Database.Context())
        {
            var refused = await Assert.ThrowsAsync<DomainException>(() =>
                new MeetingService(db, Clock).RescheduleAsync(scheduled.Id, At("2027-04-23T09:00"), null, "tester"));
            Assert.Equal(DomainErrors.MeetingCancelled, refused.Code);
        }

        await using (var db = Database.Context())
        {
            var refused = await Assert.ThrowsAsync<DomainException>(() =>
                new MeetingService(db, Clock).ScheduleAsync(NewMeeting.ForTask(taskId, At("2027-04-23T09:00")), "tester"));
            Assert.Equal(DomainErrors.AdvisorTaskAlreadyDone, refused.Code);
        }

        Assert.Equal(before, await SnapshotAsync());
    }

    protected static LocalDateTime At(string iso) =>
        LocalDateTimePattern.CreateWithInvariantCulture("uuuu'-'MM'-'dd'T'HH':'mm").Parse(iso).Value;

    protected async Task<(Account Account, long Advisor)> AccountWithAdvisorAsync(
        string name = "Acme", string zone = "Europe/Paris", string language = "en")
    {
        var advisor = await Book.AdvisorAsync();
        return (await Book.AccountAsync(name: name, zone: zone, language: language, advisorId: advisor), advisor);
    }

    protected async Task<long> OpenTaskAsync(long accountId, long advisorId)
    {
        await using var db = Database.Context();
        var task = new AdvisorTask { AccountId = accountId, AdvisorId = advisorId, Kind = MeetingService.TaskKind, DueOn = new LocalDate(2027, 4, 15), CreatedAt = Clock.GetCurrentInstant() };
        db.AdvisorTasks.Add(task);
        await db.SaveChangesAsync();
        return task.Id;
    }

    protected async Task<ReviewMeeting> ScheduleAsync(NewMeeting request)
    {
        await using var db = Database.Context();
        return await new MeetingService(db, Clock).ScheduleAsync(request, "tester");
    }

    protected async Task CancelAsync(long meetingId)
    {
        await using var db = Database.Context();
        await new MeetingService(db, Clock).CancelAsync(meetingId, "tester");
    }

    protected async Task<string> InvitationAsync(long meetingId)
    {
        await using var db = Database.Context();
        return await new MeetingService(db, Clock).InvitationAsync(meetingId);
    }

    protected async Task<List<OutboxMessage>> MeetingMessagesAsync()
    {
        await using var db = Database.Context();
        return await db.Outbox.AsNoTracking().Where(m => m.MeetingId != null).OrderBy(m => m.Id).ToListAsync();
    }

    protected async Task<List<AuditEntry>> AuditAsync()
    {
        await using var db = Database.Context();
        return await db.Audit.AsNoTracking().Where(a => a.Entity == "review-meeting").OrderBy(a => a.Id).ToListAsync();
    }

    /// <summary>What a refused change must leave as it was: meetings, their versions, messages, audit, open tasks.</summary>
    protected async Task<string> SnapshotAsync()
    {
        await using var db = Database.Context();
        var meetings = await db.ReviewMeetings.AsNoTracking().OrderBy(m => m.Id)
            .Select(m => new { m.Id, m.Sequence, m.Start, m.DurationMinutes, m.TimeZoneId, m.Location, m.IsCancelled, m.UpdatedAt }).ToListAsync();
        var counts = new
        {
            outbox = await db.Outbox.CountAsync(),
            audit = await db.Audit.CountAsync(),
            openTasks = await db.AdvisorTasks.CountAsync(t => t.Status == AdvisorTaskStatus.Open),
        };
        return string.Join(" | ", meetings.Select(m => m.ToString())) + " || " + counts;
    }
}
