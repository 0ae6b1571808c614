using NodaTime;
using Renewals.Domain.Cancellations;
using Renewals.Domain.Policies;
using Renewals.Domain.Subscriptions;
using Renewals.Domain.Timeline;

namespace Renewals.Domain.Tests;

/// <summary>
/// Cancellation in writing: on or before the deadline it ends the subscription at the term
/// end; late, at the end of the following term. Partner contracts set the notice period
/// and may reserve filing to the partner. A notice can be withdrawn before it takes effect.
/// </summary>
public sealed class CancellationTests
{
    private static readonly Subscription Example = SubscriptionBuilder.ProductExample();
    private static readonly DateTimeZone Paris = DateTimeZoneProviders.Tzdb["Europe/Paris"];

    private static Cancellation FileOn(Subscription subscription, string localDate, NoticeFiler filedBy = NoticeFiler.Customer, int hour = 12, int minute = 0) =>
        Cancellation.File(subscription, RenewalPolicy.Default, Notices.OnLocalDate(subscription, localDate, filedBy, hour, minute));

    [Fact]
    public void Notice_received_on_the_deadline_is_on_time()
    {
        var cancellation = FileOn(Example, "2029-11-16");

        Assert.True(cancellation.IsOnTime);
        Assert.Equal(Dates.Parse("2029-11-16"), cancellation.Deadline);
        Assert.Equal(Example.Term(1), cancellation.ReceivedInTerm);
        Assert.Equal(Example.Term(1), cancellation.EndingTerm);
        Assert.Equal(Dates.Parse("2030-01-15"), cancellation.EffectiveEndDate);
    }

    [Fact]
    public void Notice_received_in_the_last_minute_of_the_deadline_day_is_on_time()
    {
        var cancellation = FileOn(Example, "2029-11-16", hour: 23, minute: 59);

        Assert.True(cancellation.IsOnTime);
        Assert.Equal(Dates.Parse("2030-01-15"), cancellation.EffectiveEndDate);
    }

    [Fact]
    public void Notice_received_the_day_after_the_deadline_is_late()
    {
        var cancellation = FileOn(Example, "2029-11-17");

        Assert.False(cancellation.IsOnTime);
        Assert.Equal(Dates.Parse("2029-11-16"), cancellation.Deadline);
        Assert.Equal(Example.Term(1), cancellation.ReceivedInTerm);
    }

    [Fact]
    public void Late_notice_ends_the_subscription_at_the_end_of_the_following_term()
    {
        var cancellation = FileOn(Example, "2029-11-17", hour: 0, minute: 0);

        Assert.Equal(Example.Term(2), cancellation.EndingTerm);
        Assert.Equal(2, cancellation.EndingTerm.Number);
        Assert.Equal(Dates.Parse("2031-01-15"), cancellation.EffectiveEndDate);
    }

    [Fact]
    public void Notice_received_on_the_last_day_of_the_term_is_late()
    {
        var cancellation = FileOn(Example, "2030-01-14");

        Assert.False(cancellation.IsOnTime);
        Assert.Equal(Dates.Parse("2031-01-15"), cancellation.EffectiveEndDate);
    }

    [Fact]
    public void Notice_received_on_day_one_is_on_time_and_ends_the_initial_term()
    {
        var cancellation = FileOn(Example, "2027-01-15", hour: 0);

        Assert.True(cancellation.IsOnTime);
        Assert.Equal(Dates.Parse("2030-01-15"), cancellation.EffectiveEndDate);
    }

    [Fact]
    public void Notice_received_on_the_renewal_date_belongs_to_the_new_term()
    {
        var cancellation = FileOn(Example, "2030-01-15");

        Assert.True(cancellation.IsOnTime);
        Assert.Equal(Example.Term(2), cancellation.ReceivedInTerm);
        Assert.Equal(Dates.Parse("2030-11-16"), cancellation.Deadline);
        Assert.Equal(Dates.Parse("2031-01-15"), cancellation.EffectiveEndDate);
    }

    [Fact]
    public void Late_notice_in_a_renewal_term_ends_the_term_after_it()
    {
        var cancellation = FileOn(Example, "2030-12-01");

        Assert.False(cancellation.IsOnTime);
        Assert.Equal(Dates.Parse("2030-11-16"), cancellation.Deadline);
        Assert.Equal(3, cancellation.EndingTerm.Number);
        Assert.Equal(Dates.Parse("2032-01-15"), cancellation.EffectiveEndDate);
    }

    [Fact]
    public void Deadline_of_a_notice_is_the_deadline_milestone_of_its_term()
    {
        var cancellation = FileOn(Example, "2031-03-01");
        var milestone = RenewalTimeline.ForTerm(Example, RenewalPolicy.Default, cancellation.ReceivedInTerm.Number)
            .Find(MilestoneKind.CancellationDeadline);

        Assert.Equal(milestone.Date, cancellation.Deadline);
    }

    [Fact]
    public void Policy_notice_days_move_the_deadline_of_a_direct_customer()
    {
        var policy = new RenewalPolicy(noticeDays: 30);
        var notice = Notices.OnLocalDate(Example, "2029-12-16");

        Assert.True(Cancellation.File(Example, policy, notice).IsOnTime);
        Assert.False(Cancellation.File(Example, policy, Notices.OnLocalDate(Example, "2029-12-17")).IsOnTime);
    }

    [Fact]
    public void Partner_with_90_days_notice_moves_the_deadline_90_days_before_renewal()
    {
        var subscription = new SubscriptionBuilder().ThroughPartner(noticeDays: 90).Build();

        var onDeadline = FileOn(subscription, "2029-10-17");
        var dayAfter = FileOn(subscription, "2029-10-18");

        Assert.Equal(Dates.Parse("2029-10-17"), onDeadline.Deadline);
        Assert.True(onDeadline.IsOnTime);
        Assert.Equal(Dates.Parse("2030-01-15"), onDeadline.EffectiveEndDate);
        Assert.False(dayAfter.IsOnTime);
        Assert.Equal(Dates.Parse("2031-01-15"), dayAfter.EffectiveEndDate);
    }

    [Fact]
    public void Notice_on_time_for_a_direct_customer_is_late_under_a_90_day_partner_contract()
    {
        var direct = FileOn(Example, "2029-11-01");
        var throughPartner = FileOn(new SubscriptionBuilder().ThroughPartner(noticeDays: 90).Build(), "2029-11-01");

        Assert.True(direct.IsOnTime);
        Assert.False(throughPartner.IsOnTime);
    }

    [Fact]
    public void Partner_with_30_days_notice_accepts_a_notice_the_direct_deadline_would_refuse()
    {
        var subscription = new SubscriptionBuilder().ThroughPartner(noticeDays: 30).Build();

        var cancellation = FileOn(subscription, "2029-12-16");

        Assert.True(cancellation.IsOnTime);
        Assert.Equal(Dates.Parse("2030-01-15"), cancellation.EffectiveEndDate);
    }

    [Fact]
    public void Customer_of_a_partner_without_exclusivity_may_file_its_own_notice()
    {
        var subscription = new SubscriptionBuilder().ThroughPartner(noticeDays: 60, filedByPartnerOnly: false).Build();

        var cancellation = FileOn(subscription, "2029-11-16", NoticeFiler.Customer);

        Assert.True(cancellation.IsOnTime);
    }

    [Theory]
    [InlineData(NoticeFiler.Customer)]
    [InlineData(NoticeFiler.Advisor)]
    public void Partner_only_contract_refuses_a_notice_not_filed_by_the_partner(NoticeFiler filer)
    {
        var subscription = new SubscriptionBuilder().ThroughPartner(noticeDays: 90, filedByPartnerOnly: true, name: "Contoso").Build();

        var error = Refused.With(DomainErrors.NoticeMustComeFromPartner, () => FileOn(subscription, "2029-10-01", filer));

        Assert.Equal(["Contoso"], error.Arguments);
    }

    [Fact]
    public void Partner_only_contract_accepts_the_partners_notice()
    {
        var subscription = new SubscriptionBuilder().ThroughPartner(noticeDays: 90, filedByPartnerOnly: true).Build();

        var cancellation = FileOn(subscription, "2029-10-17", NoticeFiler.Partner);

        Assert.True(cancellation.IsOnTime);
        Assert.Equal(NoticeFiler.Partner, cancellation.Notice.FiledBy);
        Assert.Equal(Dates.Parse("2030-01-15"), cancellation.EffectiveEndDate);
    }

    [Fact]
    public void Partner_filing_on_a_direct_subscription_is_refused() =>
        Refused.With(DomainErrors.NoticeFromPartnerOnDirectSubscription, () => FileOn(Example, "2029-10-01", NoticeFiler.Partner));

    [Fact]
    public void Notice_received_before_day_one_is_refused()
    {
        var error = Refused.With(DomainErrors.NoticeBeforeStart, () => FileOn(Example, "2027-01-14", hour: 23, minute: 59));

        Assert.Equal([Dates.Parse("2027-01-14"), Dates.Parse("2027-01-15")], error.Arguments);
    }

    [Fact]
    public void Advisor_may_record_a_notice_for_a_direct_customer()
    {
        var notice = Notices.At(Dates.LocalTime(Example, Dates.Parse("2029-06-01"), 10), NoticeFiler.Advisor, NoticeChannel.Email);

        var cancellation = Cancellation.File(Example, RenewalPolicy.Default, notice);

        Assert.True(cancellation.IsOnTime);
        Assert.Equal(NoticeChannel.Email, cancellation.Notice.Channel);
    }

    [Fact]
    public void A_filed_notice_is_not_withdrawn()
    {
        var cancellation = FileOn(Example, "2029-11-16");

        Assert.False(cancellation.IsWithdrawn);
        Assert.Null(cancellation.WithdrawnAt);
    }

    [Fact]
    public void Notice_can_be_withdrawn_before_it_takes_effect()
    {
        var cancellation = FileOn(Example, "2029-11-16");
        var at = Dates.LocalTime(Example, Dates.Parse("2029-12-01"), 9);

        var withdrawn = cancellation.Withdraw(at);

        Assert.True(withdrawn.IsWithdrawn);
        Assert.Equal(at, withdrawn.WithdrawnAt);
        Assert.Equal(cancellation.EffectiveEndDate, withdrawn.EffectiveEndDate);
        Assert.Equal(cancellation.Notice, withdrawn.Notice);
        Assert.False(cancellation.IsWithdrawn);
    }

    [Fact]
    public void Notice_can_be_withdrawn_on_the_last_day_before_it_takes_effect()
    {
        var cancellation = FileOn(Example, "2029-11-16");

        var withdrawn = cancellation.Withdraw(Dates.LocalTime(Example, Dates.Parse("2030-01-14"), 23, 59));

        Assert.True(withdrawn.IsWithdrawn);
    }

    [Fact]
    public void Notice_cannot_be_withdrawn_on_the_day_it_takes_effect()
    {
        var cancellation = FileOn(Example, "2029-11-16");

        var error = Refused.With(DomainErrors.WithdrawalAfterEffect,
            () => cancellation.Withdraw(Dates.LocalTime(Example, Dates.Parse("2030-01-15"), 0, 0)));

        Assert.Equal([Dates.Parse("2030-01-15")], error.Arguments);
    }

    [Fact]
    public void Notice_cannot_be_withdrawn_after_it_took_effect()
    {
        var cancellation = FileOn(Example, "2029-11-16");

        Refused.With(DomainErrors.WithdrawalAfterEffect,
            () => cancellation.Withdraw(Dates.LocalTime(Example, Dates.Parse("2030-06-01"), 12)));
    }

    [Fact]
    public void Late_notice_can_still_be_withdrawn_during_the_following_term()
    {
        var late = FileOn(Example, "2029-12-01");

        var withdrawn = late.Withdraw(Dates.LocalTime(Example, Dates.Parse("2030-06-01"), 12));

        Assert.True(withdrawn.IsWithdrawn);
        Refused.With(DomainErrors.WithdrawalAfterEffect,
            () => late.Withdraw(Dates.LocalTime(Example, Dates.Parse("2031-01-15"), 12)));
    }

    [Fact]
    public void Notice_cannot_be_withdrawn_twice()
    {
        var withdrawn = FileOn(Example, "2029-11-16").Withdraw(Dates.LocalTime(Example, Dates.Parse("2029-12-01"), 9));

        Refused.With(DomainErrors.AlreadyWithdrawn,
            () => withdrawn.Withdraw(Dates.LocalTime(Example, Dates.Parse("2029-12-02"), 9)));
    }

    [Fact]
    public void Notice_cannot_be_withdrawn_before_it_was_received()
    {
        var cancellation = FileOn(Example, "2029-11-16");

        Refused.With(DomainErrors.WithdrawalBeforeNotice,
            () => cancellation.Withdraw(Dates.LocalTime(Example, Dates.Parse("2029-11-15"), 12)));
    }

    [Theory]
    [InlineData("2029-11-15", "2029-11-16", true)]
    [InlineData("2029-11-16", "2029-11-16", true)]
    [InlineData("2029-11-17", "2029-11-16", false)]
    public void A_notice_is_on_time_when_received_on_or_before_the_deadline(string received, string deadline, bool onTime) =>
        Assert.Equal(onTime, Cancellation.NoticeIsOnTime(Dates.Parse(received), Dates.Parse(deadline)));

    [Fact]
    public void With_one_day_notice_the_deadline_is_the_last_day_of_the_term_and_a_notice_that_day_ends_it()
    {
        var policy = new RenewalPolicy(noticeDays: 1);
        var deadline = RenewalTimeline.ForTerm(Example, policy, 1).Find(MilestoneKind.CancellationDeadline).Date;

        var cancellation = Cancellation.File(Example, policy, Notices.OnLocalDate(Example, deadline.ToString("yyyy-MM-dd", null)));

        Assert.Equal(Dates.Parse("2030-01-14"), deadline);
        Assert.Equal(Dates.Parse("2030-01-15"), cancellation.EffectiveEndDate);
    }

    [Fact]
    public void A_notice_period_of_zero_days_is_refused_because_its_deadline_would_fall_in_the_next_term()
    {
        Refused.With(DomainErrors.NoticeDays, () => new RenewalPolicy(noticeDays: 0));
    }
}
