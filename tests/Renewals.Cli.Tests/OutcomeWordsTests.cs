using System.Globalization;
using Renewals.Cli.Text;
using Renewals.Core.Planning;
using Renewals.Core.Tasks;

namespace Renewals.Cli.Tests;

/// <summary>Every task kind and milestone outcome is shown in words, in English and in French, never as its stored code.</summary>
public sealed class OutcomeWordsTests
{
    public static TheoryData<string> Keys()
    {
        var keys = new TheoryData<string>();
        foreach (var kind in TaskKinds.All)
        {
            keys.Add($"TaskKind.{kind}");
        }

        foreach (var outcome in MilestoneOutcomes.All)
        {
            keys.Add($"Outcome.{outcome}");
        }

        return keys;
    }

    [Theory]
    [MemberData(nameof(Keys))]
    public void Each_code_has_its_own_words_in_english_and_in_french(string key)
    {
        var english = new CliText(CultureInfo.GetCultureInfo("en"))[key];
        var french = new CliText(CultureInfo.GetCultureInfo("fr"))[key];
        var code = key[(key.IndexOf('.', StringComparison.Ordinal) + 1)..];

        // Codes join words with '-' and prefix skips with "skipped:"; words do neither.
        Assert.NotEqual(english, french);
        Assert.True(english.IndexOfAny([':', '-']) < 0 && french.IndexOfAny([':', '-']) < 0, $"{code}: '{english}' / '{french}'");
    }

    [Fact]
    public void The_lists_hold_the_codes_the_engine_stores()
    {
        Assert.Equal(["schedule-review-meeting", "purchase-order-missing"], TaskKinds.All);
        Assert.Contains("skipped:before-import", MilestoneOutcomes.All);
        Assert.Contains("reminded", MilestoneOutcomes.All);
        Assert.Equal(15, MilestoneOutcomes.All.Distinct().Count());
    }
}
