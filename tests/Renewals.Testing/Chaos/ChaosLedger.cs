using System.Globalization;
using System.Text;
using Microsoft.EntityFrameworkCore;
using NodaTime;
using Renewals.Data;
using Renewals.Data.Model;
using Renewals.Domain.Invoicing;

namespace Renewals.Testing.Chaos;

/// <summary>What the chaos run did to the system, as counted by the harness.</summary>
public sealed record ChaosRunFacts(
    int Subscriptions, int KillsPlanned, int Kills, int Steps, int Days, int EngineRuns, int WebStarts, int CrashRestarts,
    IReadOnlyList<Fault> Faults, bool Drained, double ChaosSeconds, double CleanSeconds, double LoadMax, double LoadMean,
    int SessionsLeft, int IdleInTransaction, string Folder);

/// <summary>Rows of one kind the clean run has and the chaos run lacks (Missing), or the other way round (Extra).</summary>
public sealed record Difference(string Kind, int Expected, int Actual, int Missing, int Extra, IReadOnlyList<string> Examples);

/// <summary>
/// The chaos run's ledger: the chaos database, the SMTP sink and the webhook receiver against the
/// clean run of the same book. <see cref="Problems"/> is empty when nothing was lost, nothing done
/// twice, every duplicate delivery explained by a fault, the numbering gapless and nothing stuck.
/// </summary>
public sealed class ChaosLedger
{
    private readonly List<string> _problems = [];

    private ChaosLedger(ChaosRunFacts run) => Run = run;

    public ChaosRunFacts Run { get; }

    public string Folder => Run.Folder;

    public IReadOnlyList<Difference> Differences { get; private set; } = [];

    public int MilestonesCarriedOut { get; private set; }

    public int MilestonesTwice { get; private set; }

    public int MilestonesStillDue { get; private set; }

    public int MessagesWritten { get; private set; }

    public int MessagesSent { get; private set; }

    public int MessagesDiscarded { get; private set; }

    public int MessagesDeadLettered { get; private set; }

    public int MessagesPending { get; private set; }

    /// <summary>Recorded as sent, yet the sink never accepted its Message-ID: lost.</summary>
    public int MessagesSentNotAccepted { get; private set; }

    public int SinkAcceptances { get; private set; }

    public int SinkDistinct { get; private set; }

    public int UnknownAtSink { get; private set; }

    public IReadOnlyList<string> MailDuplicates { get; private set; } = [];

    /// <summary>Each dead-lettered message: its id and the reason the dispatcher recorded.</summary>
    public IReadOnlyList<string> DeadLetters { get; private set; } = [];

    /// <summary>Every 5xx reply the sink sent, with the exception behind it if one raised it.</summary>
    public IReadOnlyList<Refusal> SinkRefusals { get; private set; } = [];

    public int MailDuplicatesUnexplained { get; private set; }

    public int WebhooksWritten { get; private set; }

    public int WebhooksDelivered { get; private set; }

    public int WebhooksFailed { get; private set; }

    public int WebhooksPending { get; private set; }

    public int WebhooksDeliveredNotReceived { get; private set; }

    public int ReceiverRequests { get; private set; }

    public int ReceiverDistinct { get; private set; }

    public int UnknownAtReceiver { get; private set; }

    public IReadOnlyList<string> WebhookDuplicates { get; private set; } = [];

    public int WebhookDuplicatesUnexplained { get; private set; }

    public int Invoices { get; private set; }

    public int InvoiceNumberGaps { get; private set; }

    public int CreditNotes { get; private set; }

    public int CreditNoteNumberGaps { get; private set; }

    public IReadOnlyList<string> Problems => _problems;

    /// <summary>The left side of a Message-ID ("&lt;abc@host&gt;" gives "abc"): the sender's domain is set at sending.</summary>
    public static string LeftOfAt(string messageId)
    {
        ArgumentNullException.ThrowIfNull(messageId);
        return messageId.Trim().Trim('<', '>').Split('@')[0];
    }

    internal static async Task<ChaosLedger> BuildAsync(
        ChaosRunFacts run, RenewalsDatabase reference, RenewalsDatabase chaos, Instant lastAsOf, IReadOnlyList<Accepted> mail, IReadOnlyList<Accepted> hooks,
        IReadOnlyList<Refusal> refusals)
    {
        var ledger = new ChaosLedger(run);
        var want = await Outcome.OfAsync(reference);
        var got = await Outcome.OfAsync(chaos);
        ledger.Differences = [.. want.Keys.Select(kind => Compare(kind, want[kind], got[kind]))];
        await ledger.CountMilestonesAsync(chaos, lastAsOf);
        await ledger.CountMailAsync(chaos, mail);
        ledger.SinkRefusals = refusals;
        await ledger.CountWebhooksAsync(chaos, hooks);
        await ledger.CountNumbersAsync(chaos);
        ledger.Judge();
        return ledger;
    }

    private static Difference Compare(string kind, List<string> expected, List<string> actual)
    {
        var left = expected.GroupBy(r => r, StringComparer.Ordinal).ToDictionary(g => g.Key, g => g.Count(), StringComparer.Ordinal);
        var extra = new List<string>();
        foreach (var row in actual)
        {
            if (left.TryGetValue(row, out var count) && count > 0)
            {
                left[row] = count - 1;
            }
            else
            {
                extra.Add(row);
            }
        }

        var missing = left.Where(kv => kv.Value > 0).SelectMany(kv => Enumerable.Repeat(kv.Key, kv.Value)).ToList();
        return new Difference(kind, expected.Count, actual.Count, missing.Count, extra.Count,
            [.. missing.Take(3).Select(m => "missing: " + Short(m)), .. extra.Take(3).Select(e => "extra: " + Short(e))]);
    }

    private static string Short(string row) => row.Length > 160 ? row[..160] + "…" : row;

    private async Task CountMilestonesAsync(RenewalsDatabase chaos, Instant lastAsOf)
    {
        await using var db = chaos.CreateContext();
        MilestonesCarriedOut = await db.Milestones.CountAsync(m => m.Status != MilestoneStatus.Pending && m.Outcome != Core.Planning.MilestoneOutcomes.BeforeImport);
        // Each carried-out milestone leaves one audit row: two mean it was carried out twice.
        MilestonesTwice = await db.Audit.Where(a => a.Entity == "milestone").GroupBy(a => a.EntityId).CountAsync(g => g.Count() > 1);
        MilestonesStillDue = await db.Milestones.CountAsync(m => m.Status == MilestoneStatus.Pending && m.DueAt <= lastAsOf);
    }

    private async Task CountMailAsync(RenewalsDatabase chaos, IReadOnlyList<Accepted> mail)
    {
        await using var db = chaos.CreateContext();
        var messages = await db.Outbox.AsNoTracking().Select(m => new { m.Id, m.MessageId, m.Status }).ToListAsync();
        MessagesWritten = messages.Count;
        MessagesSent = messages.Count(m => m.Status == OutboxStatus.Sent);
        MessagesDiscarded = messages.Count(m => m.Status == OutboxStatus.Discarded);
        MessagesDeadLettered = messages.Count(m => m.Status == OutboxStatus.DeadLettered);
        MessagesPending = messages.Count(m => m.Status == OutboxStatus.Pending);
        DeadLetters = await db.Outbox.AsNoTracking().Where(m => m.Status == OutboxStatus.DeadLettered).OrderBy(m => m.Id)
            .Select(m => m.MessageId + ": " + (m.LastError ?? "no reason recorded")).ToListAsync();
        var accepted = mail.GroupBy(a => a.Id, StringComparer.Ordinal).ToDictionary(g => g.Key, g => g.Select(a => a.At).Order().ToList(), StringComparer.Ordinal);
        var known = messages.Select(m => LeftOfAt(m.MessageId)).ToHashSet(StringComparer.Ordinal);
        MessagesSentNotAccepted = messages.Count(m => m.Status == OutboxStatus.Sent && !accepted.ContainsKey(LeftOfAt(m.MessageId)));
        SinkAcceptances = mail.Count;
        SinkDistinct = accepted.Count;
        UnknownAtSink = accepted.Keys.Count(id => !known.Contains(id));
        (MailDuplicates, MailDuplicatesUnexplained) = Explain(accepted, "smtp-outage", "the SMTP sink was stopped");
    }

    private async Task CountWebhooksAsync(RenewalsDatabase chaos, IReadOnlyList<Accepted> hooks)
    {
        await using var db = chaos.CreateContext();
        var deliveries = await db.WebhookDeliveries.AsNoTracking().Select(d => new { d.WebhookId, d.Status }).ToListAsync();
        WebhooksWritten = deliveries.Count;
        WebhooksDelivered = deliveries.Count(d => d.Status == WebhookDeliveryStatus.Delivered);
        WebhooksFailed = deliveries.Count(d => d.Status == WebhookDeliveryStatus.Failed);
        WebhooksPending = deliveries.Count(d => d.Status == WebhookDeliveryStatus.Pending);
        var received = hooks.GroupBy(h => h.Id, StringComparer.Ordinal).ToDictionary(g => g.Key, g => g.Select(h => h.At).Order().ToList(), StringComparer.Ordinal);
        var known = deliveries.Select(d => d.WebhookId).ToHashSet(StringComparer.Ordinal);
        WebhooksDeliveredNotReceived = deliveries.Count(d => d.Status == WebhookDeliveryStatus.Delivered && !received.ContainsKey(d.WebhookId));
        ReceiverRequests = hooks.Count;
        ReceiverDistinct = received.Count;
        UnknownAtReceiver = received.Keys.Count(id => !known.Contains(id));
        (WebhookDuplicates, WebhookDuplicatesUnexplained) = Explain(received, "webhook-outage", "the webhook receiver was stopped");
    }

    /// <summary>
    /// Each id accepted more than once, with the fault that explains it: a sender (web host) killed,
    /// the database restarted or the sink stopped just after the first copy was accepted, so the
    /// sender never recorded the success and the row was sent again. Returns the explanations and
    /// how many duplicates none explains.
    /// </summary>
    private (IReadOnlyList<string> Lines, int Unexplained) Explain(Dictionary<string, List<double>> accepted, string sinkFault, string sinkWords)
    {
        var lines = new List<string>();
        var unexplained = 0;
        foreach (var (id, times) in accepted.Where(kv => kv.Value.Count > 1).OrderBy(kv => kv.Value[0]))
        {
            var first = times[0];
            var cause = Run.Faults.FirstOrDefault(f =>
                (f.Kind == "kill" && f.Target.StartsWith("web", StringComparison.Ordinal) && f.At >= first - 1 && f.At <= first + 10)
                || (f.Kind is "postgres-restart" && Overlaps(f, first))
                || (f.Kind == sinkFault && Overlaps(f, first)));
            var why = cause switch
            {
                null => "UNEXPLAINED: no fault from 1 s before the first copy to 10 s after it",
                { Kind: "kill" } => $"{cause.Target} was killed at {cause.At:F1} s, before it recorded the success",
                { Kind: "postgres-restart" } => $"PostgreSQL restarted from {cause.At:F1} s to {cause.Until:F1} s, before the success was committed",
                _ => $"{sinkWords} from {cause.At:F1} s to {cause.Until:F1} s, before its answer reached the sender",
            };
            if (cause is null)
            {
                unexplained += times.Count - 1;
            }

            lines.Add(string.Create(CultureInfo.InvariantCulture, $"{id}: {times.Count} copies, first at {first:F1} s, again at {string.Join(", ", times.Skip(1).Select(t => t.ToString("F1", CultureInfo.InvariantCulture)))} s; {why}"));
        }

        return (lines, unexplained);
    }

    /// <summary>
    /// Whether an outage (the database restarting, a sink stopped) was under way at some moment
    /// from just before the first copy to 10 s after it: one that began a little before the copy
    /// and ended after it left the sender unable to record the success as surely as one that
    /// began just after (a restart under load took 2.7 s and the copy came 1.2 s into it).
    /// </summary>
    private static bool Overlaps(Fault fault, double first) => fault.At <= first + 10 && fault.Until >= first - 1;

    private async Task CountNumbersAsync(RenewalsDatabase chaos)
    {
        await using var db = chaos.CreateContext();
        var invoices = (await db.Invoices.AsNoTracking().Select(i => i.Number).ToListAsync())
            .Select(n => InvoiceNumber.TryParse(n, out var number) ? (number.Year, number.Sequence) : (0, 0)).ToList();
        var credits = (await db.CreditNotes.AsNoTracking().Select(c => c.Number).ToListAsync())
            .Select(n => CreditNoteNumber.TryParse(n, out var number) ? (number.Year, number.Sequence) : (0, 0)).ToList();
        Invoices = invoices.Count;
        InvoiceNumberGaps = Gaps(invoices);
        CreditNotes = credits.Count;
        CreditNoteNumberGaps = Gaps(credits);
    }

    /// <summary>Each year's numbers must be 1..n: counts every number missing, repeated or unreadable.</summary>
    private static int Gaps(List<(int Year, int Sequence)> numbers) =>
        numbers.GroupBy(n => n.Year).Sum(year =>
        {
            if (year.Key == 0)
            {
                return year.Count();
            }

            var seen = year.Select(n => n.Sequence).ToList();
            var distinct = seen.ToHashSet();
            return Enumerable.Range(1, seen.Count).Count(i => !distinct.Contains(i)) + (seen.Count - distinct.Count);
        });

    private void Judge()
    {
        void Zero(int value, string what)
        {
            if (value != 0)
            {
                _problems.Add($"{value} {what}");
            }
        }

        if (Run.Kills != Run.KillsPlanned)
        {
            _problems.Add($"{Run.Kills} kills instead of {Run.KillsPlanned}");
        }

        foreach (var kind in new[] { "postgres-restart", "smtp-outage", "webhook-outage" })
        {
            if (!Run.Faults.Any(f => f.Kind == kind))
            {
                _problems.Add($"no {kind} happened");
            }
        }

        foreach (var d in Differences)
        {
            Zero(d.Missing, $"{d.Kind} of the clean run missing ({string.Join("; ", d.Examples)})");
            Zero(d.Extra, $"{d.Kind} the clean run does not have ({string.Join("; ", d.Examples)})");
        }

        Zero(MilestonesTwice, "milestones carried out twice");
        Zero(MilestonesStillDue, "milestones still due");
        Zero(MessagesPending, "messages still pending");
        Zero(MessagesDeadLettered, "messages dead-lettered");
        Zero(MessagesSentNotAccepted, "messages recorded as sent that the sink never accepted");
        Zero(UnknownAtSink, "Message-IDs at the sink that no outbox row has");
        Zero(MailDuplicatesUnexplained, "duplicate mail deliveries no fault explains");
        Zero(WebhooksPending, "webhooks still pending");
        Zero(WebhooksFailed, "webhooks given up");
        Zero(WebhooksDeliveredNotReceived, "webhooks recorded as delivered that the receiver never got");
        Zero(UnknownAtReceiver, "webhook ids at the receiver that no delivery row has");
        Zero(WebhookDuplicatesUnexplained, "duplicate webhook deliveries no fault explains");
        Zero(InvoiceNumberGaps, "invoice numbers missing or repeated");
        Zero(CreditNoteNumberGaps, "credit-note numbers missing or repeated");
        Zero(Run.SessionsLeft, "database sessions left after every process ended");
        Zero(Run.IdleInTransaction, "transactions left open");
        if (!Run.Drained)
        {
            _problems.Add("deliveries still pending after the dispatchers had delivered nothing for the drain's stall timeout");
        }
    }

    /// <summary>The ledger as printed by the script and the test.</summary>
    public string Report()
    {
        var r = Run;
        var text = new StringBuilder();
        void Line(FormattableString line) => text.AppendLine(line.ToString(CultureInfo.InvariantCulture));
        Line($"CHAOS RUN LEDGER — {r.Subscriptions} subscriptions, {r.Days} simulated days in {r.Steps} steps, PostgreSQL");
        Line($"  run: {r.ChaosSeconds:F0} s (clean run {r.CleanSeconds:F0} s); load average 1 min: max {r.LoadMax:F1}, mean {r.LoadMean:F1} (2 cores, shared)");
        Line($"  processes: 2 engines ({r.EngineRuns} `renewals run` starts), 2 web hosts ({r.WebStarts} starts), {r.CrashRestarts} restarts after a process ended on its own");
        Line($"  faults: {r.Kills}/{r.KillsPlanned} SIGKILLs ({string.Join(", ", r.Faults.Where(f => f.Kind == "kill").GroupBy(f => f.Target).OrderBy(g => g.Key, StringComparer.Ordinal).Select(g => $"{g.Key} ×{g.Count()}"))})");
        foreach (var f in r.Faults.Where(f => f.Kind != "kill"))
        {
            Line($"          {f.Kind} of the {f.Target} from {f.At:F1} s to {f.Until:F1} s");
        }

        Line($"  against the clean run (rows by natural key):");
        foreach (var d in Differences)
        {
            Line($"    {d.Kind,-14} expected {d.Expected,8}  got {d.Actual,8}  missing {d.Missing,4}  extra {d.Extra,4}");
        }

        Line($"  milestones: {MilestonesCarriedOut} carried out, {MilestonesTwice} twice, {MilestonesStillDue} still due");
        Line($"  mail: {MessagesWritten} written, {MessagesSent} sent, {MessagesDiscarded} discarded, {MessagesDeadLettered} dead-lettered, {MessagesPending} pending; lost (sent, never accepted): {MessagesSentNotAccepted}");
        Line($"  SMTP sink: {SinkAcceptances} acceptances of {SinkDistinct} Message-IDs ({SinkAcceptances - SinkDistinct} duplicates, {MailDuplicatesUnexplained} unexplained), {UnknownAtSink} unknown ids");
        foreach (var line in MailDuplicates)
        {
            Line($"    duplicate {line}");
        }

        foreach (var line in DeadLetters)
        {
            Line($"    dead letter {line}");
        }

        Line($"  SMTP sink refusals (5xx replies): {SinkRefusals.Count}");
        foreach (var refusal in SinkRefusals)
        {
            Line($"    at {refusal.At:F1} s: {refusal.Reply} ({refusal.Cause ?? "no exception: a decision"})");
        }

        Line($"  webhooks: {WebhooksWritten} written, {WebhooksDelivered} delivered, {WebhooksFailed} given up, {WebhooksPending} pending; lost (delivered, never received): {WebhooksDeliveredNotReceived}");
        Line($"  receiver: {ReceiverRequests} requests for {ReceiverDistinct} webhook ids ({ReceiverRequests - ReceiverDistinct} duplicates, {WebhookDuplicatesUnexplained} unexplained), {UnknownAtReceiver} unknown ids");
        foreach (var line in WebhookDuplicates)
        {
            Line($"    duplicate {line}");
        }

        Line($"  numbering: {Invoices} invoices, {InvoiceNumberGaps} numbers missing or repeated; {CreditNotes} credit notes, {CreditNoteNumberGaps} missing or repeated");
        Line($"  stuck: {MilestonesStillDue} milestones due, {MessagesPending} messages and {WebhooksPending} webhooks pending, {r.SessionsLeft} sessions and {r.IdleInTransaction} open transactions left");
        Line($"  verdict: {(Problems.Count == 0 ? "CLEAN" : "PROBLEMS: " + string.Join(" | ", Problems))}");
        Line($"  logs: {r.Folder}");
        return text.ToString();
    }

    /// <summary>Every row the engine writes, by natural key (ids of rows it creates depend on batch order and on who claimed what).</summary>
    private static class Outcome
    {
        public static async Task<Dictionary<string, List<string>>> OfAsync(RenewalsDatabase database)
        {
            await using var db = database.CreateContext();
            var milestones = await db.Milestones.AsNoTracking()
                .Select(m => new { m.Id, Key = m.SubscriptionId + "/" + m.TermNumber + "/" + (int)m.Kind + "/" + m.Variant, m.Status, m.Outcome })
                .ToListAsync();
            var key = milestones.ToDictionary(m => m.Id, m => m.Key);
            var invoices = await db.Invoices.AsNoTracking().Include(i => i.Lines).ToListAsync();
            var invoiceKey = invoices.ToDictionary(i => i.Id, i => i.MilestoneId is { } id ? key[id] : "-");
            var messages = await db.Outbox.AsNoTracking().ToListAsync();
            var webhooks = await db.WebhookDeliveries.AsNoTracking().Select(d => d.EventType).ToListAsync();
            return new Dictionary<string, List<string>>
            {
                ["milestones"] = Sorted(milestones.Select(m => $"{m.Key} {m.Status} {m.Outcome}")),
                ["invoices"] = Sorted(invoices.Select(i =>
                    $"{invoiceKey[i.Id]} {i.Kind} {i.PeriodStart}-{i.PeriodEnd} {i.Net} {i.Total} {i.BillToContactId} {i.PurchaseOrderNumber} lines={i.Lines.Count}")),
                ["messages"] = Sorted(messages.Select(m =>
                    $"{(m.MilestoneId is { } id ? key[id] : "-")} {m.Template} {m.ContactId} {m.Language} {(m.InvoiceId is { } inv ? invoiceKey[inv] : "-")} {m.Payload}")),
                // Webhook ids name rows by their database ids, which differ between the runs: compared by type.
                ["webhooks"] = Sorted(webhooks),
                ["tasks"] = Sorted((await db.AdvisorTasks.AsNoTracking().ToListAsync()).Select(t => $"{(t.MilestoneId is { } id ? key[id] : "-")} {t.Kind} {t.AdvisorId} {t.DueOn}")),
                ["terms"] = Sorted((await db.Terms.AsNoTracking().ToListAsync()).Select(t => $"{t.SubscriptionId}/{t.Number} {t.Start}-{t.End} {t.IsLocked}")),
                ["entitlements"] = Sorted((await db.Entitlements.AsNoTracking().ToListAsync()).Select(e =>
                    $"{e.SubscriptionId}/{e.ProductId}/{e.TermNumber} {e.Quantity} {e.ValidFrom}-{e.ValidUntil} {e.AvailableInWebAccount}")),
                ["subscriptions"] = Sorted((await db.Subscriptions.AsNoTracking().ToListAsync()).Select(s => $"{s.Id} {s.Status} {s.CurrentTermNumber} {s.EndsOn}")),
            };
        }

        private static List<string> Sorted(IEnumerable<string> rows) => [.. rows.Order(StringComparer.Ordinal)];
    }
}
