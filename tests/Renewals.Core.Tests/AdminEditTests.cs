using System.Globalization;
using Microsoft.EntityFrameworkCore;
using NodaTime;
using Renewals.Core.Access;
using Renewals.Core.Administration;
using Renewals.Data;
using Renewals.Domain;

namespace Renewals.Core.Tests;

public sealed class SqliteAdminEditTests() : AdminEditTests(DatabaseProvider.Sqlite);

public sealed class PostgresAdminEditTests() : AdminEditTests(DatabaseProvider.PostgreSql);

/// <summary>The administrators' edits: a product, a renewal policy (previewed on the domain's timeline first) and a partner contract.</summary>
public abstract class AdminEditTests(DatabaseProvider provider) : DatabaseTest(provider)
{
    private static readonly CultureInfo English = CultureInfo.GetCultureInfo("en");
    private static readonly Actor Alice = new Actor.Admin("alice");

    [Fact]
    public async Task A_product_is_edited_into_another_family_with_a_new_price_and_bad_input_changes_nothing()
    {
        await Book.ProductAsync("DSN-PRO", "Design");
        await using var work = Database.Context();
        var edits = new AdministrationEditService(work, Clock);
        var id = await work.Products.Where(p => p.Code == "DSN-PRO").Select(p => p.Id).SingleAsync();

        var noCurrency = await Assert.ThrowsAsync<DomainException>(() => edits.UpdateProductAsync(Alice, id, new ProductChange("Design Pro", "Design", 1200m, null)));
        var badCurrency = await Assert.ThrowsAsync<DomainException>(() => edits.UpdateProductAsync(Alice, id, new ProductChange("Design Pro", "Design", 1200m, "EURO")));
        var noName = await Assert.ThrowsAsync<DomainException>(() => edits.UpdateProductAsync(Alice, id, new ProductChange(" ", "Design", null, null)));
        var unknown = await Assert.ThrowsAsync<DomainException>(() => edits.UpdateProductAsync(Alice, 987654, new ProductChange("X", "Design", null, null)));
        var byAdvisor = await Assert.ThrowsAsync<DomainException>(() => edits.UpdateProductAsync(new Actor.Advisor(1), id, new ProductChange("X", "Design", null, null)));
        var changed = await edits.UpdateProductAsync(Alice, id, new ProductChange(" Design Studio ", " Studio ", 1250.50m, "chf"));

        Assert.Equal("'EURO' is not a currency code (three letters, such as EUR).", badCurrency.Describe(English));
        Assert.Equal(DomainErrors.LineCurrency, noCurrency.Code);
        Assert.Equal(DomainErrors.ProductNameRequired, noName.Code);
        Assert.Equal(DomainErrors.ProductUnknown, unknown.Code);
        Assert.Equal(DomainErrors.AdministratorsOnly, byAdvisor.Code);
        Assert.Equal(("DSN-PRO", "Design Studio", "Studio", (decimal?)1250.50m, "CHF"), (changed.Code, changed.Name, changed.Family, changed.YearlyUnitPrice, changed.Currency));

        await using var check = Database.Context();
        var row = await check.Products.AsNoTracking().Include(p => p.Family).SingleAsync(p => p.Id == id);
        Assert.Equal(("Design Studio", "Studio", (decimal?)1250.50m, "CHF"), (row.Name, row.Family!.Name, row.YearlyUnitPrice, row.Currency));
        var audit = Assert.Single(await check.Audit.AsNoTracking().Where(a => a.Action == "product.changed").ToListAsync());
        Assert.Equal(("admin:alice", id, "DSN-PRO: Product DSN-PRO in Design, no list price -> Design Studio in Studio, 1250.50 CHF"), (audit.Actor, audit.EntityId, audit.Details));
    }

    [Fact]
    public async Task A_policy_change_is_previewed_on_a_sample_start_then_saved_and_a_policy_the_domain_refuses_is_not_stored()
    {
        await using var work = Database.Context();
        var edits = new AdministrationEditService(work, Clock);
        var policy = Assert.Single(await edits.PoliciesAsync(Alice));
        Assert.Equal(("default", 90, "120 60", 60), (policy.Name, policy.CheckInDays, string.Join(" ", policy.ReminderDays), policy.NoticeDays));
        var change = new PolicyChange(30, [30, 90], 45);

        var preview = await edits.PreviewPolicyAsync(Alice, policy.Id, change, new LocalDate(2027, 1, 15));

        // Dates worked out by hand (and with Python's datetime) for a one-year term from 15 January 2027, renewed on 15 January 2028.
        LocalDate? Current(string key) => preview.Single(l => l.Key == key).Current?.Date;
        LocalDate? Proposed(string key) => preview.Single(l => l.Key == key).Proposed?.Date;
        Assert.Equal((new LocalDate(2027, 4, 15), new LocalDate(2027, 2, 14)), (Current("1:check-in"), Proposed("1:check-in")));
        Assert.Equal((new LocalDate(2027, 9, 17), (LocalDate?)null), (Current("1:reminder-120"), Proposed("1:reminder-120")));
        Assert.Equal(((LocalDate?)null, new LocalDate(2027, 10, 17)), (Current("1:reminder-90"), Proposed("1:reminder-90")));
        Assert.Equal(((LocalDate?)null, new LocalDate(2027, 12, 16)), (Current("1:reminder-30"), Proposed("1:reminder-30")));
        Assert.Equal((new LocalDate(2027, 11, 16), new LocalDate(2027, 12, 1)), (Current("1:cancellation-deadline"), Proposed("1:cancellation-deadline")));
        Assert.Equal(new LocalDate(2028, 12, 1), Proposed("2:cancellation-deadline"));
        Assert.False(preview.Single(l => l.Key == "1:anniversary").Moves);
        await using (var unchanged = Database.Context())
        {
            Assert.Equal((90, "120,60", 60), (await unchanged.Policies.AsNoTracking().SingleAsync()) is var u ? (u.CheckInDays, u.ReminderDays, u.NoticeDays) : default);
        }

        var repeated = await Assert.ThrowsAsync<DomainException>(() => edits.UpdatePolicyAsync(Alice, policy.Id, new PolicyChange(30, [60, 60], 45)));
        var tooLong = await Assert.ThrowsAsync<DomainException>(() => edits.PreviewPolicyAsync(Alice, policy.Id, new PolicyChange(30, [60], 400), new LocalDate(2027, 1, 15)));
        var saved = await edits.UpdatePolicyAsync(Alice, policy.Id, change);

        Assert.Equal("Each reminder offset may appear only once (60, 60).", repeated.Describe(English));
        Assert.Equal(DomainErrors.NoticeDays, tooLong.Code);
        Assert.Equal((30, "90 30", 45), (saved.CheckInDays, string.Join(" ", saved.ReminderDays), saved.NoticeDays));
        await using var check = Database.Context();
        Assert.Equal((30, "90,30", 45), (await check.Policies.AsNoTracking().SingleAsync()) is var p ? (p.CheckInDays, p.ReminderDays, p.NoticeDays) : default);
        var audit = Assert.Single(await check.Audit.AsNoTracking().Where(a => a.Action == "policy.changed").ToListAsync());
        Assert.Equal(("admin:alice", "default: check-in 90, reminders 120,60, notice 60 -> check-in 30, reminders 90,30, notice 45"), (audit.Actor, audit.Details));
    }

    [Fact]
    public async Task A_partner_contract_gets_new_notice_days_within_a_term_only_and_the_accounts_list_shows_each_advisor()
    {
        var contractId = await Book.PartnerContractAsync(noticeDays: 90, filedByPartnerOnly: false, name: "Northwind Resellers");
        var advisor = await Book.AdvisorAsync("Camille Laurent");
        var acme = await Book.AccountAsync("Acme");
        await Book.AccountAsync("Globex");
        await using var work = Database.Context();
        var edits = new AdministrationEditService(work, Clock);
        await new AdministrationService(work, Clock).AssignAccountAsync(Alice, acme.Id, advisor);

        var refused = await Assert.ThrowsAsync<DomainException>(() => edits.UpdatePartnerContractAsync(Alice, contractId, 0, true));
        var unknown = await Assert.ThrowsAsync<DomainException>(() => edits.UpdatePartnerContractAsync(Alice, 987654, 30, true));
        var changed = await edits.UpdatePartnerContractAsync(Alice, contractId, 120, true);

        Assert.Equal("The notice period must be between 1 and 364 days so that it fits in a 12-month term, not 0.", refused.Describe(English));
        Assert.Equal(DomainErrors.PartnerContractUnknown, unknown.Code);
        Assert.Equal((120, true), (changed.NoticeDays, changed.FiledByPartnerOnly));
        await using var check = Database.Context();
        var row = await check.PartnerContracts.AsNoTracking().SingleAsync(c => c.Id == contractId);
        Assert.Equal((120, true), (row.NoticeDays, row.CancellationFiledByPartnerOnly));
        var audit = Assert.Single(await check.Audit.AsNoTracking().Where(a => a.Action == "partner-contract.changed").ToListAsync());
        Assert.Equal("Northwind Resellers: 90 days, customer or partner -> 120 days, partner only", audit.Details);

        var accounts = await edits.AccountsAsync(Alice, "ACM", 10);
        Assert.Equal([(acme.Id, "Acme", (long?)advisor, "Camille Laurent")], accounts.Select(a => (a.Id, a.Name, a.AdvisorId, a.Advisor)));
        Assert.Equal(2, (await edits.AccountsAsync(Alice, null, 10)).Count);
    }
}
