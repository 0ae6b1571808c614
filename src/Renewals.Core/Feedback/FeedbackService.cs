using System.Globalization;
using Microsoft.EntityFrameworkCore;
using NodaTime;
using Renewals.Core.Portal;
using Renewals.Data;
using Renewals.Data.Model;
using Renewals.Domain;

namespace Renewals.Core.Feedback;

/// <summary>Where a survey link stands: it may be answered, or it was already, or it expired, or no survey has it.</summary>
public enum SurveyState
{
    Open,
    Answered,
    Expired,
    Unknown,
}

/// <summary>What became of an answer sent from a survey link.</summary>
public enum SurveyAnswer
{
    Recorded,
    AlreadyAnswered,
    Expired,
    Unknown,
}

/// <summary>Who opens a survey link: someone not signed in, a signed-in customer of an account, or another signed-in user (staff, partner).</summary>
public abstract record SurveyVisitor
{
    private SurveyVisitor()
    {
    }

    public static SurveyVisitor Anonymous { get; } = new AnonymousVisitor();

    public static SurveyVisitor SignedInStaff { get; } = new StaffVisitor();

    public sealed record AnonymousVisitor : SurveyVisitor;

    public sealed record Customer(PortalCustomer Account) : SurveyVisitor;

    public sealed record StaffVisitor : SurveyVisitor;
}

/// <summary>A survey as its page shows it; the advisor, the interaction and its date only while it is open.</summary>
public sealed record SurveyView(SurveyState State, string? Advisor, string? Interaction, LocalDate? InteractionOn);

/// <summary>An answer as typed: useful (yes or no), a rating (1 to 5) and an optional comment; null where nothing (or nothing readable) was given.</summary>
public sealed record FeedbackInput(bool? Useful, int? Rating, string? Comment);

/// <summary>What the web account's feedback page needs: the account's advisor, or null when none looks after it.</summary>
public sealed record PortalFeedbackView(string? Advisor);

/// <summary>
/// Feedback on the advisor: answers to a survey's one-time link (no sign-in: the token is the
/// proof; a signed-in customer of another account, or a signed-in member of staff, is answered
/// as if the survey did not exist), and feedback from the web account at any time about the
/// account's advisor. An answer is stored once: a used, expired or unknown link stores nothing.
/// </summary>
public sealed class FeedbackService(RenewalsDbContext db, IClock clock)
{
    public const int MinRating = 1;
    public const int MaxRating = 5;
    public const int MaxComment = 1000;

    /// <summary>The survey behind a link; null when the visitor may not see it (the page answers 404).</summary>
    public async Task<SurveyView?> OpenAsync(string? token, SurveyVisitor visitor, CancellationToken ct = default)
    {
        var survey = await FindAsync(token, ct);
        if (!MaySee(survey, visitor))
        {
            return null;
        }

        var state = StateOf(survey, clock.GetCurrentInstant());
        if (state != SurveyState.Open)
        {
            // A used or expired link says no more than that.
            return new SurveyView(state, null, null, null);
        }

        var advisor = await db.Advisors.AsNoTracking().Where(a => a.Id == survey!.AdvisorId).Select(a => a.Name).SingleAsync(ct);
        var zoneId = await db.Accounts.AsNoTracking().Where(a => a.Id == survey!.AccountId).Select(a => a.TimeZoneId).SingleAsync(ct);
        var zone = DateTimeZoneProviders.Tzdb.GetZoneOrNull(zoneId) ?? DateTimeZone.Utc;
        return new SurveyView(state, advisor, survey!.Interaction, survey.SentAt.InZone(zone).Date);
    }

    /// <summary>
    /// Records the answer to a survey, once. The link's state is checked first (a used, expired
    /// or unknown link stores nothing and says so), then the input (a coded error, nothing
    /// stored); one conditional update then decides between two answers sent at once.
    /// Null when the visitor may not see the survey (the page answers 404).
    /// </summary>
    public async Task<SurveyAnswer?> AnswerAsync(string? token, SurveyVisitor visitor, FeedbackInput input, CancellationToken ct = default)
    {
        var survey = await FindAsync(token, ct);
        if (!MaySee(survey, visitor))
        {
            return null;
        }

        var now = clock.GetCurrentInstant();
        switch (StateOf(survey, now))
        {
            case SurveyState.Unknown:
                return SurveyAnswer.Unknown;
            case SurveyState.Answered:
                return SurveyAnswer.AlreadyAnswered;
            case SurveyState.Expired:
                return SurveyAnswer.Expired;
        }

        var answer = Validate(input);
        await using var transaction = await db.Database.BeginTransactionAsync(ct);
        var taken = await db.FeedbackSurveys.Where(s => s.Id == survey!.Id && s.AnsweredAt == null && s.ExpiresAt > now)
            .ExecuteUpdateAsync(set => set.SetProperty(s => s.AnsweredAt, now), ct);
        if (taken == 0)
        {
            // Answered (or expired) between the reading and now: the first answer stands.
            return SurveyAnswer.AlreadyAnswered;
        }

        db.AdvisorFeedback.Add(new AdvisorFeedbackAnswer
        {
            SurveyId = survey!.Id, AdvisorId = survey.AdvisorId, AccountId = survey.AccountId, ContactId = survey.ContactId, Source = FeedbackSources.Survey,
            Useful = answer.Useful!.Value, Rating = answer.Rating!.Value, Comment = answer.Comment, GivenAt = now,
        });
        db.Audit.Add(new AuditEntry
        {
            At = now, Actor = string.Create(CultureInfo.InvariantCulture, $"contact:{survey.ContactId}"), Action = "feedback.answered", Entity = "feedback-survey", EntityId = survey.Id,
            Details = Details(answer),
        });
        try
        {
            await db.SaveChangesAsync(ct);
        }
        catch (DbUpdateException)
        {
            // The unique survey on the answer decided between two concurrent answers.
            return SurveyAnswer.AlreadyAnswered;
        }

        await transaction.CommitAsync(ct);
        return SurveyAnswer.Recorded;
    }

    /// <summary>The account's advisor for the web account's feedback page.</summary>
    public async Task<PortalFeedbackView> ForPortalAsync(PortalCustomer customer, CancellationToken ct = default)
    {
        ArgumentNullException.ThrowIfNull(customer);
        var advisor = await db.Accounts.AsNoTracking().Where(a => a.Id == customer.AccountId && a.Advisor != null).Select(a => a.Advisor!.Name).SingleOrDefaultAsync(ct);
        return new PortalFeedbackView(advisor);
    }

    /// <summary>Feedback from the web account about the account's advisor; refused (nothing stored) when none looks after it.</summary>
    public async Task GiveFromPortalAsync(PortalCustomer customer, string? userEmail, FeedbackInput input, CancellationToken ct = default)
    {
        ArgumentNullException.ThrowIfNull(customer);
        var account = await db.Accounts.AsNoTracking().Where(a => a.Id == customer.AccountId).Select(a => new { a.Id, a.AdvisorId }).SingleOrDefaultAsync(ct)
            ?? throw new DomainException(DomainErrors.AccountUnknown, customer.AccountId);
        if (account.AdvisorId is not { } advisorId)
        {
            throw new DomainException(DomainErrors.FeedbackNoAdvisor);
        }

        var answer = Validate(input);
        long? contactId = null;
        if (!string.IsNullOrWhiteSpace(userEmail))
        {
            var contacts = await db.Contacts.AsNoTracking().Where(c => c.AccountId == account.Id).Select(c => new { c.Id, c.Email }).ToListAsync(ct);
            contactId = contacts.FirstOrDefault(c => string.Equals(c.Email.Trim(), userEmail.Trim(), StringComparison.OrdinalIgnoreCase))?.Id;
        }

        var now = clock.GetCurrentInstant();
        await using var transaction = await db.Database.BeginTransactionAsync(ct);
        var row = new AdvisorFeedbackAnswer
        {
            AdvisorId = advisorId, AccountId = account.Id, ContactId = contactId, Source = FeedbackSources.Portal,
            Useful = answer.Useful!.Value, Rating = answer.Rating!.Value, Comment = answer.Comment, GivenAt = now,
        };
        db.AdvisorFeedback.Add(row);
        await db.SaveChangesAsync(ct);
        db.Audit.Add(new AuditEntry
        {
            At = now, Actor = string.Create(CultureInfo.InvariantCulture, $"customer:{account.Id}"), Action = "feedback.given", Entity = "advisor-feedback", EntityId = row.Id,
            Details = Details(answer),
        });
        await db.SaveChangesAsync(ct);
        await transaction.CommitAsync(ct);
    }

    /// <summary>The input with its comment trimmed (empty: none), or the first rule it breaks as a coded error.</summary>
    public static FeedbackInput Validate(FeedbackInput input)
    {
        ArgumentNullException.ThrowIfNull(input);
        if (input.Useful is null)
        {
            throw new DomainException(DomainErrors.FeedbackUsefulRequired);
        }

        if (input.Rating is not (>= MinRating and <= MaxRating))
        {
            throw new DomainException(DomainErrors.FeedbackRatingOutOfRange, MinRating, MaxRating);
        }

        var comment = input.Comment?.Trim();
        if (comment?.Length > MaxComment)
        {
            throw new DomainException(DomainErrors.FeedbackCommentTooLong, MaxComment);
        }

        return input with { Comment = string.IsNullOrEmpty(comment) ? null : comment };
    }

    private async Task<FeedbackSurvey?> FindAsync(string? token, CancellationToken ct) =>
        FeedbackSurveys.HashOf(token) is { } hash
            ? await db.FeedbackSurveys.AsNoTracking().SingleOrDefaultAsync(s => s.TokenHash == hash, ct)
            : null;

    /// <summary>Anyone holding the link may use it, except a signed-in user it is not for: another account's customer, or staff.</summary>
    private static bool MaySee(FeedbackSurvey? survey, SurveyVisitor visitor)
    {
        ArgumentNullException.ThrowIfNull(visitor);
        return visitor switch
        {
            SurveyVisitor.AnonymousVisitor => true,
            SurveyVisitor.Customer customer => survey is null || survey.AccountId == customer.Account.AccountId,
            _ => false,
        };
    }

    private static SurveyState StateOf(FeedbackSurvey? survey, Instant now) => survey switch
    {
        null => SurveyState.Unknown,
        { AnsweredAt: not null } => SurveyState.Answered,
        _ when now >= survey.ExpiresAt => SurveyState.Expired,
        _ => SurveyState.Open,
    };

    private static string Details(FeedbackInput answer) =>
        string.Create(CultureInfo.InvariantCulture, $"useful {(answer.Useful == true ? "yes" : "no")}; rating {answer.Rating}{(answer.Comment is null ? "" : "; with a comment")}");
}
