using NodaTime;
using NodaTime.Text;
using Renewals.Domain.Cancellations;
using Renewals.Domain.Policies;
using Renewals.Domain.Subscriptions;

namespace Renewals.Domain.Tests;

/// <summary>Builds a valid subscription with sensible defaults; tests change only what matters to them.</summary>
internal sealed class SubscriptionBuilder
{
    private string _customer = "Acme";
    private LocalDate _start = new(2027, 1, 15);
    private int _years = 3;
    private DateTimeZone _zone = DateTimeZoneProviders.Tzdb["Europe/Paris"];
    private BillingMode _billing = BillingMode.Yearly;
    private PartnerContract? _partner;
    private bool _firstInFamily = true;
    private readonly Dictionary<int, int> _renewalYears = [];

    public SubscriptionBuilder Starting(int year, int month, int day) { _start = new LocalDate(year, month, day); return this; }

    public SubscriptionBuilder Starting(LocalDate start) { _start = start; return this; }

    public SubscriptionBuilder Starting(string isoDate) { _start = Dates.Parse(isoDate); return this; }

    public SubscriptionBuilder ForYears(int years) { _years = years; return this; }

    public SubscriptionBuilder InZone(string zoneId) { _zone = DateTimeZoneProviders.Tzdb[zoneId]; return this; }

    public SubscriptionBuilder BilledUpfront() { _billing = BillingMode.Upfront; return this; }

    public SubscriptionBuilder BilledWith(BillingMode billing) { _billing = billing; return this; }

    public SubscriptionBuilder ThroughPartner(int noticeDays, bool filedByPartnerOnly = false, string name = "Northwind Resellers")
    {
        _partner = new PartnerContract(name, noticeDays, filedByPartnerOnly);
        return this;
    }

    public SubscriptionBuilder WithPartner(PartnerContract? partner) { _partner = partner; return this; }

    public SubscriptionBuilder WithEarlierSubscriptionInFamily() { _firstInFamily = false; return this; }

    public SubscriptionBuilder For(string customer) { _customer = customer; return this; }

    /// <summary>Renewal term <paramref name="term"/> lasts <paramref name="years"/> (a confirmed amendment chose it).</summary>
    public SubscriptionBuilder RenewingFor(int term, int years) { _renewalYears[term] = years; return this; }

    public Subscription Build() => new(_customer, _start, _years, _zone, _billing, _partner, _firstInFamily, _renewalYears);

    /// <summary>The product.md example: 3 years from 2027-01-15, direct, yearly billing, Paris.</summary>
    public static Subscription ProductExample() => new SubscriptionBuilder().Build();
}

/// <summary>Short ways to write dates and instants in tests.</summary>
internal static class Dates
{
    public static LocalDate Parse(string isoDate) => LocalDatePattern.Iso.Parse(isoDate).GetValueOrThrow();

    /// <summary>An instant written as ISO UTC, e.g. "2029-11-16T23:30:00Z".</summary>
    public static Instant Utc(string isoInstant) => InstantPattern.General.Parse(isoInstant).GetValueOrThrow();

    /// <summary>The instant of a local date and time in the subscription's zone.</summary>
    public static Instant LocalTime(Subscription subscription, LocalDate date, int hour, int minute = 0) =>
        date.At(new LocalTime(hour, minute)).InZoneStrictly(subscription.TimeZone).ToInstant();
}

/// <summary>Builds valid written notices.</summary>
internal static class Notices
{
    /// <summary>SHA-256 of the empty document.</summary>
    public const string Hash = "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855";

    public static WrittenNotice At(Instant receivedAt, NoticeFiler filedBy = NoticeFiler.Customer, NoticeChannel channel = NoticeChannel.UploadedLetter) =>
        new(receivedAt, channel, "Jane Doe, CFO", Hash, filedBy);

    public static WrittenNotice AtUtc(string isoInstant, NoticeFiler filedBy = NoticeFiler.Customer) =>
        At(Dates.Utc(isoInstant), filedBy);

    /// <summary>A notice received at noon (or the given hour) of a local date of the customer's zone.</summary>
    public static WrittenNotice OnLocalDate(Subscription subscription, string isoDate, NoticeFiler filedBy = NoticeFiler.Customer, int hour = 12, int minute = 0) =>
        At(Dates.LocalTime(subscription, Dates.Parse(isoDate), hour, minute), filedBy);
}

/// <summary>Asserts that an action is refused by a domain rule, and by which one.</summary>
internal static class Refused
{
    public static DomainException With(string code, Action action)
    {
        var exception = Assert.Throws<DomainException>(action);
        Assert.Equal(code, exception.Code);
        return exception;
    }

    public static DomainException With(string code, Func<object?> func)
    {
        var exception = Assert.Throws<DomainException>(func);
        Assert.Equal(code, exception.Code);
        return exception;
    }
}
