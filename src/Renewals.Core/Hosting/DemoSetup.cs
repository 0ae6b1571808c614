using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using NodaTime;
using Renewals.Core.Demo;
using Renewals.Core.Engine;
using Renewals.Data;

namespace Renewals.Core.Hosting;

/// <summary>
/// What the run command does before serving: brings the schema up to date and, in demo mode on
/// an empty database, writes a demo book as it stood <see cref="DemoOptions.HistoryDays"/> ago
/// and runs the engine day by day up to now, then delivers the outbox, so the book has its
/// invoices, notices and messages already sent.
/// </summary>
public sealed partial class DemoSetup(
    RenewalsDatabase database, IClock clock, IOptions<DemoOptions> demo, MailDelivery delivery, ILogger<DemoSetup> logger)
{
    /// <summary>Migrates; returns true when it filled an empty database with the demo book.</summary>
    public async Task<bool> PrepareAsync(CancellationToken ct)
    {
        await database.MigrateAsync(ct);
        if (!demo.Value.Enabled)
        {
            return false;
        }

        await using (var db = database.CreateContext())
        {
            if (await db.Subscriptions.AnyAsync(ct))
            {
                return false;
            }
        }

        var now = clock.GetCurrentInstant();
        var today = now.InUtc().Date;
        var first = today.PlusDays(-demo.Value.HistoryDays);
        var past = new SettableClock(EndOf(first.PlusDays(-1)));
        var book = await new DemoBook(database, past).GenerateAsync(demo.Value.Subscriptions, demo.Value.Seed, ct: ct);
        LogBook(logger, book.Subscriptions, first);

        var engine = new RenewalEngine(database, past);
        var done = 0;
        for (var day = first; day <= today; day = day.PlusDays(1))
        {
            // Up to the end of each past day; today only up to now, nothing of the future.
            past.Now = day == today ? now : EndOf(day);
            done += (await engine.RunAsync(past.Now, ct)).Done;
        }

        var notices = await FileDemoNoticesAsync(now, ct);
        var sent = await delivery.DispatchAsync(now, ct);
        LogHistory(logger, done, notices, sent.Sent);
        return true;
    }

    /// <summary>
    /// A written notice on one active subscription in 25 (some on time, some late, as their
    /// deadlines fall), filed through the same service as the web's, so the book shows notices.
    /// </summary>
    private async Task<int> FileDemoNoticesAsync(Instant now, CancellationToken ct)
    {
        List<long> ids;
        await using (var db = database.CreateContext())
        {
            ids = await db.Subscriptions.AsNoTracking()
                .Where(s => s.Status == Data.Model.SubscriptionStatus.Active && s.Id % 25 == 0
                    && (s.PartnerContract == null || !s.PartnerContract.CancellationFiledByPartnerOnly))
                .OrderBy(s => s.Id).Select(s => s.Id).ToListAsync(ct);
        }

        var filed = 0;
        foreach (var id in ids)
        {
            await using var db = database.CreateContext();
            var hash = Convert.ToHexStringLower(System.Security.Cryptography.SHA256.HashData(System.Text.Encoding.UTF8.GetBytes($"demo letter {id}")));
            try
            {
                await new Cancellations.CancellationService(db, clock).FileAsync(id,
                    new Domain.Cancellations.WrittenNotice(now, Domain.Cancellations.NoticeChannel.PostalLetter, $"Contact {id}", hash, Domain.Cancellations.NoticeFiler.Advisor),
                    "demo", ct: ct);
                filed++;
            }
            catch (Domain.DomainException)
            {
                // A rule refuses this one (the term has not started): the demo files the others.
            }
        }

        return filed;
    }

    /// <summary>The last instant of a UTC day: every milestone whose local date has begun anywhere by then is due.</summary>
    private static Instant EndOf(LocalDate day) => day.PlusDays(1).AtMidnight().InUtc().ToInstant() - Duration.Epsilon;

    [LoggerMessage(Level = LogLevel.Information, Message = "Demo book: {Subscriptions} subscriptions as they stood on {First}")]
    private static partial void LogBook(ILogger logger, int subscriptions, LocalDate first);

    [LoggerMessage(Level = LogLevel.Information, Message = "Demo history: the engine carried out {Done} steps up to now, {Notices} written notices were filed, {Sent} messages delivered")]
    private static partial void LogHistory(ILogger logger, int done, int notices, int sent);

    private sealed class SettableClock(Instant start) : IClock
    {
        public Instant Now { get; set; } = start;

        public Instant GetCurrentInstant() => Now;
    }
}
