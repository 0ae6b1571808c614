using Microsoft.EntityFrameworkCore;
using NodaTime;
using Renewals.Core.Access;
using Renewals.Core.Advisors;
using Renewals.Core.Cancellations;
using Renewals.Data;
using Renewals.Domain;
using Renewals.Domain.Cancellations;

namespace Renewals.Core.Tests;

public sealed class SqliteAdvisorPostedNoticeTests() : AdvisorPostedNoticeTests(DatabaseProvider.Sqlite);

public sealed class PostgresAdvisorPostedNoticeTests() : AdvisorPostedNoticeTests(DatabaseProvider.PostgreSql);

/// <summary>A letter received by post, filed by the advisor of the account with its scan.</summary>
public abstract class AdvisorPostedNoticeTests(DatabaseProvider provider) : DatabaseTest(provider), IDisposable
{
    private readonly string _folder = Path.Combine(Path.GetTempPath(), "renewals-letters-" + Guid.NewGuid().ToString("N")[..12]);

    [Fact]
    public async Task The_advisor_files_a_posted_letter_on_the_deadline_day_with_its_scan_and_another_advisor_cannot()
    {
        var mine = await Book.AdvisorAsync("Camille Laurent");
        var other = await Book.AdvisorAsync("Hugo Martin");
        var account = await Book.AccountAsync("Acme", advisorId: mine);
        // One year from 15 January 2027, Paris: renews 15 January 2028, deadline 60 days before, 16 November 2027.
        var subscription = await Book.SellAsync(account.Id, new LocalDate(2027, 1, 15), years: 1);
        Clock.Reset(Instant.FromUtc(2027, 11, 18, 9, 0));
        Directory.CreateDirectory(_folder);
        var scan = Path.Combine(_folder, "scan.PDF");
        await File.WriteAllTextAsync(scan, "test");
        var letters = new LetterStore(Path.Combine(_folder, "letters"));

        await using var db = Database.Context();
        var service = new PostedNoticeService(db, Clock, letters);
        var refused = await Assert.ThrowsAsync<DomainException>(() => service.FileAsync(new Actor.Advisor(other), subscription.Id, new LocalDate(2027, 11, 16), "Jane Primary", scan));
        var tomorrow = await Assert.ThrowsAsync<DomainException>(() => service.FileAsync(new Actor.Advisor(mine), subscription.Id, new LocalDate(2027, 11, 19), "Jane Primary", scan));
        Assert.False(Directory.Exists(letters.Folder) && Directory.EnumerateFiles(letters.Folder).Any());
        var filed = await service.FileAsync(new Actor.Advisor(mine), subscription.Id, new LocalDate(2027, 11, 16), "Jane Primary", scan);

        Assert.Equal(DomainErrors.SubscriptionUnknown, refused.Code);
        Assert.Equal(DomainErrors.NoticeInFuture, tomorrow.Code);
        // SHA-256 of the four bytes "test".
        const string Sha = "9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08";
        Assert.Equal((true, new LocalDate(2028, 1, 15), NoticeChannel.PostalLetter, NoticeFiler.Customer, Sha + ".pdf"),
            (filed.IsOnTime, filed.EffectiveEndDate, filed.Channel, filed.FiledBy, filed.LetterFile));
        Assert.True(File.Exists(Path.Combine(letters.Folder, Sha + ".pdf")));
        var audit = await db.Audit.AsNoTracking().SingleAsync(a => a.Action == "cancellation.filed-on-time");
        Assert.Equal($"advisor:{mine}", audit.Actor);
        Assert.Single(await db.Outbox.AsNoTracking().Where(m => m.Template == "cancellation-acknowledgement").ToListAsync());
    }

    public void Dispose()
    {
        if (Directory.Exists(_folder))
        {
            Directory.Delete(_folder, recursive: true);
        }

        GC.SuppressFinalize(this);
    }
}
