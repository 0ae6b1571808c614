using System.Text.Json;

namespace Renewals.Cli.Tests;

public class TimelineCommandTests
{
    private static readonly string[] Example = ["timeline", "--start", "2027-01-15", "--term", "3"];

    [Fact]
    public async Task The_product_example_prints_its_key_dates_in_order()
    {
        var run = await CliRun.InProcess(Example);

        Assert.Equal(0, run.ExitCode);
        Assert.Empty(run.Error);
        var dates = IsoDates(run.Output);
        // Term 1: day one, check-in, yearly invoices, reminders, deadline, anniversary; then term 2.
        Assert.Equal(
            ["2027-01-15", "2027-04-15", "2028-01-15", "2029-01-15", "2029-09-17", "2029-11-16", "2029-11-16", "2030-01-15",
             "2030-09-17", "2030-11-16", "2030-11-16", "2031-01-15"],
            dates);
        Assert.Contains("Term 2 (renewal): from 15 January 2030 to 14 January 2031 inclusive", run.Output);
    }

    [Fact]
    public async Task Json_carries_the_same_dates_in_iso_format_with_kind_and_reason()
    {
        var run = await CliRun.InProcess([.. Example, "--format", "json", "--billing", "upfront"]);

        Assert.Equal(0, run.ExitCode);
        using var json = JsonDocument.Parse(run.Output);
        var terms = json.RootElement.GetProperty("terms");
        Assert.Equal(2, terms.GetArrayLength());
        var first = terms[0].GetProperty("milestones").EnumerateArray()
            .ToDictionary(m => m.GetProperty("key").GetString()!, m => m);
        Assert.Equal("2027-01-15", first["day-one"].GetProperty("date").GetString());
        Assert.Equal("2027-04-15", first["check-in"].GetProperty("date").GetString());
        Assert.Equal("2029-09-17", first["reminder-120"].GetProperty("date").GetString());
        Assert.Equal("2029-11-16", first["reminder-60"].GetProperty("date").GetString());
        Assert.Equal("2029-11-16", first["cancellation-deadline"].GetProperty("date").GetString());
        Assert.Equal("2030-01-15", first["anniversary"].GetProperty("date").GetString());
        Assert.Equal("cancellationDeadline", first["cancellation-deadline"].GetProperty("kind").GetString());
        Assert.Contains("60 days' notice", first["cancellation-deadline"].GetProperty("reason").GetString());
        Assert.True(first["check-in"].GetProperty("recommendedValidation").GetBoolean());
        Assert.Equal(6, first.Count); // upfront billing: no yearly invoices
        Assert.Equal("2030-01-15", terms[1].GetProperty("start").GetString());
        Assert.Equal("2031-01-15", terms[1].GetProperty("end").GetString());
    }

    [Fact]
    public async Task French_output_writes_reasons_and_dates_the_french_way()
    {
        var run = await CliRun.InProcess([.. Example, "--lang", "fr"]);

        Assert.Equal(0, run.ExitCode);
        Assert.Contains("Période 2 (renouvellement) : du 15 janvier 2030 au 14 janvier 2031 inclus", run.Output);
        Assert.Contains("Date limite de résiliation", run.Output);
        Assert.Contains("15 janvier 2030", run.Output);
        Assert.DoesNotContain("January", run.Output);
    }

    [Fact]
    public async Task A_partner_contract_with_90_days_notice_moves_the_deadline()
    {
        var run = await CliRun.InProcess(
            [.. Example, "--partner", "Northwind", "--partner-notice-days", "90", "--partner-only", "--format", "json"]);

        Assert.Equal(0, run.ExitCode);
        using var json = JsonDocument.Parse(run.Output);
        var deadline = json.RootElement.GetProperty("terms")[0].GetProperty("milestones").EnumerateArray()
            .Single(m => m.GetProperty("key").GetString() == "cancellation-deadline");
        Assert.Equal("2029-10-17", deadline.GetProperty("date").GetString());
        Assert.Contains("Northwind", deadline.GetProperty("reason").GetString());
        Assert.True(json.RootElement.GetProperty("partner").GetProperty("cancellationFiledByPartnerOnly").GetBoolean());
    }

    [Fact]
    public async Task Each_milestone_falls_due_at_the_start_of_its_local_date_in_the_customers_zone()
    {
        var run = await CliRun.InProcess(
            ["timeline", "--start", "2028-02-29", "--term", "1", "--time-zone", "Pacific/Auckland", "--format", "json"]);

        Assert.Equal(0, run.ExitCode);
        using var json = JsonDocument.Parse(run.Output);
        var milestones = json.RootElement.GetProperty("terms")[0].GetProperty("milestones").EnumerateArray().ToList();
        var dayOne = milestones.Single(m => m.GetProperty("key").GetString() == "day-one");
        // Midnight on 29 February in Auckland (UTC+13 in summer) is still 28 February in UTC.
        Assert.Equal("2028-02-28T11:00:00Z", dayOne.GetProperty("dueAt").GetString());
        var anniversary = milestones.Single(m => m.GetProperty("key").GetString() == "anniversary");
        Assert.Equal("2029-02-28", anniversary.GetProperty("date").GetString());
    }

    [Theory]
    [InlineData("en", "error: --start expects a date", "--start", "2027-02-30", "--term", "3")]
    [InlineData("fr", "erreur : --start attend une date", "--start", "2027-02-30", "--term", "3")]
    [InlineData("en", "error: The initial term must be 1, 2 or 3 years, not 4.", "--start", "2027-01-15", "--term", "4")]
    [InlineData("fr", "erreur : La durée initiale doit être de 1, 2 ou 3 ans, et non de 4.", "--start", "2027-01-15", "--term", "4")]
    [InlineData("en", "error: unknown time zone 'Mars/Olympus'", "--start", "2027-01-15", "--term", "1", "--time-zone", "Mars/Olympus")]
    [InlineData("fr", "erreur : fuseau horaire « Mars/Olympus » inconnu", "--start", "2027-01-15", "--term", "1", "--time-zone", "Mars/Olympus")]
    [InlineData("en", "error: --term is required.", "--start", "2027-01-15")]
    [InlineData("fr", "erreur : --start est obligatoire.", "--term", "2")]
    [InlineData("en", "error: A reminder must fall between 1 and 364 days", "--start", "2027-01-15", "--term", "1", "--reminders", "120,-5")]
    [InlineData("en", "error: --reminders expects whole numbers", "--start", "2027-01-15", "--term", "1", "--reminders", "120;60")]
    [InlineData("fr", "erreur : Le préavis doit être compris entre 1 et 364 jours", "--start", "2027-01-15", "--term", "1", "--notice-days", "400")]
    [InlineData("en", "error: --partner-notice-days and --partner-only describe a partner contract", "--start", "2027-01-15", "--term", "1", "--partner-notice-days", "90")]
    [InlineData("en", "error: --term expects a whole number; 'three' is not one.", "--start", "2027-01-15", "--term", "three")]
    public async Task Bad_arguments_give_a_one_line_error_in_the_chosen_language_and_exit_code_2(string lang, string expected, params string[] args)
    {
        var run = await CliRun.InProcess(["timeline", "--lang", lang, .. args]);

        Assert.Equal(2, run.ExitCode);
        Assert.Empty(run.Output);
        var line = Assert.Single(run.Error.Split('\n', StringSplitOptions.RemoveEmptyEntries));
        Assert.StartsWith(expected, line);
    }

    [Fact]
    public async Task An_unknown_language_is_refused()
    {
        var run = await CliRun.InProcess([.. Example, "--lang", "de"]);

        Assert.Equal(2, run.ExitCode);
        Assert.Equal("error: unknown language 'de'; choose one of: en, fr.", run.Error.Trim());
    }

    [Fact]
    public async Task The_built_program_prints_the_example_and_exits_2_on_bad_input()
    {
        var good = await CliRun.AsProcess(Example);
        var bad = await CliRun.AsProcess("timeline", "--start", "15/01/2027", "--term", "3", "--lang", "fr");

        Assert.Equal(0, good.ExitCode);
        Assert.Contains("2029-09-17", good.Output);
        Assert.Equal(2, bad.ExitCode);
        Assert.StartsWith("erreur : --start attend une date", bad.Error);
    }

    private static List<string> IsoDates(string output) =>
        [.. output.Split('\n')
            .Select(line => line.TrimStart('│', ' '))
            .Where(line => line.Length >= 10 && System.Text.RegularExpressions.Regex.IsMatch(line[..10], @"^\d{4}-\d{2}-\d{2}$"))
            .Select(line => line[..10])];
}
