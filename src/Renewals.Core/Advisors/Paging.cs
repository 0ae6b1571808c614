using Microsoft.EntityFrameworkCore;
using Renewals.Data.Model;

namespace Renewals.Core.Advisors;

/// <summary>
/// Where a page of a list starts: right after a row (<see cref="After"/>, the next page), right
/// before one (<see cref="Before"/>, the previous page), or at the top when neither is given.
/// The row is named by its id: the list finds the row's place in its own order (keyset paging,
/// so a page deep in the list costs what the first one costs). A row that is not in the list
/// (gone, or not the actor's) starts the list at the top.
/// </summary>
public sealed record PageAt(long? After = null, long? Before = null, int Size = PageAt.DefaultSize)
{
    public const int DefaultSize = 50;

    public const int MaxSize = 200;

    public static PageAt Top { get; } = new();

    /// <summary>The size within 1 to <see cref="MaxSize"/>, so a query string cannot ask for the whole book at once.</summary>
    public int Rows => Math.Clamp(Size, 1, MaxSize);
}

/// <summary>One page of a list: its rows, how many rows come before them, and how many the list holds.</summary>
public sealed record Paged<T>(IReadOnlyList<T> Items, int Skipped, int Total)
{
    /// <summary>The position of the first row shown, counting from 1; 0 on an empty page.</summary>
    public int From => Items.Count == 0 ? 0 : Skipped + 1;

    /// <summary>The position of the last row shown.</summary>
    public int To => Skipped + Items.Count;

    public bool HasPrevious => Skipped > 0;

    public bool HasNext => Skipped + Items.Count < Total;

    /// <summary>The anchor of the previous page (its rows come before this one's first); null on the first page.</summary>
    public long? PreviousBefore { get; init; }

    /// <summary>The anchor of the next page (its rows come after this one's last); null on the last page.</summary>
    public long? NextAfter { get; init; }
}

/// <summary>Builds pages with their links' anchors.</summary>
public static class Paged
{
    /// <summary>A page whose rows are named by <paramref name="id"/>, the key its links carry.</summary>
    public static Paged<T> Of<T>(IReadOnlyList<T> items, int skipped, int total, Func<T, long> id)
    {
        ArgumentNullException.ThrowIfNull(items);
        ArgumentNullException.ThrowIfNull(id);
        var page = new Paged<T>(items, skipped, total);
        return page with
        {
            PreviousBefore = page.HasPrevious && items.Count > 0 ? id(items[0]) : null,
            NextAfter = page.HasNext && items.Count > 0 ? id(items[^1]) : null,
        };
    }
}

/// <summary>An account as the book and the partner's customer list page it: by name, then id (two accounts may share a name).</summary>
internal sealed record AccountRow(long Id, string Name, string TimeZoneId, bool RequiresPurchaseOrder, string? Partner);

/// <summary>Keyset paging over accounts in (name, id) order, all in SQL so the comparison and the order use the same collation.</summary>
internal static class AccountPages
{
    [System.Diagnostics.CodeAnalysis.SuppressMessage("Globalization", "CA1309", Justification = "Translated to SQL: the comparison must use the column's collation, as ORDER BY does.")]
    public static async Task<(List<AccountRow> Rows, int Skipped, int Total)> ReadAsync(IQueryable<Account> accounts, PageAt at, CancellationToken ct)
    {
        accounts = accounts.AsNoTracking();
        var size = at.Rows;
        var anchorId = at.After ?? at.Before;
        var anchor = anchorId is { } id ? await accounts.Where(a => a.Id == id).Select(a => new { a.Id, a.Name }).SingleOrDefaultAsync(ct) : null;
        List<AccountRow> rows;
        if (anchor is not null && at.After is not null)
        {
            rows = await Rows(accounts.Where(a => string.Compare(a.Name, anchor.Name) > 0 || (a.Name == anchor.Name && a.Id > anchor.Id))
                .OrderBy(a => a.Name).ThenBy(a => a.Id)).Take(size).ToListAsync(ct);
        }
        else if (anchor is not null)
        {
            rows = await Rows(accounts.Where(a => string.Compare(a.Name, anchor.Name) < 0 || (a.Name == anchor.Name && a.Id < anchor.Id))
                .OrderByDescending(a => a.Name).ThenByDescending(a => a.Id)).Take(size).ToListAsync(ct);
            rows.Reverse();
        }
        else
        {
            rows = [];
        }

        // No anchor, or a previous page shorter than a page (rows were added or removed since): the top of the list, so the first page always looks the same.
        if (anchor is null || (at.After is null && rows.Count < size))
        {
            rows = await Rows(accounts.OrderBy(a => a.Name).ThenBy(a => a.Id)).Take(size).ToListAsync(ct);
        }
        else if (rows.Count == 0)
        {
            // Nothing after the anchor any more (the rows after it went away): the last page rather than an empty one.
            rows = await Rows(accounts.OrderByDescending(a => a.Name).ThenByDescending(a => a.Id)).Take(size).ToListAsync(ct);
            rows.Reverse();
        }

        var total = await accounts.CountAsync(ct);
        var skipped = 0;
        if (rows.Count > 0 && anchor is not null)
        {
            var first = rows[0];
            skipped = await accounts.CountAsync(a => string.Compare(a.Name, first.Name) < 0 || (a.Name == first.Name && a.Id < first.Id), ct);
        }

        return (rows, skipped, total);
    }

    private static IQueryable<AccountRow> Rows(IQueryable<Account> accounts) =>
        accounts.Select(a => new AccountRow(a.Id, a.Name, a.TimeZoneId, a.RequiresPurchaseOrder, a.Partner == null ? null : a.Partner.Name));
}
