using NodaTime;
using Renewals.Domain.Cancellations;
using Renewals.Domain.Policies;
using Renewals.Domain.Subscriptions;

namespace Renewals.Domain.Tests;

/// <summary>Invalid input is refused with a DomainException naming the rule; valid limits are accepted.</summary>
public sealed class PolicyValidationTests
{
    private static readonly DateTimeZone Paris = DateTimeZoneProviders.Tzdb["Europe/Paris"];
    private static readonly Instant Received = Dates.Utc("2029-11-01T10:00:00Z");

    [Theory]
    [InlineData(0)]
    [InlineData(4)]
    [InlineData(-1)]
    [InlineData(5)]
    public void Initial_term_outside_one_to_three_years_is_refused(int years)
    {
        var error = Refused.With(DomainErrors.InitialTermYears, () => new SubscriptionBuilder().ForYears(years).Build());

        Assert.Equal([years], error.Arguments);
    }

    [Theory]
    [InlineData(1)]
    [InlineData(2)]
    [InlineData(3)]
    public void Initial_term_of_one_two_or_three_years_is_accepted(int years) =>
        Assert.Equal(years, new SubscriptionBuilder().ForYears(years).Build().InitialTermYears);

    [Theory]
    [InlineData("")]
    [InlineData("   ")]
    public void Subscription_without_a_customer_is_refused(string customer) =>
        Refused.With(DomainErrors.CustomerRequired, () => new SubscriptionBuilder().For(customer).Build());

    [Fact]
    public void Subscription_with_an_unknown_billing_mode_is_refused() =>
        Refused.With(DomainErrors.BillingModeUnknown, () => new SubscriptionBuilder().BilledWith((BillingMode)7).Build());

    [Theory]
    [InlineData(0)]
    [InlineData(-1)]
    [InlineData(-90)]
    [InlineData(365)]
    public void Check_in_offset_outside_one_to_364_days_is_refused(int days)
    {
        var error = Refused.With(DomainErrors.CheckInOffset, () => new RenewalPolicy(checkInDays: days));

        Assert.Equal([days, RenewalPolicy.MaxOffsetDays], error.Arguments);
    }

    [Theory]
    [InlineData(1)]
    [InlineData(364)]
    public void Check_in_offset_at_the_limits_is_accepted(int days) =>
        Assert.Equal(days, new RenewalPolicy(checkInDays: days).CheckInDays);

    [Theory]
    [InlineData(0)]
    [InlineData(-1)]
    [InlineData(-60)]
    [InlineData(365)]
    public void Reminder_offset_outside_one_to_364_days_is_refused(int days)
    {
        var error = Refused.With(DomainErrors.ReminderOffset, () => new RenewalPolicy(reminderDays: [120, days]));

        Assert.Equal([days, RenewalPolicy.MaxOffsetDays], error.Arguments);
    }

    [Fact]
    public void Reminder_offsets_at_the_limits_are_accepted() =>
        Assert.Equal(new[] { 364, 1 }, new RenewalPolicy(reminderDays: [1, 364]).ReminderDays);

    [Fact]
    public void Repeated_reminder_offsets_are_refused() =>
        Refused.With(DomainErrors.ReminderOffsetsRepeated, () => new RenewalPolicy(reminderDays: [120, 60, 120]));

    [Theory]
    [InlineData(0)]
    [InlineData(-1)]
    [InlineData(-60)]
    [InlineData(365)]
    [InlineData(400)]
    public void Policy_notice_days_below_one_day_or_longer_than_a_12_month_term_are_refused(int days)
    {
        var error = Refused.With(DomainErrors.NoticeDays, () => new RenewalPolicy(noticeDays: days));

        Assert.Equal([days, RenewalPolicy.MaxOffsetDays], error.Arguments);
    }

    [Theory]
    [InlineData(1)]
    [InlineData(364)]
    public void Policy_notice_days_at_the_limits_are_accepted(int days) =>
        Assert.Equal(days, new RenewalPolicy(noticeDays: days).NoticeDays);

    [Theory]
    [InlineData(0)]
    [InlineData(-1)]
    [InlineData(365)]
    public void Partner_notice_days_below_one_day_or_longer_than_a_12_month_term_are_refused(int days) =>
        Refused.With(DomainErrors.NoticeDays, () => new PartnerContract("Contoso", days));

    [Theory]
    [InlineData(1)]
    [InlineData(364)]
    public void Partner_notice_days_at_the_limits_are_accepted(int days) =>
        Assert.Equal(days, new PartnerContract("Contoso", days).NoticeDays);

    [Theory]
    [InlineData("")]
    [InlineData(" ")]
    public void Partner_contract_without_a_partner_name_is_refused(string name) =>
        Refused.With(DomainErrors.PartnerRequired, () => new PartnerContract(name, 60));

    [Fact]
    public void Default_policy_is_a_90_day_check_in_reminders_at_120_and_60_days_and_60_days_notice()
    {
        var policy = RenewalPolicy.Default;

        Assert.Equal(90, policy.CheckInDays);
        Assert.Equal(new[] { 120, 60 }, policy.ReminderDays);
        Assert.Equal(60, policy.NoticeDays);
    }

    [Fact]
    public void Reminder_offsets_are_kept_farthest_first() =>
        Assert.Equal(new[] { 90, 30, 7 }, new RenewalPolicy(reminderDays: [30, 7, 90]).ReminderDays);

    [Fact]
    public void Policies_with_the_same_offsets_in_another_order_are_equal()
    {
        var a = new RenewalPolicy(reminderDays: [60, 120]);

        Assert.Equal(RenewalPolicy.Default, a);
        Assert.Equal(RenewalPolicy.Default.GetHashCode(), a.GetHashCode());
        Assert.NotEqual(RenewalPolicy.Default, new RenewalPolicy(reminderDays: [120, 30]));
        Assert.NotEqual(RenewalPolicy.Default, new RenewalPolicy(noticeDays: 30));
        Assert.NotEqual(RenewalPolicy.Default, new RenewalPolicy(checkInDays: 30));
    }

    [Theory]
    [InlineData("")]
    [InlineData("   ")]
    public void Written_notice_without_a_signer_is_refused(string signer) =>
        Refused.With(DomainErrors.NoticeSignerRequired,
            () => new WrittenNotice(Received, NoticeChannel.PostalLetter, signer, Notices.Hash, NoticeFiler.Advisor));

    [Theory]
    [InlineData("")]
    [InlineData("e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b85")]
    [InlineData("e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b8555")]
    [InlineData("g3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855")]
    [InlineData("e3b0c442 8fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855")]
    [InlineData("not a hash")]
    public void Written_notice_with_a_bad_document_hash_is_refused(string hash) =>
        Refused.With(DomainErrors.NoticeDocumentHash,
            () => new WrittenNotice(Received, NoticeChannel.UploadedLetter, "Jane Doe", hash, NoticeFiler.Customer));

    [Fact]
    public void Written_notice_without_a_document_hash_is_refused() =>
        Refused.With(DomainErrors.NoticeDocumentHash,
            () => new WrittenNotice(Received, NoticeChannel.UploadedLetter, "Jane Doe", null!, NoticeFiler.Customer));

    [Fact]
    public void Written_notice_with_an_unknown_channel_is_refused() =>
        Refused.With(DomainErrors.NoticeChannelUnknown,
            () => new WrittenNotice(Received, (NoticeChannel)42, "Jane Doe", Notices.Hash, NoticeFiler.Customer));

    [Fact]
    public void Written_notice_with_an_unknown_filer_is_refused() =>
        Refused.With(DomainErrors.NoticeFilerUnknown,
            () => new WrittenNotice(Received, NoticeChannel.Email, "Jane Doe", Notices.Hash, (NoticeFiler)42));

    [Fact]
    public void Written_notice_keeps_the_hash_in_lower_case_and_the_signer_trimmed()
    {
        var notice = new WrittenNotice(Received, NoticeChannel.Email, "  Jane Doe ", Notices.Hash.ToUpperInvariant(), NoticeFiler.Advisor);

        Assert.Equal(Notices.Hash, notice.DocumentSha256);
        Assert.Equal("Jane Doe", notice.SignedBy);
        Assert.Equal(Received, notice.ReceivedAt);
        Assert.Equal(NoticeChannel.Email, notice.Channel);
        Assert.Equal(NoticeFiler.Advisor, notice.FiledBy);
    }

    [Fact]
    public void Notice_before_the_start_is_refused()
    {
        var subscription = SubscriptionBuilder.ProductExample();

        Refused.With(DomainErrors.NoticeBeforeStart,
            () => Cancellation.File(subscription, RenewalPolicy.Default, Notices.AtUtc("2026-12-01T12:00:00Z")));
    }

    [Fact]
    public void Withdrawal_after_the_end_is_refused()
    {
        var cancellation = Cancellation.File(SubscriptionBuilder.ProductExample(), RenewalPolicy.Default, Notices.At(Received));

        Refused.With(DomainErrors.WithdrawalAfterEffect, () => cancellation.Withdraw(Dates.Utc("2030-02-01T12:00:00Z")));
    }

    [Fact]
    public void Date_before_the_start_has_no_term() =>
        Refused.With(DomainErrors.DateBeforeStart, () => SubscriptionBuilder.ProductExample().TermContaining(Dates.Parse("2026-12-31")));
}
