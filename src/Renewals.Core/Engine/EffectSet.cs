using System.Data.Common;
using NodaTime;
using Renewals.Core.Invoicing;
using Renewals.Core.Webhooks;
using Renewals.Data;
using Renewals.Data.Model;
using Renewals.Data.Sql;

namespace Renewals.Core.Engine;

/// <summary>
/// Everything a batch of milestones changes, gathered in memory and then written in the
/// batch's transaction: the milestones' new status and all their effects commit together.
/// </summary>
internal sealed class EffectSet
{
    public List<(long Id, MilestoneStatus Status, string Outcome)> MilestoneOutcomes { get; } = [];

    public List<Invoice> Invoices { get; } = [];

    /// <summary>Messages, with the invoice they carry when they carry one (its id is known only at write time).</summary>
    public List<(OutboxMessage Message, Invoice? Invoice)> Messages { get; } = [];

    public List<AdvisorTask> Tasks { get; } = [];

    public List<Term> Terms { get; } = [];

    public List<Milestone> NewMilestones { get; } = [];

    public List<LicenceEntitlement> Entitlements { get; } = [];

    public List<(long SubscriptionId, SubscriptionStatus Status, LocalDate? EndsOn, int CurrentTermNumber)> SubscriptionChanges { get; } = [];

    public List<(long SubscriptionId, int TermNumber)> LockedTerms { get; } = [];

    /// <summary>Confirmed amendments the anniversary renewed: their lines become the subscription's lines.</summary>
    public List<(long AmendmentId, long SubscriptionId, IReadOnlyList<LineRow> Lines)> AppliedAmendments { get; } = [];

    /// <summary>What webhook receivers hear of the batch (invoices are added once numbered).</summary>
    public List<WebhookEvent> Events { get; } = [];

    public async Task WriteAsync(
        DbConnection connection, DbTransaction transaction, DatabaseProvider provider, Instant now, string actor, IReadOnlyList<WebhookSubscriber> subscribers, CancellationToken ct)
    {
        // Invoice ids first: the messages that carry an invoice name it. The invoice rows
        // themselves are written last, with their numbers, so the year's counter is locked only briefly.
        var invoiceIds = await Db.AllocateIdsAsync(connection, transaction, provider, "invoices", Invoices.Count, ct);
        for (var i = 0; i < Invoices.Count; i++)
        {
            Invoices[i].Id = invoiceIds[i];
        }

        await using (var w = RowWriter.Insert(connection, transaction, provider, "outbox",
            "template", "account_id", "contact_id", "to_email", "language", "subscription_id", "milestone_id", "invoice_id", "payload",
            "message_id", "status", "attempts", "created_at", "next_attempt_at"))
        {
            foreach (var (m, invoice) in Messages)
            {
                await w.AddAsync(ct, m.Template, m.AccountId, m.ContactId, m.ToEmail, m.Language, m.SubscriptionId, m.MilestoneId,
                    invoice?.Id ?? m.InvoiceId, m.Payload, m.MessageId, OutboxStatus.Pending, 0, now, now);
            }

            await w.FlushAsync(ct);
        }

        await using (var w = RowWriter.Insert(connection, transaction, provider, "advisor_tasks",
            "advisor_id", "account_id", "subscription_id", "milestone_id", "kind", "due_on", "recommended_validation", "status", "created_at", "details"))
        {
            foreach (var t in Tasks)
            {
                await w.AddAsync(ct, t.AdvisorId, t.AccountId, t.SubscriptionId, t.MilestoneId, t.Kind, t.DueOn, t.RecommendedValidation, AdvisorTaskStatus.Open, now, t.Details);
            }

            await w.FlushAsync(ct);
        }

        await using (var w = RowWriter.Insert(connection, transaction, provider, "terms", "subscription_id", "number", "start", "\"end\"", "is_locked"))
        {
            foreach (var t in Terms)
            {
                await w.AddAsync(ct, t.SubscriptionId, t.Number, t.Start, t.End, false);
            }

            await w.FlushAsync(ct);
        }

        await using (var w = MilestoneInserter(connection, transaction, provider))
        {
            foreach (var m in NewMilestones)
            {
                await AddMilestoneAsync(w, m, ct);
            }

            await w.FlushAsync(ct);
        }

        await using (var w = RowWriter.Insert(connection, transaction, provider, "entitlements",
            "subscription_id", "product_id", "quantity", "valid_from", "valid_until", "term_number", "available_in_web_account"))
        {
            foreach (var e in Entitlements)
            {
                await w.AddAsync(ct, e.SubscriptionId, e.ProductId, e.Quantity, e.ValidFrom, e.ValidUntil, e.TermNumber, e.AvailableInWebAccount);
            }

            await w.FlushAsync(ct);
        }

        if (provider == DatabaseProvider.PostgreSql)
        {
            await UpdateSubscriptionsPostgresAsync(connection, transaction, ct);
            await LockTermsPostgresAsync(connection, transaction, ct);
        }
        else
        {
            await using (var w = new RowWriter(connection, transaction, provider,
                "UPDATE subscriptions SET status = @status, ends_on = @ends_on, current_term_number = @term WHERE id = @id", "status", "ends_on", "term", "id"))
            {
                foreach (var s in SubscriptionChanges)
                {
                    await w.AddAsync(ct, s.Status, s.EndsOn, s.CurrentTermNumber, s.SubscriptionId);
                }

                await w.FlushAsync(ct);
            }

            await using (var w = new RowWriter(connection, transaction, provider,
                "UPDATE terms SET is_locked = @locked WHERE subscription_id = @subscription AND number = @number", "locked", "subscription", "number"))
            {
                foreach (var (subscriptionId, termNumber) in LockedTerms)
                {
                    await w.AddAsync(ct, true, subscriptionId, termNumber);
                }

                await w.FlushAsync(ct);
            }
        }

        await ApplyAmendmentsAsync(connection, transaction, provider, now, actor, ct);

        // The status change that makes a second execution impossible; guarded on Pending so a
        // row that is somehow no longer pending makes the whole batch roll back.
        var affected = provider == DatabaseProvider.PostgreSql
            ? await CompleteMilestonesPostgresAsync(connection, transaction, now, ct)
            : await CompleteMilestonesSqliteAsync(connection, transaction, now, ct);
        if (affected != MilestoneOutcomes.Count)
        {
            throw new InvalidOperationException(
                $"{MilestoneOutcomes.Count - affected} claimed milestone(s) were no longer pending; the batch is rolled back.");
        }

        await using (var w = RowWriter.Insert(connection, transaction, provider, "audit", "at", "actor", "action", "entity", "entity_id", "details"))
        {
            foreach (var (id, status, outcome) in MilestoneOutcomes)
            {
                await w.AddAsync(ct, now, actor, status == MilestoneStatus.Done ? "milestone.done" : "milestone.skipped", "milestone", id, outcome);
            }

            await w.FlushAsync(ct);
        }

        // Numbering last of all, just before the invoices it numbers: from here to the commit the
        // year's counter row is locked and a concurrent engine issuing invoices waits for it.
        await InvoiceNumbering.AssignAsync(connection, transaction, provider, Invoices, ct);
        await using (var w = RowWriter.Insert(connection, transaction, provider, "invoices",
            "id", "account_id", "subscription_id", "milestone_id", "kind", "number", "issued_on", "period_start", "period_end", "due_on",
            "currency", "net", "vat_rate", "total", "bill_to_contact_id", "purchase_order_number"))
        {
            foreach (var v in Invoices)
            {
                await w.AddAsync(ct, v.Id, v.AccountId, v.SubscriptionId, v.MilestoneId, v.Kind, v.Number, v.IssuedOn, v.PeriodStart, v.PeriodEnd,
                    v.DueOn, v.Currency, v.Net, v.VatRate, v.Total, v.BillToContactId, v.PurchaseOrderNumber);
            }

            await w.FlushAsync(ct);
        }

        await using (var w = RowWriter.Insert(connection, transaction, provider, "invoice_lines",
            "invoice_id", "product_id", "description", "quantity", "period_start", "period_end", "unit_price", "amount"))
        {
            foreach (var v in Invoices)
            {
                foreach (var l in v.Lines)
                {
                    await w.AddAsync(ct, v.Id, l.ProductId, l.Description, l.Quantity, l.PeriodStart, l.PeriodEnd, l.UnitPrice, l.Amount);
                }
            }

            await w.FlushAsync(ct);
        }

        await WriteWebhooksAsync(connection, transaction, provider, now, subscribers, ct);
    }

    /// <summary>The batch's events into the delivery outbox, in the batch's transaction.</summary>
    private async Task WriteWebhooksAsync(
        DbConnection connection, DbTransaction transaction, DatabaseProvider provider, Instant now, IReadOnlyList<WebhookSubscriber> subscribers, CancellationToken ct)
    {
        if (subscribers.Count == 0)
        {
            return;
        }

        // The same invoice.issued event as every other invoice writer's (InvoiceWriter.Issued).
        foreach (var v in Invoices)
        {
            Events.Add(InvoiceWriter.Issued(v));
        }

        await using var w = RowWriter.Insert(connection, transaction, provider, "webhook_deliveries",
            "endpoint_id", "webhook_id", "event_type", "payload", "status", "attempts", "created_at", "next_attempt_at");
        foreach (var d in WebhookOutbox.Deliveries(subscribers, Events, now))
        {
            await w.AddAsync(ct, d.EndpointId, d.WebhookId, d.EventType, d.Payload, d.Status, 0, d.CreatedAt, d.NextAttemptAt);
        }

        await w.FlushAsync(ct);
    }

    /// <summary>
    /// Each applied amendment: guarded on Confirmed, so an amendment withdrawn while the batch ran
    /// rolls the batch back (the next run renews without it); then its lines replace the
    /// subscription's, so later invoices and renewals carry them. Rare: written row by row.
    /// </summary>
    private async Task ApplyAmendmentsAsync(DbConnection connection, DbTransaction transaction, DatabaseProvider provider, Instant now, string actor, CancellationToken ct)
    {
        foreach (var (amendmentId, subscriptionId, lines) in AppliedAmendments)
        {
            await using (var command = Db.Command(connection, transaction,
                "UPDATE amendments SET status = 4, closed_at = @at, closed_by = @actor WHERE id = @id AND status = 1"))
            {
                Db.Add(command, provider, "at", now);
                Db.Add(command, provider, "actor", actor);
                Db.Add(command, provider, "id", amendmentId);
                if (await command.ExecuteNonQueryAsync(ct) != 1)
                {
                    throw new InvalidOperationException($"Amendment {amendmentId} is no longer confirmed; the batch is rolled back.");
                }
            }

            await using (var command = Db.Command(connection, transaction, "DELETE FROM subscription_lines WHERE subscription_id = @id"))
            {
                Db.Add(command, provider, "id", subscriptionId);
                await command.ExecuteNonQueryAsync(ct);
            }

            await using (var w = RowWriter.Insert(connection, transaction, provider, "subscription_lines", "subscription_id", "product_id", "quantity", "yearly_unit_price", "currency"))
            {
                foreach (var l in lines)
                {
                    await w.AddAsync(ct, subscriptionId, l.ProductId, l.Quantity, l.YearlyUnitPrice, l.Currency);
                }

                await w.FlushAsync(ct);
            }
        }

        await using (var w = RowWriter.Insert(connection, transaction, provider, "audit", "at", "actor", "action", "entity", "entity_id", "details"))
        {
            foreach (var (amendmentId, subscriptionId, _) in AppliedAmendments)
            {
                await w.AddAsync(ct, now, actor, "amendment.applied", "amendment", amendmentId, $"subscription {subscriptionId} renewed with the amended lines");
            }

            await w.FlushAsync(ct);
        }
    }

    private async Task<long> CompleteMilestonesSqliteAsync(DbConnection connection, DbTransaction transaction, Instant now, CancellationToken ct)
    {
        await using var w = new RowWriter(connection, transaction, DatabaseProvider.Sqlite,
            "UPDATE milestones SET status = @status, completed_at = @at, outcome = @outcome WHERE id = @id AND status = 0",
            "status", "at", "outcome", "id");
        foreach (var (id, status, outcome) in MilestoneOutcomes)
        {
            await w.AddAsync(ct, status, now, outcome, id);
        }

        await w.FlushAsync(ct);
        return w.Affected;
    }

    /// <summary>
    /// PostgreSQL: the batch's status changes as one statement over arrays (one row a milestone),
    /// with the same guard: a row no longer pending is not updated, so it is missing from the count.
    /// </summary>
    private async Task<long> CompleteMilestonesPostgresAsync(DbConnection connection, DbTransaction transaction, Instant now, CancellationToken ct)
    {
        if (MilestoneOutcomes.Count == 0)
        {
            return 0;
        }

        var ids = new long[MilestoneOutcomes.Count];
        var statuses = new int[ids.Length];
        var outcomes = new string[ids.Length];
        for (var i = 0; i < ids.Length; i++)
        {
            (ids[i], var status, outcomes[i]) = MilestoneOutcomes[i];
            statuses[i] = (int)status;
        }

        await using var command = Db.Command(connection, transaction, """
            UPDATE milestones m SET status = u.status, completed_at = @at, outcome = u.outcome
            FROM unnest(@ids, @statuses, @outcomes) AS u(id, status, outcome)
            WHERE m.id = u.id AND m.status = 0
            """);
        Db.Add(command, DatabaseProvider.PostgreSql, "at", now);
        Db.Add(command, DatabaseProvider.PostgreSql, "ids", ids);
        Db.Add(command, DatabaseProvider.PostgreSql, "statuses", statuses);
        Db.Add(command, DatabaseProvider.PostgreSql, "outcomes", outcomes);
        return await command.ExecuteNonQueryAsync(ct);
    }

    /// <summary>
    /// PostgreSQL: the subscriptions' changes as one statement over arrays. Where a subscription
    /// is changed twice in a batch the last change is the one kept, as row-by-row updates would leave it.
    /// </summary>
    private async Task UpdateSubscriptionsPostgresAsync(DbConnection connection, DbTransaction transaction, CancellationToken ct)
    {
        if (SubscriptionChanges.Count == 0)
        {
            return;
        }

        var last = new Dictionary<long, int>(SubscriptionChanges.Count);
        for (var i = 0; i < SubscriptionChanges.Count; i++)
        {
            last[SubscriptionChanges[i].SubscriptionId] = i;
        }

        var ids = new long[last.Count];
        var statuses = new int[last.Count];
        var endsOn = new LocalDate?[last.Count];
        var terms = new int[last.Count];
        var n = 0;
        foreach (var i in last.Values.Order())
        {
            var change = SubscriptionChanges[i];
            ids[n] = change.SubscriptionId;
            statuses[n] = (int)change.Status;
            endsOn[n] = change.EndsOn;
            terms[n] = change.CurrentTermNumber;
            n++;
        }

        await using var command = Db.Command(connection, transaction, """
            UPDATE subscriptions s SET status = u.status, ends_on = u.ends_on, current_term_number = u.term
            FROM unnest(@ids, @statuses, @ends_on, @terms) AS u(id, status, ends_on, term)
            WHERE s.id = u.id
            """);
        Db.Add(command, DatabaseProvider.PostgreSql, "ids", ids);
        Db.Add(command, DatabaseProvider.PostgreSql, "statuses", statuses);
        Db.Add(command, DatabaseProvider.PostgreSql, "ends_on", endsOn);
        Db.Add(command, DatabaseProvider.PostgreSql, "terms", terms);
        await command.ExecuteNonQueryAsync(ct);
    }

    /// <summary>PostgreSQL: the terms the batch locks, as one statement over arrays.</summary>
    private async Task LockTermsPostgresAsync(DbConnection connection, DbTransaction transaction, CancellationToken ct)
    {
        if (LockedTerms.Count == 0)
        {
            return;
        }

        await using var command = Db.Command(connection, transaction, """
            UPDATE terms t SET is_locked = TRUE
            FROM unnest(@subscriptions, @numbers) AS u(subscription_id, number)
            WHERE t.subscription_id = u.subscription_id AND t.number = u.number
            """);
        Db.Add(command, DatabaseProvider.PostgreSql, "subscriptions", LockedTerms.Select(t => t.SubscriptionId).ToArray());
        Db.Add(command, DatabaseProvider.PostgreSql, "numbers", LockedTerms.Select(t => t.TermNumber).ToArray());
        await command.ExecuteNonQueryAsync(ct);
    }

    public static RowWriter MilestoneInserter(DbConnection connection, DbTransaction transaction, DatabaseProvider provider) =>
        RowWriter.Insert(connection, transaction, provider, "milestones",
            "subscription_id", "term_number", "kind", "variant", "date", "due_at", "status", "recommended_validation", "completed_at", "outcome");

    public static Task AddMilestoneAsync(RowWriter writer, Milestone m, CancellationToken ct) =>
        writer.AddAsync(ct, m.SubscriptionId, m.TermNumber, m.Kind, m.Variant, m.Date, m.DueAt, m.Status, m.RecommendedValidation, m.CompletedAt, m.Outcome);
}
