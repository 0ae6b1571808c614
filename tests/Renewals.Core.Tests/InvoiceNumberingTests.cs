using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Storage;
using NodaTime;
using Renewals.Core.Engine;
using Renewals.Core.Invoicing;
using Renewals.Data;
using Renewals.Data.Model;
using Renewals.Domain.Invoicing;

namespace Renewals.Core.Tests;

public sealed class InvoiceNumberTests
{
    [Theory]
    [InlineData(2027, 1, "INV-2027-000001")]
    [InlineData(2028, 42, "INV-2028-000042")]
    [InlineData(2030, 999_999, "INV-2030-999999")]
    public void A_number_is_written_with_its_year_and_six_digits_and_reads_back(int year, int sequence, string text)
    {
        var number = new InvoiceNumber(year, sequence);

        Assert.Equal(text, number.ToString());
        Assert.True(InvoiceNumber.TryParse(text, out var parsed));
        Assert.Equal(number, parsed);
    }

    [Theory]
    [InlineData(null)]
    [InlineData("")]
    [InlineData("INV-2027-1")]
    [InlineData("INV-2027-0000001")]
    [InlineData("INV-2027-000000")]
    [InlineData("FAC-2027-000001")]
    [InlineData("INV-27-000001")]
    public void Anything_else_is_not_an_invoice_number(string? text) => Assert.False(InvoiceNumber.TryParse(text, out _));

    [Fact]
    public void Sequences_outside_one_to_999999_are_refused()
    {
        Assert.Throws<ArgumentOutOfRangeException>(() => new InvoiceNumber(2027, 0));
        Assert.Throws<ArgumentOutOfRangeException>(() => new InvoiceNumber(2027, 1_000_000));
    }
}

public sealed class SqliteInvoiceNumberingTests() : InvoiceNumberingTests(DatabaseProvider.Sqlite);

public sealed class PostgresInvoiceNumberingTests() : InvoiceNumberingTests(DatabaseProvider.PostgreSql);

/// <summary>Invoice numbers: one gapless sequence per year of issue, given in the issuing transaction.</summary>
public abstract class InvoiceNumberingTests(DatabaseProvider provider) : DatabaseTest(provider)
{
    [Fact]
    public async Task Each_year_of_issue_starts_its_own_sequence_at_one()
    {
        var paris = await Book.AccountAsync("Paris");
        var auckland = await Book.AccountAsync("Auckland", zone: "Pacific/Auckland");
        await Book.SellAsync(paris.Id, Date("2027-12-31"), years: 1);
        await Book.SellAsync(auckland.Id, Date("2027-12-31"), years: 1);
        await Book.SellAsync(auckland.Id, Date("2028-01-01"), years: 1);
        await Book.SellAsync(paris.Id, Date("2028-01-01"), years: 1);

        // In Auckland 1 January 2028 begins while it is still 31 December in Paris.
        await Engine().RunAsync(Instant.FromUtc(2027, 12, 31, 12, 0));
        await RunOnAsync(Date("2028-01-01"));

        await using var db = Database.Context();
        var invoices = await db.Invoices.AsNoTracking().OrderBy(i => i.Number).Select(i => new { i.Number, i.IssuedOn }).ToListAsync();
        Assert.Equal(["INV-2027-000001", "INV-2027-000002", "INV-2028-000001", "INV-2028-000002"], invoices.Select(i => i.Number));
        Assert.All(invoices, i => Assert.StartsWith($"INV-{i.IssuedOn.Year}-", i.Number, StringComparison.Ordinal));
    }

    [Fact]
    public async Task Numbers_taken_by_a_transaction_that_rolls_back_are_given_again()
    {
        await using (var db = Database.Context())
        {
            await using var transaction = await db.Database.BeginTransactionAsync();
            var lost = NewInvoices(3);
            await InvoiceNumbering.AssignAsync(db.Database.GetDbConnection(), transaction.GetDbTransaction(), Provider, lost, default);
            Assert.Equal(["INV-2029-000001", "INV-2029-000002", "INV-2029-000003"], lost.Select(i => i.Number));
            await transaction.RollbackAsync();
        }

        await using (var db = Database.Context())
        {
            await using var transaction = await db.Database.BeginTransactionAsync();
            var kept = NewInvoices(2);
            await InvoiceNumbering.AssignAsync(db.Database.GetDbConnection(), transaction.GetDbTransaction(), Provider, kept, default);
            await transaction.CommitAsync();
            Assert.Equal(["INV-2029-000001", "INV-2029-000002"], kept.Select(i => i.Number));
        }
    }

    [Fact]
    public async Task A_second_run_changes_no_number_already_issued()
    {
        var account = await Book.AccountAsync();
        var subscription = await Book.SellAsync(account.Id, Date("2027-01-15"), years: 2);
        await RunOnAsync(Date("2027-01-15"));
        var first = (await InvoicesAsync(subscription.Id)).Select(i => (i.Id, i.Number)).ToList();

        await RunOnAsync(Date("2028-01-15"));

        var after = (await InvoicesAsync(subscription.Id)).Select(i => (i.Id, i.Number)).ToList();
        Assert.Equal(first, after.Take(first.Count));
        Assert.Equal(["INV-2027-000001", "INV-2028-000001"], after.Select(i => i.Number));
    }

    [Fact]
    public async Task A_second_issuer_waits_for_the_first_to_commit_then_continues_the_sequence_without_a_gap()
    {
        // The first issuer takes two numbers and keeps the year's counter locked in its open transaction.
        await using var first = Database.Context();
        await using var firstTransaction = await first.Database.BeginTransactionAsync();
        var firstInvoices = NewInvoices(2);
        await InvoiceNumbering.AssignAsync(first.Database.GetDbConnection(), firstTransaction.GetDbTransaction(), Provider, firstInvoices, default);

        // Started while the counter is held, on a thread of its own (SQLite's driver blocks its caller while it waits).
        var secondInvoices = NewInvoices(3);
        var second = Task.Run(async () =>
        {
            await using var db = Database.Context();
            await using var transaction = await db.Database.BeginTransactionAsync();
            await InvoiceNumbering.AssignAsync(db.Database.GetDbConnection(), transaction.GetDbTransaction(), Provider, secondInvoices, default);
            await transaction.CommitAsync();
        });
        await Waiting.UntilBlockedAsync(Database, Provider, second);
        await firstTransaction.CommitAsync();
        await second;

        Assert.Equal(["INV-2029-000001", "INV-2029-000002"], firstInvoices.Select(i => i.Number));
        Assert.Equal(["INV-2029-000003", "INV-2029-000004", "INV-2029-000005"], secondInvoices.Select(i => i.Number));
        await using var check = Database.Context();
        Assert.Equal(5, (await check.InvoiceSequences.AsNoTracking().SingleAsync(q => q.Year == 2029)).LastNumber);
    }

    [Fact]
    public async Task An_engine_that_waits_on_a_transaction_that_rolls_back_numbers_its_invoices_from_one()
    {
        var account = await Book.AccountAsync();
        for (var i = 0; i < 12; i++)
        {
            await Book.SellAsync(account.Id, Date("2029-05-01"), years: 1);
        }

        await using var holder = Database.Context();
        await using var holding = await holder.Database.BeginTransactionAsync();
        await InvoiceNumbering.AssignAsync(holder.Database.GetDbConnection(), holding.GetDbTransaction(), Provider, NewInvoices(4), default);

        var engine = Task.Run(() => RunOnAsync(Date("2029-05-01")));
        await Waiting.UntilBlockedAsync(Database, Provider, engine);
        await holding.RollbackAsync();
        var run = await engine;

        Assert.True(run.Done >= 12);
        Assert.Equal(Enumerable.Range(1, 12), await SequencesAsync(2029));
    }

    protected async Task<List<int>> SequencesAsync(int year)
    {
        await using var db = Database.Context();
        var numbers = await db.Invoices.Select(i => i.Number).ToListAsync();
        return [.. numbers.Select(n => InvoiceNumber.TryParse(n, out var parsed) ? parsed : throw new InvalidOperationException(n))
            .Where(n => n.Year == year).Select(n => n.Sequence).Order()];
    }

    private static List<Invoice> NewInvoices(int count) =>
        [.. Enumerable.Range(0, count).Select(_ => new Invoice { Currency = "EUR", IssuedOn = new LocalDate(2029, 5, 1) })];
}
