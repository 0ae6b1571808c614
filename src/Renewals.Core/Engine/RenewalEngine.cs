using System.Data.Common;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Storage;
using NodaTime;
using Renewals.Data;
using Renewals.Data.Model;
using Renewals.Data.Sql;
using Renewals.Domain.Subscriptions;
using Renewals.Domain.Timeline;

namespace Renewals.Core.Engine;

public sealed record EngineOptions
{
    /// <summary>Milestones claimed and carried out per transaction.</summary>
    public int BatchSize { get; init; } = 1000;

    /// <summary>Who the audit trail names for what the engine does.</summary>
    public string Actor { get; init; } = "engine";

    /// <summary>
    /// SQLite: batches carried out in one transaction. Its commit, which writes the batch's dirty
    /// pages, was over 40 % of the engine's time; pages shared by several batches (the tails of the
    /// outbox, audit and invoice tables, the upper levels of indexes) are written once. Null: 8 on
    /// SQLite (one writer, nobody waits for the locks), 1 on PostgreSQL (a row lock held longer
    /// only makes the other instances skip more).
    /// </summary>
    public int? BatchesPerTransaction { get; init; }
}

/// <summary>
/// Finds the milestones that fall due and carries each out exactly once: a batch is claimed,
/// its effects computed, and the milestones' status change committed with all their effects
/// in one transaction, or nothing is. A crash loses at most an uncommitted transaction (a batch,
/// or a few on SQLite), which the next run claims again.
/// </summary>
public sealed class RenewalEngine(RenewalsDatabase database, IClock clock, EngineOptions? options = null)
{
    private readonly EngineOptions _options = options ?? new EngineOptions();

    /// <summary>Carries out everything due at <paramref name="asOf"/> (and not yet done).</summary>
    public async Task<EngineRunResult> RunAsync(Instant asOf, CancellationToken cancellationToken = default)
    {
        using var engineLock = EngineLock.Acquire(database);
        var reference = await LoadReferenceAsync(cancellationToken);
        var tally = new Tally();
        var perTransaction = Math.Max(1, _options.BatchesPerTransaction ?? (database.Provider == DatabaseProvider.Sqlite ? 8 : 1));
        while (true)
        {
            await using var db = database.CreateContext();
            await using var transaction = await db.Database.BeginTransactionAsync(cancellationToken);
            // Each batch claims in the same transaction, so it sees the batches before it as done:
            // the transaction still commits every status change with all its effects, or nothing.
            var count = 0;
            for (var i = 0; i < perTransaction; i++)
            {
                var batch = await RunBatchAsync(db, transaction, reference, asOf, tally, cancellationToken);
                count += batch;
                if (batch == 0)
                {
                    break;
                }
            }

            if (count == 0)
            {
                break;
            }

            await transaction.CommitAsync(cancellationToken);
        }

        return tally.Result();
    }

    /// <summary>
    /// Runs day after day up to <paramref name="until"/> inside one transaction that is
    /// rolled back, so nothing changes: what a real run would have done, day by day.
    /// </summary>
    public async Task SimulateAsync(
        IEnumerable<(LocalDate Day, Instant AsOf)> days, bool dryRun, Func<LocalDate, EngineRunResult, Task> onDay, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(days);
        ArgumentNullException.ThrowIfNull(onDay);
        if (!dryRun)
        {
            foreach (var (day, asOf) in days)
            {
                await onDay(day, await RunAsync(asOf, cancellationToken));
            }

            return;
        }

        using var engineLock = EngineLock.Acquire(database);
        var reference = await LoadReferenceAsync(cancellationToken);
        await using var db = database.CreateContext();
        await using var transaction = await db.Database.BeginTransactionAsync(cancellationToken);
        foreach (var (day, asOf) in days)
        {
            var tally = new Tally();
            while (await RunBatchAsync(db, transaction, reference, asOf, tally, cancellationToken) > 0)
            {
            }

            await onDay(day, tally.Result());
        }

        await transaction.RollbackAsync(cancellationToken);
    }

    private async Task<ReferenceData> LoadReferenceAsync(CancellationToken ct)
    {
        await using var db = database.CreateContext();
        if (database.Provider == DatabaseProvider.Sqlite)
        {
            // Statistics for the planner where tables changed a lot (a fresh import, say):
            // without them SQLite may scan the milestones instead of using the claim's index.
            await db.Database.ExecuteSqlRawAsync("PRAGMA optimize=0x10002", ct);
        }

        return await ReferenceData.LoadAsync(db, ct);
    }

    private async Task<int> RunBatchAsync(
        RenewalsDbContext db, IDbContextTransaction transaction, ReferenceData reference, Instant asOf, Tally tally, CancellationToken ct)
    {
        var connection = db.Database.GetDbConnection();
        var tx = transaction.GetDbTransaction();
        var claimed = await ClaimAsync(connection, tx, database.Provider, asOf, _options.BatchSize, ct);
        if (claimed.Count == 0)
        {
            return 0;
        }

        var data = await BatchData.LoadAsync(connection, tx, database.Provider, claimed, ct);
        var effects = new EffectSet();
        var executor = new MilestoneExecutor(reference, asOf, effects);
        foreach (var milestone in claimed)
        {
            executor.Execute(milestone, data);
        }

        // Read in the batch's transaction: an endpoint added later hears what happens from then on.
        var subscribers = await Webhooks.WebhookOutbox.SubscribersAsync(db, ct);
        await effects.WriteAsync(connection, tx, database.Provider, clock.GetCurrentInstant(), _options.Actor, subscribers, ct);
        tally.Add(effects);
        return claimed.Count;
    }

    /// <summary>
    /// The due milestones, at most one per subscription (its earliest pending one), so a
    /// subscription's steps always run in date order even with several engines. PostgreSQL
    /// locks the claimed rows and skips those another instance holds.
    /// </summary>
    internal static async Task<List<ClaimedMilestone>> ClaimAsync(
        DbConnection connection, DbTransaction transaction, DatabaseProvider provider, Instant asOf, int batchSize, CancellationToken ct)
    {
        var sql = $"""
            SELECT m.id, m.subscription_id, m.term_number, m.kind, m.variant, m.date, m.recommended_validation,
                   s.account_id, s.policy_id, s.partner_contract_id, s.start, s.initial_term_years, s.billing,
                   s.licence_delivery, s.is_first_in_product_family, s.status, s.current_term_number,
                   a.time_zone_id, a.name, a.requires_purchase_order, a.vat_rate, a.advisor_id, s.new_to_customer,
                   s.renewal_lengths
            FROM milestones m
            JOIN subscriptions s ON s.id = m.subscription_id
            JOIN accounts a ON a.id = s.account_id
            WHERE m.status = 0 AND m.due_at <= @as_of
              AND NOT EXISTS (
                  SELECT 1 FROM milestones e
                  WHERE e.subscription_id = m.subscription_id AND e.status = 0
                    AND (e.due_at < m.due_at OR (e.due_at = m.due_at AND e.kind < m.kind)))
            ORDER BY m.due_at, m.id
            LIMIT @batch
            {(provider == DatabaseProvider.PostgreSql ? "FOR UPDATE OF m SKIP LOCKED" : "")}
            """;
        await using var command = Db.Command(connection, transaction, sql);
        Db.Add(command, provider, "as_of", asOf);
        Db.Add(command, provider, "batch", batchSize);
        var claimed = new List<ClaimedMilestone>(batchSize);
        await using var reader = await command.ExecuteReaderAsync(ct);
        while (await reader.ReadAsync(ct))
        {
            claimed.Add(new ClaimedMilestone(
                Id: reader.GetInt64(0),
                SubscriptionId: reader.GetInt64(1),
                TermNumber: reader.GetInt32(2),
                Kind: (MilestoneKind)reader.GetInt32(3),
                Variant: reader.GetInt32(4),
                Date: Db.ReadDate(reader, 5, provider),
                RecommendedValidation: reader.GetBoolean(6),
                AccountId: reader.GetInt64(7),
                PolicyId: reader.GetInt64(8),
                PartnerContractId: reader.IsDBNull(9) ? null : reader.GetInt64(9),
                Start: Db.ReadDate(reader, 10, provider),
                InitialTermYears: reader.GetInt32(11),
                Billing: (BillingMode)reader.GetInt32(12),
                LicenceDelivery: (LicenceDelivery)reader.GetInt32(13),
                IsFirstInProductFamily: reader.GetBoolean(14),
                Status: (SubscriptionStatus)reader.GetInt32(15),
                CurrentTermNumber: reader.GetInt32(16),
                TimeZoneId: reader.GetString(17),
                AccountName: reader.GetString(18),
                RequiresPurchaseOrder: reader.GetBoolean(19),
                VatRate: reader.GetDecimal(20),
                AdvisorId: reader.IsDBNull(21) ? null : reader.GetInt64(21),
                NewToCustomer: reader.IsDBNull(22) ? null : reader.GetString(22),
                RenewalLengths: reader.IsDBNull(23) ? null : reader.GetString(23)));
        }

        return claimed;
    }

    private sealed class Tally
    {
        private readonly Dictionary<string, int> _byOutcome = new(StringComparer.Ordinal);
        private int _batches;
        private int _done;
        private int _skipped;

        public void Add(EffectSet effects)
        {
            _batches++;
            foreach (var (_, status, outcome) in effects.MilestoneOutcomes)
            {
                if (status == MilestoneStatus.Done)
                {
                    _done++;
                }
                else
                {
                    _skipped++;
                }

                _byOutcome[outcome] = _byOutcome.GetValueOrDefault(outcome) + 1;
            }
        }

        public EngineRunResult Result() => new(_batches, _done, _skipped, new Dictionary<string, int>(_byOutcome));
    }
}
