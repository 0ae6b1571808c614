using System.Data.Common;
using System.Globalization;
using Renewals.Data;
using Renewals.Data.Model;
using Renewals.Data.Sql;

namespace Renewals.Core.Engine;

/// <summary>The rows a batch of claimed milestones needs, loaded in a few set-based queries.</summary>
internal sealed class BatchData
{
    public required ILookup<long, ContactRow> ContactsByAccount { get; init; }

    public required ILookup<long, LineRow> LinesBySubscription { get; init; }

    public required ILookup<long, NoticeRow> NoticesBySubscription { get; init; }

    public required ILookup<long, PurchaseOrderRow> PurchaseOrdersByAccount { get; init; }

    /// <summary>The lines of confirmed amendments, by subscription (their term says which anniversary renews them).</summary>
    public required ILookup<long, AmendedLineRow> AmendedLinesBySubscription { get; init; }

    public static async Task<BatchData> LoadAsync(
        DbConnection connection, DbTransaction transaction, DatabaseProvider provider, IReadOnlyList<ClaimedMilestone> batch, CancellationToken ct)
    {
        var accounts = batch.Select(m => m.AccountId).Distinct().ToArray();
        var subscriptions = batch.Select(m => m.SubscriptionId).Distinct().ToArray();

        var contacts = new List<ContactRow>();
        await using (var command = ByIds(connection, transaction, provider,
            "SELECT id, account_id, name, email, role, language FROM contacts WHERE account_id {0} ORDER BY id", accounts))
        await using (var reader = await command.ExecuteReaderAsync(ct))
        {
            while (await reader.ReadAsync(ct))
            {
                contacts.Add(new ContactRow(reader.GetInt64(0), reader.GetInt64(1), reader.GetString(2), reader.GetString(3),
                    (ContactRole)reader.GetInt32(4), reader.GetString(5)));
            }
        }

        var lines = new List<LineRow>();
        await using (var command = ByIds(connection, transaction, provider,
            "SELECT subscription_id, product_id, quantity, yearly_unit_price, currency FROM subscription_lines WHERE subscription_id {0} ORDER BY id", subscriptions))
        await using (var reader = await command.ExecuteReaderAsync(ct))
        {
            while (await reader.ReadAsync(ct))
            {
                lines.Add(new LineRow(reader.GetInt64(0), reader.GetInt64(1), reader.GetInt32(2), reader.GetDecimal(3), reader.GetString(4)));
            }
        }

        var notices = new List<NoticeRow>();
        await using (var command = ByIds(connection, transaction, provider,
            "SELECT subscription_id, received_in_term, is_on_time, effective_end_date FROM cancellation_notices WHERE withdrawn_at IS NULL AND subscription_id {0}", subscriptions))
        await using (var reader = await command.ExecuteReaderAsync(ct))
        {
            while (await reader.ReadAsync(ct))
            {
                notices.Add(new NoticeRow(reader.GetInt64(0), reader.GetInt32(1), reader.GetBoolean(2), Db.ReadDate(reader, 3, provider)));
            }
        }

        // Every account's orders, not only those flagged as requiring one: a registered order prints on every invoice it covers.
        var orders = new List<PurchaseOrderRow>();
        await using (var command = ByIds(connection, transaction, provider,
            "SELECT id, account_id, subscription_id, number, valid_from, valid_until, registered_at FROM purchase_orders WHERE account_id {0}", accounts))
        await using (var reader = await command.ExecuteReaderAsync(ct))
        {
            while (await reader.ReadAsync(ct))
            {
                orders.Add(new PurchaseOrderRow(reader.GetInt64(0), reader.GetInt64(1), reader.IsDBNull(2) ? null : reader.GetInt64(2), reader.GetString(3),
                    reader.IsDBNull(4) ? null : Db.ReadDate(reader, 4, provider),
                    reader.IsDBNull(5) ? null : Db.ReadDate(reader, 5, provider),
                    Db.ReadInstant(reader, 6, provider)));
            }
        }

        var amended = new List<AmendedLineRow>();
        await using (var command = ByIds(connection, transaction, provider,
            "SELECT a.id, a.subscription_id, a.term_number, l.product_id, l.quantity, l.net_yearly_unit_price, l.currency FROM amendments a " +
            "JOIN amendment_lines l ON l.amendment_id = a.id WHERE a.status = 1 AND a.subscription_id {0} ORDER BY l.id", subscriptions))
        await using (var reader = await command.ExecuteReaderAsync(ct))
        {
            while (await reader.ReadAsync(ct))
            {
                amended.Add(new AmendedLineRow(reader.GetInt64(0), reader.GetInt64(1), reader.GetInt32(2), reader.GetInt64(3), reader.GetInt32(4),
                    reader.GetDecimal(5), reader.GetString(6)));
            }
        }

        return new BatchData
        {
            AmendedLinesBySubscription = amended.ToLookup(l => l.SubscriptionId),
            ContactsByAccount = contacts.ToLookup(c => c.AccountId),
            LinesBySubscription = lines.ToLookup(l => l.SubscriptionId),
            NoticesBySubscription = notices.ToLookup(n => n.SubscriptionId),
            PurchaseOrdersByAccount = orders.ToLookup(o => o.AccountId),
        };
    }

    /// <summary>
    /// A query filtered on a set of ids (<c>{0}</c> in <paramref name="sql"/>). PostgreSQL: one
    /// array parameter, <c>= ANY(@ids)</c>, so the statement text is the same for every batch.
    /// SQLite: the ids, numbers read from the database, written into the SQL as literals.
    /// </summary>
    private static DbCommand ByIds(DbConnection connection, DbTransaction transaction, DatabaseProvider provider, string sql, long[] ids)
    {
        if (provider == DatabaseProvider.PostgreSql)
        {
            var command = Db.Command(connection, transaction, string.Format(CultureInfo.InvariantCulture, sql, "= ANY(@ids)"));
            Db.Add(command, provider, "ids", ids);
            return command;
        }

        return Db.Command(connection, transaction, string.Format(CultureInfo.InvariantCulture, sql,
            "IN (" + string.Join(",", ids.Select(id => id.ToString(CultureInfo.InvariantCulture))) + ")"));
    }
}
