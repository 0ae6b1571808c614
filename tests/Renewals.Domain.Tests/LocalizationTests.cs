using System.Globalization;
using System.Reflection;
using Renewals.Domain.Cancellations;
using Renewals.Domain.Policies;
using Renewals.Domain.Subscriptions;
using Renewals.Domain.Text;
using Renewals.Domain.Timeline;

namespace Renewals.Domain.Tests;

/// <summary>Texts in French and English, with dates written the way each language writes them.</summary>
public sealed class LocalizationTests
{
    private static readonly CultureInfo French = new("fr");
    private static readonly CultureInfo English = new("en");
    private static readonly Subscription Example = SubscriptionBuilder.ProductExample();
    private static readonly TermTimeline Term1 = RenewalTimeline.ForTerm(Example, RenewalPolicy.Default, 1);

    public static TheoryData<string> ErrorCodes =>
        [.. typeof(DomainErrors).GetFields(BindingFlags.Public | BindingFlags.Static)
            .Where(f => f.IsLiteral)
            .Select(f => (string)f.GetRawConstantValue()!)];

    public static TheoryData<MilestoneKind> Kinds => [.. Enum.GetValues<MilestoneKind>()];

    [Fact]
    public void Reminder_reason_in_french_writes_the_renewal_date_the_french_way() =>
        Assert.Equal(
            "Le renouvellement a lieu dans 120 jours, le 15 janvier 2030\u00A0: un rappel avec les démarches à effectuer.",
            Term1.Find(MilestoneKind.Reminder, 120).Describe(French));

    [Fact]
    public void Reminder_reason_in_english_writes_the_renewal_date_the_english_way() =>
        Assert.Equal(
            "Renewal is due in 120 days, on 15 January 2030: a reminder with the steps to take.",
            Term1.Find(MilestoneKind.Reminder, 120).Describe(English));

    [Fact]
    public void Deadline_reason_in_french_gives_the_notice_days_and_the_renewal_date() =>
        Assert.Equal(
            "Dernier jour pour résilier par écrit\u00A0: préavis de 60 jours avant le renouvellement du 15 janvier 2030.",
            Term1.Find(MilestoneKind.CancellationDeadline).Describe(French));

    [Fact]
    public void Deadline_reason_in_english_gives_the_notice_days_and_the_renewal_date() =>
        Assert.Equal(
            "Last day to cancel in writing: 60 days' notice before the renewal on 15 January 2030.",
            Term1.Find(MilestoneKind.CancellationDeadline).Describe(English));

    [Fact]
    public void Partner_deadline_reason_in_french_names_the_partner()
    {
        var subscription = new SubscriptionBuilder().ThroughPartner(90, name: "Contoso").Build();

        var text = RenewalTimeline.ForTerm(subscription, RenewalPolicy.Default, 1).Find(MilestoneKind.CancellationDeadline).Describe(French);

        Assert.Equal(
            "Dernier jour pour résilier par écrit\u00A0: préavis de 90 jours prévu par le contrat avec Contoso, avant le renouvellement du 15 janvier 2030.",
            text);
    }

    [Fact]
    public void Anniversary_reason_in_french_gives_the_end_of_the_next_term() =>
        Assert.Equal(
            "L'abonnement est prolongé de 12 mois, jusqu'au 14 janvier 2031 inclus\u00A0; les licences sont prolongées ou mises à disposition dans l'espace client, et la facture part au service comptabilité fournisseurs.",
            Term1.Find(MilestoneKind.Anniversary).Describe(French));

    [Fact]
    public void Anniversary_reason_in_english_gives_the_end_of_the_next_term() =>
        Assert.Equal(
            "The subscription renews for 12 more months, up to and including 14 January 2031; licences are extended or made available in the web account, and the invoice goes to accounts payable.",
            Term1.Find(MilestoneKind.Anniversary).Describe(English));

    [Fact]
    public void Regional_french_culture_falls_back_to_french_texts() =>
        Assert.Equal(
            Term1.Find(MilestoneKind.Reminder, 60).Describe(French),
            Term1.Find(MilestoneKind.Reminder, 60).Describe(new CultureInfo("fr-FR")));

    [Fact]
    public void Regional_english_culture_writes_day_month_year_as_well() =>
        Assert.Equal(
            "Renewal is due in 60 days, on 15 January 2030: a reminder with the steps to take.",
            Term1.Find(MilestoneKind.Reminder, 60).Describe(new CultureInfo("en-US")));

    [Fact]
    public void Milestone_titles_are_translated()
    {
        Assert.Equal("Rappel à 120 jours du renouvellement", Term1.Find(MilestoneKind.Reminder, 120).Title(French));
        Assert.Equal("Reminder, 120 days before renewal", Term1.Find(MilestoneKind.Reminder, 120).Title(English));
        Assert.Equal("Facture de l'année 2", Term1.Find(MilestoneKind.YearlyInvoice, 2).Title(French));
        Assert.Equal("Invoice for year 3", Term1.Find(MilestoneKind.YearlyInvoice, 3).Title(English));
    }

    [Theory]
    [InlineData("2030-01-15", "15 janvier 2030", "15 January 2030")]
    [InlineData("2030-02-28", "28 février 2030", "28 February 2030")]
    [InlineData("2028-02-29", "29 février 2028", "29 February 2028")]
    [InlineData("2030-08-15", "15 août 2030", "15 August 2030")]
    [InlineData("2030-12-31", "31 décembre 2030", "31 December 2030")]
    public void Long_dates_are_written_day_month_year_in_each_language(string date, string french, string english)
    {
        Assert.Equal(french, DomainText.LongDate(Dates.Parse(date), French));
        Assert.Equal(english, DomainText.LongDate(Dates.Parse(date), English));
    }

    [Fact]
    public void French_dates_write_the_first_of_the_month_as_1er()
    {
        // French writes "le 1er mars", never "le 1 mars" (English "1 March" is unaffected).
        Assert.Equal("1er mars 2031", DomainText.LongDate(Dates.Parse("2031-03-01"), French));
        Assert.Equal("1 March 2031", DomainText.LongDate(Dates.Parse("2031-03-01"), English));
    }

    [Fact]
    public void Domain_exception_describes_itself_in_french()
    {
        var error = Refused.With(DomainErrors.InitialTermYears, () => new SubscriptionBuilder().ForYears(4).Build());

        Assert.Equal("La durée initiale doit être de 1, 2 ou 3 ans, et non de 4.", error.Describe(French));
        Assert.Equal("The initial term must be 1, 2 or 3 years, not 4.", error.Describe(English));
    }

    [Fact]
    public void Domain_exception_message_is_in_english() =>
        Assert.Equal(
            "The initial term must be 1, 2 or 3 years, not 0.",
            Refused.With(DomainErrors.InitialTermYears, () => new SubscriptionBuilder().ForYears(0).Build()).Message);

    [Fact]
    public void Domain_exception_writes_its_dates_the_french_way()
    {
        var cancellation = Cancellation.File(Example, RenewalPolicy.Default, Notices.OnLocalDate(Example, "2029-11-16"));
        var error = Refused.With(DomainErrors.WithdrawalAfterEffect,
            () => cancellation.Withdraw(Dates.Utc("2030-02-01T12:00:00Z")));

        Assert.Equal("La résiliation a pris effet le 15 janvier 2030\u00A0; elle ne peut plus être retirée.", error.Describe(French));
        Assert.Equal("The cancellation took effect on 15 January 2030; it can no longer be withdrawn.", error.Describe(English));
    }

    [Fact]
    public void Partner_only_refusal_in_french_names_the_partner()
    {
        var subscription = new SubscriptionBuilder().ThroughPartner(60, filedByPartnerOnly: true, name: "Contoso").Build();

        var error = Refused.With(DomainErrors.NoticeMustComeFromPartner,
            () => Cancellation.File(subscription, RenewalPolicy.Default, Notices.OnLocalDate(subscription, "2029-06-01")));

        Assert.Equal("Selon le contrat partenaire, seul Contoso peut déposer la résiliation de cet abonnement.", error.Describe(French));
    }

    [Theory]
    [MemberData(nameof(ErrorCodes))]
    public void Every_error_has_a_french_text_that_differs_from_the_english_one(string code)
    {
        var french = DomainText.Get(code, French);
        var english = DomainText.Get(code, English);

        Assert.False(string.IsNullOrWhiteSpace(french));
        Assert.False(string.IsNullOrWhiteSpace(english));
        Assert.NotEqual(english, french);
    }

    [Theory]
    [MemberData(nameof(Kinds))]
    public void Every_milestone_kind_has_a_title_in_both_languages(MilestoneKind kind)
    {
        var key = $"Milestone.{kind}";

        Assert.NotEqual(DomainText.Get(key, English), DomainText.Get(key, French));
    }

    [Fact]
    public void Every_milestone_of_a_partner_subscription_describes_itself_in_both_languages()
    {
        var subscription = new SubscriptionBuilder().ThroughPartner(90, filedByPartnerOnly: true).Build();
        var milestones = RenewalTimeline.ForTerms(subscription, RenewalPolicy.Default, 2).SelectMany(t => t.Milestones);

        Assert.All(milestones, m =>
        {
            Assert.NotEqual(m.Describe(English), m.Describe(French));
            Assert.DoesNotContain("{", m.Describe(French), StringComparison.Ordinal);
            Assert.DoesNotContain("{", m.Describe(English), StringComparison.Ordinal);
        });
    }
}
