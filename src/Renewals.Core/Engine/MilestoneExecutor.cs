using System.Text.Json;
using NodaTime;
using NodaTime.Text;
using Renewals.Core.Invoicing;
using Renewals.Core.Planning;
using Renewals.Core.Webhooks;
using Renewals.Data.Model;
using Renewals.Domain.Invoicing;
using Renewals.Domain.Subscriptions;
using Renewals.Domain.Timeline;
using DomainSubscription = Renewals.Domain.Subscriptions.Subscription;
using Term = Renewals.Domain.Subscriptions.Term;

namespace Renewals.Core.Engine;

/// <summary>
/// Decides what one due milestone does and records its effects. Pure over its inputs: it
/// reads the claimed row and the batch's data, and only adds to the <see cref="EffectSet"/>.
/// </summary>
internal sealed class MilestoneExecutor(ReferenceData reference, Instant asOf, EffectSet effects)
{
    public const int PaymentTermDays = 30;

    public void Execute(ClaimedMilestone c, BatchData data)
    {
        var zone = reference.Zone(c.TimeZoneId);
        var partner = c.PartnerContractId is { } contractId ? reference.PartnerContracts[contractId] : null;
        var policy = reference.Policies[c.PolicyId];
        var subscription = DomainMapping.ToDomain(c.AccountName, c.Start, c.InitialTermYears, zone, c.Billing, partner, c.IsFirstInProductFamily, c.RenewalLengths);
        var term = subscription.Term(c.TermNumber);
        var today = asOf.InZone(zone).Date;

        var contacts = data.ContactsByAccount[c.AccountId].ToList();
        var primary = contacts.FirstOrDefault(x => x.Role == ContactRole.Primary) ?? contacts.FirstOrDefault();
        if (primary is null)
        {
            Skip(c, MilestoneOutcomes.NoContact);
            return;
        }

        if (c.Status == SubscriptionStatus.Ended)
        {
            Skip(c, MilestoneOutcomes.SubscriptionEnded);
            return;
        }

        var accountsPayable = contacts.FirstOrDefault(x => x.Role == ContactRole.AccountsPayable) ?? primary;
        var endingNotice = data.NoticesBySubscription[c.SubscriptionId].FirstOrDefault(n => n.EffectiveEndDate == term.End);

        switch (c.Kind)
        {
            case MilestoneKind.DayOne:
                var keyDates = new
                {
                    start = Iso(term.Start),
                    renewal_date = Iso(term.End),
                    years = c.InitialTermYears,
                    billing = c.Billing == BillingMode.Upfront ? "upfront" : "yearly",
                    check_in_date = Iso(RenewalTimeline.CheckInDate(subscription, policy)),
                    reminder_dates = policy.ReminderDays.Select(days => Iso(RenewalTimeline.ReminderDate(term, days))).ToArray(),
                    deadline = Iso(RenewalTimeline.CancellationDeadline(subscription, policy, term)),
                    // Every key date of the term in date order, as the timeline has them
                    // (yearly invoices and a partner's deadline included).
                    key_dates = RenewalTimeline.ForTerm(subscription, policy, term.Number).Milestones
                        .Select(m => new { kind = KeyDateKind(m.Kind), date = Iso(m.Date), variant = m.Variant })
                        .ToArray(),
                };
                Message("confirmation-letter", primary, c, keyDates);
                Message("welcome", primary, c, keyDates);
                var years = c.Billing == BillingMode.Upfront ? c.InitialTermYears : 1;
                var first = Bill(c, InvoiceKind.Initial, term.Start, subscription.Anniversary(years), years, accountsPayable, data);
                if (first is not null && accountsPayable.Id != primary.Id)
                {
                    // The primary contact sees the first invoice too, as a copy that says where the original went.
                    Message("invoice", primary, c, new { copy = true, sent_to = new { name = accountsPayable.Name, email = accountsPayable.Email } }, first);
                }

                if (c.LicenceDelivery == LicenceDelivery.AvailableInWebAccount)
                {
                    // Web-account licences are there from the first day (the sale wrote the
                    // term's entitlement rows), not only from the first renewal.
                    Message("licence-available", primary, c, new { valid_from = Iso(term.Start), valid_until = Iso(term.End) });
                }

                Done(c, MilestoneOutcomes.Welcomed);
                break;

            case MilestoneKind.CheckIn when today >= term.End:
                Skip(c, MilestoneOutcomes.TermOver);
                break;

            case MilestoneKind.CheckIn:
                // The advisor sees what the sale brought that is new to the customer (rule 6); an
                // account without an advisor leaves AdvisorId null: the unassigned queue (rule 9).
                Task(c, Tasks.TaskKinds.ScheduleReviewMeeting, c.RecommendedValidation, c.NewToCustomer);
                Done(c, MilestoneOutcomes.AdvisorTaskCreated);
                break;

            case MilestoneKind.YearlyInvoice:
                Bill(c, InvoiceKind.Yearly, subscription.Anniversary(c.Variant - 1), subscription.Anniversary(c.Variant), 1, accountsPayable, data);
                Done(c, MilestoneOutcomes.Invoiced);
                break;

            case MilestoneKind.Reminder:
                Remind(c, subscription, policy, term, today, endingNotice, primary, accountsPayable, data);
                break;

            case MilestoneKind.CancellationDeadline:
                effects.LockedTerms.Add((c.SubscriptionId, c.TermNumber));
                if (endingNotice is not null)
                {
                    effects.SubscriptionChanges.Add((c.SubscriptionId, SubscriptionStatus.Ending, term.End, c.CurrentTermNumber));
                    Event(WebhookEventTypes.SubscriptionEnding, $"s{c.SubscriptionId}.t{c.TermNumber}", new { subscription_id = c.SubscriptionId, account_id = c.AccountId, ends_on = Iso(term.End) });
                    Done(c, MilestoneOutcomes.SubscriptionEnding);
                }
                else
                {
                    Done(c, MilestoneOutcomes.RenewalCertain);
                }

                break;

            case MilestoneKind.Anniversary when endingNotice is not null:
                effects.SubscriptionChanges.Add((c.SubscriptionId, SubscriptionStatus.Ended, term.End, c.TermNumber));
                Event(WebhookEventTypes.SubscriptionEnded, $"s{c.SubscriptionId}.t{c.TermNumber}", new { subscription_id = c.SubscriptionId, account_id = c.AccountId, ended_on = Iso(term.End) });
                Message("subscription-ended", primary, c, new { ended_on = Iso(term.End) });
                Done(c, MilestoneOutcomes.Ended);
                break;

            case MilestoneKind.Anniversary:
                Renew(c, subscription, policy, term, primary, accountsPayable, data);
                break;
        }
    }

    private void Remind(
        ClaimedMilestone c, DomainSubscription subscription, Domain.Policies.RenewalPolicy policy, Term term, LocalDate today, NoticeRow? endingNotice,
        ContactRow primary, ContactRow accountsPayable, BatchData data)
    {
        if (today >= term.End)
        {
            Skip(c, MilestoneOutcomes.RenewalDatePassed);
            return;
        }

        if (endingNotice is not null)
        {
            Skip(c, MilestoneOutcomes.CancellationFiled);
            return;
        }

        // After downtime, only the latest reminder that fell due goes out.
        if (policy.ReminderDays.Any(days => days < c.Variant && RenewalTimeline.ReminderDate(term, days) <= today))
        {
            Skip(c, MilestoneOutcomes.SupersededByLaterReminder);
            return;
        }

        var coming = subscription.Term(term.Number + 1);
        var purchaseOrderMissing = c.RequiresPurchaseOrder && FindPurchaseOrder(data, c, coming.Start, coming.End, term.End) is null;
        string[] actions = purchaseOrderMissing
            ? ["issue-purchase-order", "check-with-stakeholders", "contact-advisor", "see-web-account"]
            : ["check-with-stakeholders", "contact-advisor", "see-web-account"];
        // Days left and whether the deadline is still ahead are worked out when the message is
        // rendered (MessageFacts), from the day it goes out; the payload carries only dates.
        var payload = new
        {
            days = c.Variant,
            renewal_date = Iso(term.End),
            deadline = Iso(RenewalTimeline.CancellationDeadline(subscription, policy, term)),
            // The earliest end once the notice period is over: the end of the next term.
            earliest_end_date = Iso(subscription.Term(term.Number + 1).End),
            actions,
        };
        Message("reminder", primary, c, payload);
        if (accountsPayable.Id != primary.Id)
        {
            Message("reminder", accountsPayable, c, payload);
        }

        if (purchaseOrderMissing && c.Variant == policy.ReminderDays.Min())
        {
            Task(c, Tasks.TaskKinds.PurchaseOrderMissing, recommendedValidation: false);
        }

        Done(c, MilestoneOutcomes.Reminded);
    }

    private void Renew(
        ClaimedMilestone c, DomainSubscription subscription, Domain.Policies.RenewalPolicy policy, Term term,
        ContactRow primary, ContactRow accountsPayable, BatchData data)
    {
        var next = subscription.Term(term.Number + 1);
        // A confirmed amendment of the coming term decides what it holds; a proposed one changes nothing.
        var amended = data.AmendedLinesBySubscription[c.SubscriptionId].Where(l => l.TermNumber == next.Number).ToList();
        IReadOnlyList<LineRow> lines = amended.Count > 0
            ? [.. amended.Select(l => new LineRow(c.SubscriptionId, l.ProductId, l.Quantity, l.NetYearlyUnitPrice, l.Currency))]
            : [.. data.LinesBySubscription[c.SubscriptionId]];
        if (amended.Count > 0)
        {
            effects.AppliedAmendments.Add((amended[0].AmendmentId, c.SubscriptionId, lines));
        }

        effects.Terms.Add(new Data.Model.Term { SubscriptionId = c.SubscriptionId, Number = next.Number, Start = next.Start, End = next.End });
        effects.NewMilestones.AddRange(MilestonePlanner.Plan(c.SubscriptionId, subscription, policy, next.Number, plannedOn: null, asOf));

        var inWebAccount = c.LicenceDelivery == LicenceDelivery.AvailableInWebAccount;
        foreach (var line in lines)
        {
            effects.Entitlements.Add(new LicenceEntitlement
            {
                SubscriptionId = c.SubscriptionId,
                ProductId = line.ProductId,
                Quantity = line.Quantity,
                ValidFrom = next.Start,
                ValidUntil = next.End,
                TermNumber = next.Number,
                AvailableInWebAccount = inWebAccount,
            });
        }

        // A renewal of several years is billed at once for all of them: the yearly price × the years.
        Bill(c, InvoiceKind.Renewal, next.Start, next.End, subscription.YearsOf(next.Number), accountsPayable, data, lines);
        Message("renewal-confirmation", primary, c, new
        {
            renewed_from = Iso(next.Start),
            renewal_date = Iso(next.End),
            deadline = Iso(RenewalTimeline.CancellationDeadline(subscription, policy, next)),
            licences = inWebAccount ? "web-account" : "extended",
            invoice_to = new { name = accountsPayable.Name, email = accountsPayable.Email },
        });
        if (inWebAccount)
        {
            Message("licence-available", primary, c, new { valid_from = Iso(next.Start), valid_until = Iso(next.End) });
        }

        effects.SubscriptionChanges.Add((c.SubscriptionId, SubscriptionStatus.Active, null, next.Number));
        Event(WebhookEventTypes.SubscriptionRenewed, $"s{c.SubscriptionId}.t{next.Number}", new
        {
            subscription_id = c.SubscriptionId,
            account_id = c.AccountId,
            term_number = next.Number,
            renewed_from = Iso(next.Start),
            renewal_date = Iso(next.End),
        });
        Done(c, MilestoneOutcomes.Renewed);
    }

    /// <summary>The name a template uses for a kind of key date.</summary>
    private static string KeyDateKind(MilestoneKind kind) => kind switch
    {
        MilestoneKind.DayOne => "start",
        MilestoneKind.CheckIn => "check-in",
        MilestoneKind.YearlyInvoice => "yearly-invoice",
        MilestoneKind.Reminder => "reminder",
        MilestoneKind.CancellationDeadline => "deadline",
        MilestoneKind.Anniversary => "renewal",
        _ => throw new ArgumentOutOfRangeException(nameof(kind), kind, null),
    };

    private Invoice? Bill(
        ClaimedMilestone c, InvoiceKind kind, LocalDate from, LocalDate until, int years, ContactRow billTo, BatchData data, IReadOnlyList<LineRow>? billed = null)
    {
        var lines = (billed ?? [.. data.LinesBySubscription[c.SubscriptionId]]).ToList();
        if (lines.Count == 0)
        {
            return null;
        }

        var invoice = new Invoice
        {
            AccountId = c.AccountId,
            SubscriptionId = c.SubscriptionId,
            MilestoneId = c.Id,
            Kind = kind,
            IssuedOn = c.Date,
            PeriodStart = from,
            PeriodEnd = until,
            DueOn = InvoiceWriter.DueOn(c.Date),
            Currency = lines[0].Currency,
            VatRate = c.VatRate,
            BillToContactId = billTo.Id,
            PurchaseOrderNumber = FindPurchaseOrder(data, c, from, until, c.Date)?.Number,
        };
        foreach (var line in lines)
        {
            var unitPrice = line.YearlyUnitPrice * years;
            invoice.Lines.Add(new InvoiceLine
            {
                ProductId = line.ProductId,
                Description = reference.ProductNames.GetValueOrDefault(line.ProductId, "?"),
                Quantity = line.Quantity,
                PeriodStart = from,
                PeriodEnd = until,
                UnitPrice = unitPrice,
                Amount = unitPrice * line.Quantity,
            });
        }

        invoice.Net = invoice.Lines.Sum(l => l.Amount);
        invoice.Total = invoice.Net + Math.Round(invoice.Net * invoice.VatRate, 2, MidpointRounding.AwayFromZero);
        effects.Invoices.Add(invoice);
        Message("invoice", billTo, c, new { period_start = Iso(from), period_end = Iso(until), total = invoice.Total, currency = invoice.Currency }, invoice);
        return invoice;
    }

    /// <summary>The order the invoice of [<paramref name="from"/>, <paramref name="until"/>) issued on <paramref name="issuedOn"/> carries (<see cref="PurchaseOrderCover"/>).</summary>
    private PurchaseOrderTerms? FindPurchaseOrder(BatchData data, ClaimedMilestone c, LocalDate from, LocalDate until, LocalDate issuedOn)
    {
        var zone = reference.Zone(c.TimeZoneId);
        var orders = data.PurchaseOrdersByAccount[c.AccountId]
            .Select(po => new PurchaseOrderTerms(po.Id, po.SubscriptionId, po.Number, po.ValidFrom, po.ValidUntil, po.RegisteredAt, po.RegisteredAt.InZone(zone).Date));
        return PurchaseOrderCover.Find(orders, new InvoiceToCover(c.SubscriptionId, from, until, issuedOn));
    }

    private void Message(string template, ContactRow to, ClaimedMilestone c, object payload, Invoice? invoice = null) =>
        effects.Messages.Add((new OutboxMessage
        {
            Template = template,
            AccountId = c.AccountId,
            ContactId = to.Id,
            ToEmail = to.Email,
            Language = to.Language,
            SubscriptionId = c.SubscriptionId,
            MilestoneId = c.Id,
            Payload = JsonSerializer.Serialize(payload),
            MessageId = $"<m{c.Id}.{template}.c{to.Id}@renewals>",
        }, invoice));

    private void Task(ClaimedMilestone c, string kind, bool recommendedValidation, string? details = null) =>
        effects.Tasks.Add(new AdvisorTask
        {
            AdvisorId = c.AdvisorId,
            AccountId = c.AccountId,
            SubscriptionId = c.SubscriptionId,
            MilestoneId = c.Id,
            Kind = kind,
            DueOn = c.Date,
            RecommendedValidation = recommendedValidation,
            Details = details,
        });

    private void Done(ClaimedMilestone c, string outcome)
    {
        effects.MilestoneOutcomes.Add((c.Id, MilestoneStatus.Done, outcome));
        Event(WebhookEventTypes.MilestoneCarriedOut, $"m{c.Id}", new
        {
            milestone_id = c.Id,
            subscription_id = c.SubscriptionId,
            account_id = c.AccountId,
            term_number = c.TermNumber,
            kind = KeyDateKind(c.Kind),
            date = Iso(c.Date),
            outcome,
        });
    }

    private void Event(string type, string subject, object data) => effects.Events.Add(new WebhookEvent(type, subject, data));

    private void Skip(ClaimedMilestone c, string outcome) => effects.MilestoneOutcomes.Add((c.Id, MilestoneStatus.Skipped, outcome));

    private static string Iso(LocalDate date) => LocalDatePattern.Iso.Format(date);
}
