using System.Security.Cryptography;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;
using NodaTime;
using Renewals.Core.Cancellations;
using Renewals.Core.Hosting;
using Renewals.Core.Planning;
using Renewals.Data;
using Renewals.Data.Model;
using Renewals.Domain;
using Renewals.Domain.Cancellations;

namespace Renewals.Core.Portal;

/// <summary>Why an uploaded letter was refused before anything was stored.</summary>
public enum LetterProblem
{
    Empty,
    TooLarge,
    NotPdf,
}

/// <summary>An uploaded letter that cannot be filed; nothing was stored.</summary>
public sealed class LetterRefusedException(LetterProblem problem) : Exception($"Letter refused: {problem}")
{
    public LetterProblem Problem { get; } = problem;
}

/// <summary>A notice on file for the subscription's current term.</summary>
public sealed record PortalNotice(
    long Id, LocalDate ReceivedOn, string SignedBy, string DocumentSha256, bool IsOnTime, LocalDate EffectiveEndDate, LocalDate? WithdrawnOn,
    bool CanWithdraw);

/// <summary>What the cancellation page shows before filing: the deadline, whether today is on time, the day it would end.</summary>
public sealed record PortalCancellation(
    long SubscriptionId, LocalDate Today, LocalDate Deadline, bool OnTimeToday, LocalDate EndsOnIfFiledToday, bool FiledByPartnerOnly,
    PortalNotice? Notice);

/// <summary>
/// Written cancellation from the web account: the signed letter is checked by its content (a
/// PDF, not empty, 10 MB at most), kept outside the web root under its SHA-256, and filed
/// through <see cref="CancellationService"/>, which decides on time or late and acknowledges
/// it by email. Only the customer's own subscriptions; anything else answers null.
/// </summary>
public sealed class PortalCancellationService(
    RenewalsDbContext db, IClock clock, CancellationService cancellations, IOptions<RenewalsOptions> options, RenewalsDatabase database)
{
    public const long MaxLetterBytes = 10 * 1024 * 1024;

    public string LettersFolder => LettersFolderOf(options.Value, database);

    /// <summary>Where every face keeps uploaded and scanned letters: the setting, else beside the SQLite file.</summary>
    public static string LettersFolderOf(RenewalsOptions options, RenewalsDatabase database)
    {
        ArgumentNullException.ThrowIfNull(options);
        ArgumentNullException.ThrowIfNull(database);
        return options.LettersFolder
            ?? Path.Combine(database.SqliteFile is { } file ? Path.GetDirectoryName(file)! : Directory.GetCurrentDirectory(), "letters");
    }

    public Task<PortalCancellation?> DescribeAsync(PortalCustomer customer, long subscriptionId, CancellationToken ct = default)
    {
        ArgumentNullException.ThrowIfNull(customer);
        return DescribeAsync(db, clock, db.Subscriptions.Where(s => s.AccountId == customer.AccountId), subscriptionId, ct);
    }

    /// <summary>
    /// The deadline and on-time preview of a subscription among <paramref name="visible"/> (the
    /// caller's ownership filter), with the notice on file; null when it is not among them or ended.
    /// The customer's page, the advisor's posted notice and the partner's notice all read this one.
    /// </summary>
    internal static async Task<PortalCancellation?> DescribeAsync(
        RenewalsDbContext db, IClock clock, IQueryable<Subscription> visible, long subscriptionId, CancellationToken ct)
    {
        var row = await visible.AsNoTracking()
            .Include(s => s.Account).Include(s => s.Policy).Include(s => s.PartnerContract).ThenInclude(c => c!.Partner)
            .SingleOrDefaultAsync(s => s.Id == subscriptionId, ct);
        if (row is null || row.Status == SubscriptionStatus.Ended)
        {
            return null;
        }

        var account = row.Account!;
        var zone = DateTimeZoneProviders.Tzdb[account.TimeZoneId];
        var partner = DomainMapping.ToDomain(row.PartnerContract, row.PartnerContract?.Partner?.Name ?? "");
        var subscription = DomainMapping.ToDomain(account.Name, row.Start, row.InitialTermYears, zone, row.Billing, partner, row.IsFirstInProductFamily, row.RenewalLengths);
        var now = clock.GetCurrentInstant();
        // What the rules would decide for a letter received now (the hash does not matter to them).
        // Filed as the one the contract lets file: the dates are the same whoever files.
        var filedByPartnerOnly = row.PartnerContract?.CancellationFiledByPartnerOnly == true;
        var today = Cancellation.File(subscription, DomainMapping.ToDomain(row.Policy!),
            new WrittenNotice(now, NoticeChannel.UploadedLetter, "-", new string('0', 64), filedByPartnerOnly ? NoticeFiler.Partner : NoticeFiler.Customer));
        var notice = await db.CancellationNotices.AsNoTracking()
            .Where(n => n.SubscriptionId == row.Id && n.ReceivedInTerm == row.CurrentTermNumber)
            .OrderByDescending(n => n.Id).FirstOrDefaultAsync(ct);
        var localToday = now.InZone(zone).Date;
        return new PortalCancellation(
            row.Id, localToday, today.Deadline, today.IsOnTime, today.EffectiveEndDate, filedByPartnerOnly,
            notice is null ? null : new PortalNotice(
                notice.Id, notice.ReceivedAt.InZone(zone).Date, notice.SignedBy, notice.DocumentSha256, notice.IsOnTime, notice.EffectiveEndDate,
                notice.WithdrawnAt?.InZone(zone).Date, notice.WithdrawnAt is null && localToday < notice.EffectiveEndDate));
    }

    /// <summary>Checks and keeps the letter, then files the notice; null when the subscription is not this customer's.</summary>
    /// <exception cref="LetterRefusedException">Not a PDF, empty or too large; nothing stored.</exception>
    /// <exception cref="DomainException">The rules refuse the notice; nothing stored.</exception>
    public async Task<PortalNotice?> FileAsync(PortalCustomer customer, long subscriptionId, string signedBy, Stream letter, string actor, CancellationToken ct = default)
    {
        ArgumentNullException.ThrowIfNull(customer);
        ArgumentNullException.ThrowIfNull(letter);
        if (!await db.Subscriptions.AnyAsync(s => s.Id == subscriptionId && s.AccountId == customer.AccountId, ct))
        {
            return null;
        }

        var bytes = await CheckLetterAsync(letter, ct);
        var sha256 = Convert.ToHexStringLower(SHA256.HashData(bytes));
        var notice = new WrittenNotice(clock.GetCurrentInstant(), NoticeChannel.UploadedLetter, signedBy, sha256, NoticeFiler.Customer);
        // Kept outside the web root under a name of its own, its hash, and recorded with the notice;
        // a letter this filing stored is removed again when the rules refuse the notice.
        Directory.CreateDirectory(LettersFolder);
        var name = $"{sha256}.pdf";
        var path = Path.Combine(LettersFolder, name);
        var written = false;
        if (!File.Exists(path))
        {
            await File.WriteAllBytesAsync(path, bytes, ct);
            written = true;
        }

        try
        {
            await cancellations.FileAsync(subscriptionId, notice, actor, name, ct);
        }
        catch (DomainException) when (written)
        {
            File.Delete(path);
            throw;
        }

        return (await DescribeAsync(customer, subscriptionId, ct))?.Notice;
    }

    /// <summary>Withdraws the customer's own notice while that is allowed; false when it is not theirs.</summary>
    /// <exception cref="DomainException">Too late, or already withdrawn.</exception>
    public async Task<bool> WithdrawAsync(PortalCustomer customer, long noticeId, string actor, CancellationToken ct = default)
    {
        ArgumentNullException.ThrowIfNull(customer);
        var owned = await db.CancellationNotices.AnyAsync(
            n => n.Id == noticeId && db.Subscriptions.Any(s => s.Id == n.SubscriptionId && s.AccountId == customer.AccountId), ct);
        if (!owned)
        {
            return false;
        }

        await cancellations.WithdrawAsync(noticeId, actor, ct);
        return true;
    }

    /// <summary>Reads an uploaded letter and checks it by its content: not empty, 10 MB at most, a PDF.</summary>
    /// <exception cref="LetterRefusedException">Not a PDF, empty or too large.</exception>
    public static async Task<byte[]> CheckLetterAsync(Stream letter, CancellationToken ct = default)
    {
        ArgumentNullException.ThrowIfNull(letter);
        var bytes = await ReadAtMostAsync(letter, MaxLetterBytes, ct);
        if (bytes.Length == 0)
        {
            throw new LetterRefusedException(LetterProblem.Empty);
        }

        // A PDF starts with "%PDF-" (ISO 32000); the file's name and declared type prove nothing.
        if (bytes.Length < 5 || !bytes.AsSpan(0, 5).SequenceEqual("%PDF-"u8))
        {
            throw new LetterRefusedException(LetterProblem.NotPdf);
        }

        return bytes;
    }

    private static async Task<byte[]> ReadAtMostAsync(Stream stream, long max, CancellationToken ct)
    {
        using var buffer = new MemoryStream();
        var chunk = new byte[81920];
        int read;
        while ((read = await stream.ReadAsync(chunk, ct)) > 0)
        {
            if (buffer.Length + read > max)
            {
                throw new LetterRefusedException(LetterProblem.TooLarge);
            }

            buffer.Write(chunk, 0, read);
        }

        return buffer.ToArray();
    }
}
