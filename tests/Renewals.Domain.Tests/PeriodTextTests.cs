using System.Globalization;
using NodaTime;
using Renewals.Domain.Text;

namespace Renewals.Domain.Tests;

/// <summary>The one way a period is written: first and last day, both included, in each language.</summary>
public sealed class PeriodTextTests
{
    [Theory]
    [InlineData("2027-01-15", "2028-01-15", "fr", "du 15 janvier 2027 au 14 janvier 2028 inclus")]
    [InlineData("2027-01-15", "2028-01-15", "en", "from 15 January 2027 to 14 January 2028 inclusive")]
    [InlineData("2027-03-01", "2028-03-01", "fr", "du 1er mars 2027 au 29 février 2028 inclus")] // the last day is a 29 February
    [InlineData("2027-03-01", "2028-03-01", "en", "from 1 March 2027 to 29 February 2028 inclusive")]
    [InlineData("2028-02-29", "2029-02-28", "fr", "du 29 février 2028 au 27 février 2029 inclus")]
    [InlineData("2027-01-31", "2027-02-28", "en", "from 31 January 2027 to 27 February 2027 inclusive")]
    [InlineData("2027-12-31", "2028-01-01", "fr", "du 31 décembre 2027 au 31 décembre 2027 inclus")] // one day
    public void A_period_is_written_with_its_first_and_last_day(string start, string exclusiveEnd, string language, string expected)
    {
        Assert.Equal(expected, PeriodText.Format(Parse(start), Parse(exclusiveEnd), CultureInfo.GetCultureInfo(language)));
    }

    [Theory]
    [InlineData("2027-01-15", "2027-01-15")]
    [InlineData("2027-01-15", "2027-01-14")]
    public void A_period_that_does_not_end_after_it_starts_is_refused(string start, string exclusiveEnd)
    {
        Assert.Throws<ArgumentException>(() => PeriodText.Format(Parse(start), Parse(exclusiveEnd), CultureInfo.GetCultureInfo("en")));
    }

    private static LocalDate Parse(string iso) => NodaTime.Text.LocalDatePattern.Iso.Parse(iso).Value;
}
