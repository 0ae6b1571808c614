using Microsoft.EntityFrameworkCore;
using NodaTime.Testing;
using Renewals.Data;
using Renewals.Data.Model;
using Renewals.Testing;
using IcalCalendar = Ical.Net.Calendar;

namespace Renewals.Cli.Tests;

public sealed class MeetingsCommandTests : IAsyncLifetime
{
    private readonly string _folder = Path.Combine(Path.GetTempPath(), "renewals-cli-" + Guid.NewGuid().ToString("N")[..10]);
    private readonly FakeClock _clock = new(CliRun.Today);
    private long _accountId;

    private string DbFile => Path.Combine(_folder, "book.db");

    public async Task InitializeAsync()
    {
        Directory.CreateDirectory(_folder);
        Assert.Equal(0, (await Cli("db", "migrate", "--db", DbFile)).ExitCode);
        var book = new TestBook(RenewalsDatabase.FromSetting(DbFile), _clock);
        var advisor = await book.AdvisorAsync();
        _accountId = (await book.AccountAsync(zone: "America/Los_Angeles", language: "fr", advisorId: advisor)).Id;
    }

    public Task DisposeAsync()
    {
        Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
        Directory.Delete(_folder, recursive: true);
        return Task.CompletedTask;
    }

    private Task<CliRun> Cli(params string[] args) => CliRun.InProcess(_clock, null, args);

    [Fact]
    public async Task Schedule_move_and_cancel_write_invitations_that_keep_their_uid()
    {
        var account = _accountId.ToString(System.Globalization.CultureInfo.InvariantCulture);
        var first = Path.Combine(_folder, "first.ics");
        var last = Path.Combine(_folder, "last.ics");

        var schedule = await Cli("meetings", "schedule", "--account", account, "--at", "2027-04-20T22:30", "--location", "Zoom", "--db", DbFile);
        var ics = await Cli("meetings", "ics", "1", "--out", first, "--db", DbFile);
        var move = await Cli("meetings", "move", "1", "--at", "2027-04-21T08:00", "--minutes", "60", "--db", DbFile);
        var printed = await Cli("meetings", "ics", "1", "--db", DbFile);
        var cancel = await Cli("--lang", "fr", "meetings", "cancel", "1", "--db", DbFile);
        await Cli("meetings", "ics", "1", "--out", last, "--db", DbFile);

        Assert.Equal((0, 0, 0, 0, 0), (schedule.ExitCode, ics.ExitCode, move.ExitCode, printed.ExitCode, cancel.ExitCode));
        Assert.Contains("Meeting 1 scheduled: 2027-04-20 22:30 (America/Los_Angeles), 45 min", schedule.Output, StringComparison.Ordinal);
        Assert.Contains("Meeting 1 moved: 2027-04-21 08:00 (America/Los_Angeles), 60 min; update queued (sequence 1)", move.Output, StringComparison.Ordinal);
        Assert.Contains("Réunion 1 annulée", cancel.Output, StringComparison.Ordinal);

        var scheduled = Assert.Single(IcalCalendar.Load(await File.ReadAllTextAsync(first))!.Events);
        var moved = Assert.Single(IcalCalendar.Load(printed.Output)!.Events);
        var cancelledCalendar = IcalCalendar.Load(await File.ReadAllTextAsync(last))!;
        var cancelled = Assert.Single(cancelledCalendar.Events);
        Assert.Equal((scheduled.Uid, scheduled.Uid), (moved.Uid, cancelled.Uid));
        Assert.Equal((0, 1, 2), (scheduled.Sequence, moved.Sequence, cancelled.Sequence));
        Assert.Equal(("America/Los_Angeles", new DateTime(2027, 4, 20, 22, 30, 0)), (scheduled.DtStart!.TzId, scheduled.DtStart.Value));
        Assert.Equal(("CANCEL", "CANCELLED"), (cancelledCalendar.Method, cancelled.Status));
        Assert.Equal("Zoom", cancelled.Location);
        // The contact writes French: the invitation is in French.
        Assert.StartsWith("Revue de vos abonnements", scheduled.Summary, StringComparison.Ordinal);

        var python = await PythonIcalendar.ParseAsync(await File.ReadAllTextAsync(first));
        Assert.Equal(scheduled.Uid, python.GetProperty("uid").GetString());
        Assert.Equal("2027-04-21T05:30:00Z", python.GetProperty("dtstart").GetProperty("utc").GetString());

        await using var db = RenewalsDatabase.FromSetting(DbFile).CreateContext();
        Assert.Equal(["review-invitation", "review-invitation", "review-cancelled"],
            await db.Outbox.OrderBy(m => m.Id).Select(m => m.Template).ToListAsync());
    }

    [Fact]
    public async Task Scheduling_for_the_check_in_task_closes_it()
    {
        long taskId;
        await using (var db = RenewalsDatabase.FromSetting(DbFile).CreateContext())
        {
            var task = new AdvisorTask { AccountId = _accountId, AdvisorId = 1, Kind = "schedule-review-meeting", DueOn = new NodaTime.LocalDate(2027, 4, 15) };
            db.AdvisorTasks.Add(task);
            await db.SaveChangesAsync();
            taskId = task.Id;
        }

        var run = await Cli("meetings", "schedule", "--task", taskId.ToString(System.Globalization.CultureInfo.InvariantCulture),
            "--at", "2027-04-20T10:00", "--zone", "Europe/Paris", "--minutes", "30", "--db", DbFile);

        Assert.Equal(0, run.ExitCode);
        await using var check = RenewalsDatabase.FromSetting(DbFile).CreateContext();
        Assert.Equal(AdvisorTaskStatus.Done, (await check.AdvisorTasks.SingleAsync()).Status);
        var meeting = await check.ReviewMeetings.SingleAsync();
        Assert.Equal((taskId, "Europe/Paris", 30), (meeting.AdvisorTaskId!.Value, meeting.TimeZoneId, meeting.DurationMinutes));
    }

    [Theory]
    [InlineData("en", "error: 28 March 2027 at 02:30 does not exist in Europe/Paris", "schedule", "--account", "{account}", "--at", "2027-03-28T02:30", "--zone", "Europe/Paris")]
    [InlineData("fr", "erreur : 28 mars 2027 à 02:30 n'existe pas dans le fuseau Europe/Paris", "schedule", "--account", "{account}", "--at", "2027-03-28T02:30", "--zone", "Europe/Paris")]
    [InlineData("fr", "erreur : --at attend une date et une heure locales", "schedule", "--account", "{account}", "--at", "demain")]
    [InlineData("en", "error: --at expects a local date and time", "schedule", "--account", "{account}", "--at", "2027-04-20")]
    [InlineData("fr", "erreur : Une réunion de revue dure entre 15 et 480 minutes, et non 5.", "schedule", "--account", "{account}", "--at", "2027-04-20T10:00", "--minutes", "5")]
    [InlineData("fr", "erreur : indiquez soit --task, soit --account", "schedule", "--account", "{account}", "--task", "1", "--at", "2027-04-20T10:00")]
    [InlineData("en", "error: give either --task or --account", "schedule", "--at", "2027-04-20T10:00")]
    [InlineData("fr", "erreur : --at est obligatoire.", "schedule", "--account", "{account}")]
    [InlineData("fr", "erreur : fuseau horaire « Mars/Olympus » inconnu", "schedule", "--account", "{account}", "--at", "2027-04-20T10:00", "--zone", "Mars/Olympus")]
    [InlineData("fr", "erreur : Le contact 99 n'existe pas.", "schedule", "--account", "{account}", "--at", "2027-04-20T10:00", "--contact", "99")]
    [InlineData("en", "error: 1 December 2026 at 00:00 (America/Los_Angeles) is already past", "schedule", "--account", "{account}", "--at", "2026-12-01T00:00")]
    [InlineData("fr", "erreur : Le compte 42 n'existe pas.", "schedule", "--account", "42", "--at", "2027-04-20T10:00")]
    [InlineData("fr", "erreur : La tâche de conseiller 7 n'existe pas.", "schedule", "--task", "7", "--at", "2027-04-20T10:00")]
    [InlineData("fr", "erreur : La réunion de revue 5 n'existe pas.", "move", "5", "--at", "2027-04-20T10:00")]
    [InlineData("en", "error: There is no review meeting 5.", "cancel", "5")]
    [InlineData("fr", "erreur : MEETING attend un nombre supérieur à zéro ; « -3 » n'en est pas un.", "ics", "-3")]
    public async Task Bad_input_is_refused_in_one_line_in_the_chosen_language_and_changes_nothing(string lang, string expected, params string[] command)
    {
        var account = _accountId.ToString(System.Globalization.CultureInfo.InvariantCulture);
        var before = await SnapshotAsync();

        var run = await Cli(["--lang", lang, "meetings", .. command.Select(a => a.Replace("{account}", account, StringComparison.Ordinal)), "--db", DbFile]);

        Assert.Equal(2, run.ExitCode);
        Assert.StartsWith(expected, run.Error, StringComparison.Ordinal);
        Assert.Single(run.Error.Split('\n', StringSplitOptions.RemoveEmptyEntries));
        Assert.Equal(before, await SnapshotAsync());
    }

    [Fact]
    public async Task Moving_a_cancelled_meeting_is_refused_and_changes_nothing()
    {
        var account = _accountId.ToString(System.Globalization.CultureInfo.InvariantCulture);
        await Cli("meetings", "schedule", "--account", account, "--at", "2027-04-20T10:00", "--db", DbFile);
        await Cli("meetings", "cancel", "1", "--db", DbFile);
        var before = await SnapshotAsync();

        var run = await Cli("--lang", "fr", "meetings", "move", "1", "--at", "2027-04-22T10:00", "--db", DbFile);

        Assert.Equal(2, run.ExitCode);
        Assert.Equal("erreur : La réunion 1 est annulée : elle ne peut plus être déplacée ; planifiez-en une nouvelle.", run.Error.Trim());
        Assert.Equal(before, await SnapshotAsync());
    }

    private async Task<string> SnapshotAsync()
    {
        await using var db = RenewalsDatabase.FromSetting(DbFile).CreateContext();
        var meetings = await db.ReviewMeetings.AsNoTracking().OrderBy(m => m.Id).Select(m => new { m.Id, m.Sequence, m.IsCancelled, m.Start }).ToListAsync();
        return $"{string.Join(";", meetings)} | outbox {await db.Outbox.CountAsync()} | audit {await db.Audit.CountAsync()} | open {await db.AdvisorTasks.CountAsync(t => t.Status == AdvisorTaskStatus.Open)}";
    }
}
