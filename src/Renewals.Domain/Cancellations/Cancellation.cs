using NodaTime;
using Renewals.Domain.Policies;
using Renewals.Domain.Subscriptions;
using Renewals.Domain.Timeline;

namespace Renewals.Domain.Cancellations;

/// <summary>
/// A written notice accepted against a subscription, with the date it ends the
/// subscription. A notice on time ends it at the end of the term it was received in; a
/// late one is kept and ends it at the end of the following term.
/// </summary>
public sealed record Cancellation
{
    private Cancellation(WrittenNotice notice, DateTimeZone customerZone, Term receivedInTerm, LocalDate deadline, bool onTime, Term endingTerm, Instant? withdrawnAt)
    {
        CustomerZone = customerZone;
        Notice = notice;
        ReceivedInTerm = receivedInTerm;
        Deadline = deadline;
        IsOnTime = onTime;
        EndingTerm = endingTerm;
        WithdrawnAt = withdrawnAt;
    }

    public WrittenNotice Notice { get; }

    /// <summary>The customer's time zone: its local dates decide what is on time.</summary>
    public DateTimeZone CustomerZone { get; }

    /// <summary>The term during which the notice was received (customer's local date).</summary>
    public Term ReceivedInTerm { get; }

    /// <summary>The cancellation deadline of <see cref="ReceivedInTerm"/>.</summary>
    public LocalDate Deadline { get; }

    public bool IsOnTime { get; }

    /// <summary>The last term the customer keeps; the subscription ends at its end.</summary>
    public Term EndingTerm { get; }

    /// <summary>The date the subscription ends: no renewal happens on it.</summary>
    public LocalDate EffectiveEndDate => EndingTerm.End;

    public Instant? WithdrawnAt { get; }

    public bool IsWithdrawn => WithdrawnAt is not null;

    /// <summary>
    /// Accepts a written notice, or refuses it with the reason: received before day 1,
    /// or filed by someone the partner contract does not allow.
    /// </summary>
    public static Cancellation File(Subscription subscription, RenewalPolicy policy, WrittenNotice notice)
    {
        ArgumentNullException.ThrowIfNull(subscription);
        ArgumentNullException.ThrowIfNull(policy);
        ArgumentNullException.ThrowIfNull(notice);

        NoticeMustComeFromAllowedFiler(subscription, notice);

        var received = subscription.LocalDateOf(notice.ReceivedAt);
        if (received < subscription.Start)
        {
            throw new DomainException(DomainErrors.NoticeBeforeStart, received, subscription.Start);
        }

        var term = subscription.TermContaining(received);
        var deadline = RenewalTimeline.CancellationDeadline(subscription, policy, term);
        var onTime = NoticeIsOnTime(received, deadline);
        var ending = onTime ? term : subscription.Term(term.Number + 1);
        return new Cancellation(notice, subscription.TimeZone, term, deadline, onTime, ending, withdrawnAt: null);
    }

    /// <summary>On time when received on or before the deadline, in the customer's local date.</summary>
    public static bool NoticeIsOnTime(LocalDate receivedOn, LocalDate deadline) => receivedOn <= deadline;

    /// <summary>Withdraws the notice; allowed only before it takes effect.</summary>
    public Cancellation Withdraw(Instant at)
    {
        if (IsWithdrawn)
        {
            throw new DomainException(DomainErrors.AlreadyWithdrawn);
        }

        if (at < Notice.ReceivedAt)
        {
            throw new DomainException(DomainErrors.WithdrawalBeforeNotice);
        }

        var localDate = at.InZone(CustomerZone).Date;
        if (localDate >= EffectiveEndDate)
        {
            throw new DomainException(DomainErrors.WithdrawalAfterEffect, EffectiveEndDate);
        }

        return new Cancellation(Notice, CustomerZone, ReceivedInTerm, Deadline, IsOnTime, EndingTerm, at);
    }

    private static void NoticeMustComeFromAllowedFiler(Subscription subscription, WrittenNotice notice)
    {
        switch (subscription.Partner)
        {
            case null when notice.FiledBy == NoticeFiler.Partner:
                throw new DomainException(DomainErrors.NoticeFromPartnerOnDirectSubscription);
            case { CancellationFiledByPartnerOnly: true } partner when notice.FiledBy != NoticeFiler.Partner:
                throw new DomainException(DomainErrors.NoticeMustComeFromPartner, partner.Partner);
            default:
                return;
        }
    }
}
