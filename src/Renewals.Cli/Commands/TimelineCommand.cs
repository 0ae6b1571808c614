using System.CommandLine;
using System.Text.Json;
using System.Text.Json.Serialization;
using NodaTime;
using NodaTime.Serialization.SystemTextJson;
using Renewals.Cli.Text;
using Renewals.Domain.Policies;
using Renewals.Domain.Subscriptions;
using Renewals.Domain.Text;
using Renewals.Domain.Timeline;
using Spectre.Console;

namespace Renewals.Cli.Commands;

/// <summary><c>renewals timeline</c>: the key dates of a subscription's first terms.</summary>
internal static class TimelineCommand
{
    private static readonly JsonSerializerOptions Json = new JsonSerializerOptions(JsonSerializerDefaults.Web)
    {
        WriteIndented = true,
        Converters = { new JsonStringEnumConverter(JsonNamingPolicy.CamelCase) },
        Encoder = System.Text.Encodings.Web.JavaScriptEncoder.UnsafeRelaxedJsonEscaping,
    }.ConfigureForNodaTime(DateTimeZoneProviders.Tzdb);

    public static Command Create(CliText text, IAnsiConsole console, Func<DateTimeZone> vendorZone)
    {
        var start = CommonOptions.Date("--start", text["Timeline.Start"], text);
        var term = CommonOptions.Number("--term", text["Timeline.Term"], text);
        var terms = CommonOptions.Number("--terms", text["Timeline.Terms"], text, defaultValue: 2);
        // Without --time-zone, the vendor's (the seller's setting), read once the host is built.
        var zone = CommonOptions.TimeZone(text);
        var billing = new Option<string>("--billing") { Description = text["Timeline.Billing"], DefaultValueFactory = _ => "yearly" };
        billing.AcceptOnlyFromAmong("yearly", "upfront");
        var checkIn = CommonOptions.Number("--check-in-days", text["Timeline.CheckIn"], text, RenewalPolicy.Default.CheckInDays);
        var reminders = CommonOptions.DayList("--reminders", text["Timeline.Reminders"], text, [.. RenewalPolicy.Default.ReminderDays]);
        var noticeDays = CommonOptions.Number("--notice-days", text["Timeline.NoticeDays"], text, RenewalPolicy.Default.NoticeDays);
        var partner = new Option<string>("--partner") { Description = text["Timeline.Partner"], HelpName = "name" };
        var partnerNotice = CommonOptions.Number("--partner-notice-days", text["Timeline.PartnerNoticeDays"], text);
        var partnerOnly = new Option<bool>("--partner-only") { Description = text["Timeline.PartnerOnly"] };
        var earlier = new Option<bool>("--earlier-in-family") { Description = text["Timeline.EarlierInFamily"] };
        var format = new Option<string>("--format") { Description = text["Option.Format"], DefaultValueFactory = _ => "table" };
        format.AcceptOnlyFromAmong("table", "json");

        var command = new Command("timeline", text["Timeline.Description"])
        {
            start, term, terms, zone, billing, checkIn, reminders, noticeDays, partner, partnerNotice, partnerOnly, earlier, format,
        };

        CommonOptions.Require(command, text, start, term);

        command.SetAction(parse =>
        {
            var partnerName = parse.GetValue(partner);
            var partnerGiven = parse.GetResult(partnerNotice) is { Implicit: false } || parse.GetValue(partnerOnly);
            if (partnerGiven && string.IsNullOrWhiteSpace(partnerName))
            {
                throw new UsageException(text["Error.PartnerNameMissing"]);
            }

            var policy = new RenewalPolicy(parse.GetValue(checkIn), parse.GetValue(reminders), parse.GetValue(noticeDays));
            var contract = string.IsNullOrWhiteSpace(partnerName)
                ? null
                : new PartnerContract(partnerName, parse.GetResult(partnerNotice) is { Implicit: false } ? parse.GetValue(partnerNotice) : policy.NoticeDays, parse.GetValue(partnerOnly));
            var subscription = new Subscription(
                customer: "-",
                parse.GetValue(start),
                parse.GetValue(term),
                parse.GetValue(zone) ?? vendorZone(),
                parse.GetValue(billing) == "upfront" ? BillingMode.Upfront : BillingMode.Yearly,
                contract,
                isFirstInProductFamily: !parse.GetValue(earlier));

            var count = parse.GetValue(terms);
            if (count is < 1 or > 50)
            {
                throw new UsageException(text.Format("Error.TermsCount", count));
            }

            var timelines = RenewalTimeline.ForTerms(subscription, policy, count);
            if (parse.GetValue(format) == "json")
            {
                parse.InvocationConfiguration.Output.WriteLine(JsonSerializer.Serialize(ToJson(subscription, timelines, text), Json));
            }
            else
            {
                WriteTables(console, subscription, timelines, text);
            }

            return RenewalsCli.Ok;
        });
        return command;
    }

    private static void WriteTables(IAnsiConsole console, Subscription subscription, IReadOnlyList<TermTimeline> timelines, CliText text)
    {
        var culture = text.Culture;
        var channel = subscription.Partner is { } p ? text.Format("Timeline.ViaPartner", p.Partner) : text["Timeline.Direct"];
        console.MarkupLine(Markup.Escape(text.Format("Timeline.Heading",
            subscription.InitialTermYears, DomainText.LongDate(subscription.Start, culture), subscription.TimeZone.Id, channel)));

        foreach (var timeline in timelines)
        {
            console.WriteLine();
            console.Write(new Rule(Markup.Escape(text.Format(timeline.Term.IsInitial ? "Timeline.InitialTerm" : "Timeline.RenewalTerm",
                timeline.Term.Number, PeriodText.Format(timeline.Term.Start, timeline.Term.End, culture)))).LeftJustified());

            var table = new Table().Border(TableBorder.Rounded);
            table.AddColumn(new TableColumn(text["Timeline.Column.Date"]).NoWrap());
            table.AddColumn(new TableColumn(text["Timeline.Column.Milestone"]).NoWrap());
            table.AddColumn(new TableColumn(text["Timeline.Column.Reason"]));
            foreach (var milestone in timeline.Milestones)
            {
                table.AddRow(
                    Markup.Escape(Iso(milestone.Date)),
                    Markup.Escape(milestone.Title(culture)),
                    Markup.Escape(milestone.Describe(culture)));
            }

            console.Write(table);
        }
    }

    private static TimelineJson ToJson(Subscription subscription, IReadOnlyList<TermTimeline> timelines, CliText text) => new(
        subscription.Start,
        subscription.InitialTermYears,
        subscription.TimeZone.Id,
        subscription.Billing,
        subscription.Partner is { } p ? new PartnerJson(p.Partner, p.NoticeDays, p.CancellationFiledByPartnerOnly) : null,
        text.Culture.Name,
        [.. timelines.Select(t => new TermJson(
            t.Term.Number,
            t.Term.Start,
            t.Term.End,
            [.. t.Milestones.Select(m => new MilestoneJson(
                m.Key,
                m.Kind,
                m.Date,
                m.FallsDueAt(subscription.TimeZone),
                m.Title(text.Culture),
                m.Describe(text.Culture),
                m.RecommendedValidation))]))]);

    private static string Iso(LocalDate date) => NodaTime.Text.LocalDatePattern.Iso.Format(date);

    private sealed record TimelineJson(
        LocalDate Start, int InitialTermYears, string TimeZone, BillingMode Billing, PartnerJson? Partner, string Language, IReadOnlyList<TermJson> Terms);

    private sealed record PartnerJson(string Name, int NoticeDays, bool CancellationFiledByPartnerOnly);

    private sealed record TermJson(int Number, LocalDate Start, LocalDate End, IReadOnlyList<MilestoneJson> Milestones);

    private sealed record MilestoneJson(
        string Key, MilestoneKind Kind, LocalDate Date, Instant DueAt, string Title, string Reason, bool RecommendedValidation);
}
