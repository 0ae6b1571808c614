using Microsoft.EntityFrameworkCore;
using NodaTime;
using Renewals.Core.Access;
using Renewals.Data;

namespace Renewals.Core.Administration;

/// <summary>The kinds of row the audit trail names in <c>AuditEntry.Entity</c>.</summary>
public static class AuditEntities
{
    public const string Account = "account";
    public const string Subscription = "subscription";
    public const string Milestone = "milestone";
    public const string Outbox = "outbox";
    public const string Invoice = "invoice";
    public const string CreditNote = "credit-note";
    public const string ReviewMeeting = "review-meeting";
    public const string AdvisorTask = "advisor-task";
    public const string Advisor = "advisor";
    public const string Product = "product";
    public const string ProductFamily = "product-family";
    public const string PartnerContract = "partner-contract";
    public const string Policy = "policy";
    public const string WebUser = "web-user";
    public const string WebhookEndpoint = "webhook-endpoint";
    public const string WebhookDelivery = "webhook-delivery";
    public const string CalendarFeed = "calendar-feed";
}

/// <summary>
/// What to look for in the audit trail. An account takes in what was done to its
/// subscriptions, their milestones, its messages, invoices, meetings and tasks; a
/// subscription likewise. <paramref name="From"/> is included, <paramref name="Until"/> not.
/// </summary>
public sealed record AuditQuery(
    long? AccountId = null, long? SubscriptionId = null, string? Actor = null, Instant? From = null, Instant? Until = null, int Page = 1, int PageSize = 50);

public sealed record AuditLine(long Id, Instant At, string Actor, string Action, string Entity, long EntityId, string? Details);

/// <summary>One page of a longer list; <see cref="Total"/> counts every match.</summary>
public sealed record Paged<T>(IReadOnlyList<T> Items, int Page, int PageSize, int Total)
{
    public int Pages => Total == 0 ? 1 : (Total + PageSize - 1) / PageSize;
}

/// <summary>The audit trail for administrators: newest first, filtered and paged.</summary>
public sealed class AuditTrailService(RenewalsDbContext db)
{
    public const int MaxPageSize = 200;

    public async Task<Paged<AuditLine>> SearchAsync(Actor actor, AuditQuery query, CancellationToken ct = default)
    {
        ArgumentNullException.ThrowIfNull(actor);
        ArgumentNullException.ThrowIfNull(query);
        actor.RequireAdministrator();
        var page = Math.Max(1, query.Page);
        var size = Math.Clamp(query.PageSize, 1, MaxPageSize);
        var rows = db.Audit.AsNoTracking();
        if (query.AccountId is { } accountId)
        {
            var subscriptions = db.Subscriptions.Where(s => s.AccountId == accountId).Select(s => s.Id);
            var milestones = db.Milestones.Where(m => subscriptions.Contains(m.SubscriptionId)).Select(m => m.Id);
            var messages = db.Outbox.Where(m => m.AccountId == accountId).Select(m => m.Id);
            var invoices = db.Invoices.Where(i => i.AccountId == accountId).Select(i => i.Id);
            var creditNotes = db.CreditNotes.Where(c => c.AccountId == accountId).Select(c => c.Id);
            var meetings = db.ReviewMeetings.Where(m => m.AccountId == accountId).Select(m => m.Id);
            var tasks = db.AdvisorTasks.Where(t => t.AccountId == accountId).Select(t => t.Id);
            rows = rows.Where(a =>
                (a.Entity == AuditEntities.Account && a.EntityId == accountId)
                || (a.Entity == AuditEntities.Subscription && subscriptions.Contains(a.EntityId))
                || (a.Entity == AuditEntities.Milestone && milestones.Contains(a.EntityId))
                || (a.Entity == AuditEntities.Outbox && messages.Contains(a.EntityId))
                || (a.Entity == AuditEntities.Invoice && invoices.Contains(a.EntityId))
                || (a.Entity == AuditEntities.CreditNote && creditNotes.Contains(a.EntityId))
                || (a.Entity == AuditEntities.ReviewMeeting && meetings.Contains(a.EntityId))
                || (a.Entity == AuditEntities.AdvisorTask && tasks.Contains(a.EntityId)));
        }

        if (query.SubscriptionId is { } subscriptionId)
        {
            var milestones = db.Milestones.Where(m => m.SubscriptionId == subscriptionId).Select(m => m.Id);
            var messages = db.Outbox.Where(m => m.SubscriptionId == subscriptionId).Select(m => m.Id);
            var invoices = db.Invoices.Where(i => i.SubscriptionId == subscriptionId).Select(i => i.Id);
            var creditNotes = db.CreditNotes.Where(c => c.SubscriptionId == subscriptionId).Select(c => c.Id);
            var tasks = db.AdvisorTasks.Where(t => t.SubscriptionId == subscriptionId).Select(t => t.Id);
            rows = rows.Where(a =>
                (a.Entity == AuditEntities.Subscription && a.EntityId == subscriptionId)
                || (a.Entity == AuditEntities.Milestone && milestones.Contains(a.EntityId))
                || (a.Entity == AuditEntities.Outbox && messages.Contains(a.EntityId))
                || (a.Entity == AuditEntities.Invoice && invoices.Contains(a.EntityId))
                || (a.Entity == AuditEntities.CreditNote && creditNotes.Contains(a.EntityId))
                || (a.Entity == AuditEntities.AdvisorTask && tasks.Contains(a.EntityId)));
        }

        if (!string.IsNullOrWhiteSpace(query.Actor))
        {
            var who = query.Actor.Trim();
            rows = rows.Where(a => a.Actor == who);
        }

        if (query.From is { } from)
        {
            rows = rows.Where(a => a.At >= from);
        }

        if (query.Until is { } until)
        {
            rows = rows.Where(a => a.At < until);
        }

        var total = await rows.CountAsync(ct);
        var items = await rows.OrderByDescending(a => a.At).ThenByDescending(a => a.Id).Skip((page - 1) * size).Take(size)
            .Select(a => new AuditLine(a.Id, a.At, a.Actor, a.Action, a.Entity, a.EntityId, a.Details)).ToListAsync(ct);
        return new Paged<AuditLine>(items, page, size, total);
    }
}
