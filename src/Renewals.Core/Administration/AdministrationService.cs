using System.Net.Mail;
using Microsoft.EntityFrameworkCore;
using NodaTime;
using Renewals.Core.Access;
using Renewals.Core.Accounts;
using Renewals.Core.Catalog;
using Renewals.Core.Partners;
using Renewals.Data;
using Renewals.Data.Model;
using Renewals.Domain;

namespace Renewals.Core.Administration;

public sealed record NewAdvisor(string Name, string Email, string Language);

public sealed record AdvisorView(long Id, string Name, string Email, string Language, int Accounts);

public sealed record ProductFamilyView(long Id, string Name, int Products);

/// <summary>Who an account's advisor was and is, after an assignment.</summary>
public sealed record AdvisorAssignment(long AccountId, long? PreviousAdvisorId, long? AdvisorId, int TasksHandedOver);

/// <summary>
/// The administrators' writes: the catalogue, partners and their contracts, advisors and
/// their books. Each goes through the service the command line uses where there is one, and
/// leaves an audit row naming the administrator.
/// </summary>
public sealed class AdministrationService(RenewalsDbContext db, IClock clock)
{
    public async Task<ProductView> AddProductAsync(Actor actor, NewProduct product, CancellationToken ct = default)
    {
        Require(actor);
        var added = await new ProductService(db).AddAsync(product, ct);
        await AuditAsync(actor, "product.added", AuditEntities.Product, added.Id, $"{added.Code} in {added.Family}", ct);
        return added;
    }

    public Task<IReadOnlyList<ProductView>> ProductsAsync(Actor actor, CancellationToken ct = default)
    {
        Require(actor);
        return new ProductService(db).ListAsync(ct);
    }

    /// <summary>Adds a product family, or returns the one of that name (families are found by name, as a product's sale does).</summary>
    public async Task<ProductFamilyView> AddFamilyAsync(Actor actor, string name, CancellationToken ct = default)
    {
        Require(actor);
        var trimmed = name?.Trim() ?? "";
        if (trimmed.Length == 0)
        {
            throw new DomainException(DomainErrors.ProductFamilyRequired);
        }

        var family = await db.ProductFamilies.SingleOrDefaultAsync(f => f.Name == trimmed, ct);
        if (family is null)
        {
            family = new ProductFamily { Name = trimmed };
            db.ProductFamilies.Add(family);
            await db.SaveChangesAsync(ct);
            await AuditAsync(actor, "product-family.added", AuditEntities.ProductFamily, family.Id, trimmed, ct);
        }

        return new ProductFamilyView(family.Id, family.Name, await db.Products.CountAsync(p => p.FamilyId == family.Id, ct));
    }

    public async Task<IReadOnlyList<ProductFamilyView>> FamiliesAsync(Actor actor, CancellationToken ct = default)
    {
        Require(actor);
        return await db.ProductFamilies.AsNoTracking().OrderBy(f => f.Name)
            .Select(f => new ProductFamilyView(f.Id, f.Name, f.Products.Count)).ToListAsync(ct);
    }

    public async Task<PartnerContractView> AddPartnerContractAsync(Actor actor, NewPartnerContract contract, CancellationToken ct = default)
    {
        Require(actor);
        var added = await new PartnerService(db).AddAsync(contract, ct);
        await AuditAsync(actor, "partner-contract.added", AuditEntities.PartnerContract, added.ContractId,
            $"{added.Partner}: {added.NoticeDays} days, {(added.FiledByPartnerOnly ? "partner only" : "customer or partner")}", ct);
        return added;
    }

    public Task<IReadOnlyList<PartnerContractView>> PartnerContractsAsync(Actor actor, CancellationToken ct = default)
    {
        Require(actor);
        return new PartnerService(db).ListAsync(ct);
    }

    public async Task<AdvisorView> AddAdvisorAsync(Actor actor, NewAdvisor input, CancellationToken ct = default)
    {
        Require(actor);
        ArgumentNullException.ThrowIfNull(input);
        // The admin's form names the advisor in its error; the rest of the rules and the row are AdvisorService's.
        var email = input.Email?.Trim() ?? "";
        if (!MailAddress.TryCreate(email, out var address) || address.Address != email)
        {
            throw new DomainException(DomainErrors.AdvisorEmailInvalid, input.Email ?? "");
        }

        var added = await new AdvisorService(db).AddAsync(new Accounts.NewAdvisor(input.Name, email, input.Language), ct);
        var advisor = new AdvisorView(added.Id, added.Name, added.Email, added.Language, added.Accounts);
        await AuditAsync(actor, "advisor.added", AuditEntities.Advisor, advisor.Id, $"{advisor.Name} <{advisor.Email}>", ct);
        return advisor;
    }

    public async Task<IReadOnlyList<AdvisorView>> AdvisorsAsync(Actor actor, CancellationToken ct = default)
    {
        Require(actor);
        return await db.Advisors.AsNoTracking().OrderBy(a => a.Name).ThenBy(a => a.Id)
            .Select(a => new AdvisorView(a.Id, a.Name, a.Email, a.Language, a.Accounts.Count)).ToListAsync(ct);
    }

    /// <summary>
    /// Puts an account in an advisor's book (or takes it out with null). The account's open
    /// tasks still in the unassigned queue go to the new advisor: the queue is for accounts
    /// nobody looks after.
    /// </summary>
    public async Task<AdvisorAssignment> AssignAccountAsync(Actor actor, long accountId, long? advisorId, CancellationToken ct = default)
    {
        Require(actor);
        var account = await db.Accounts.SingleOrDefaultAsync(a => a.Id == accountId, ct)
            ?? throw new DomainException(DomainErrors.AccountUnknown, accountId);
        if (advisorId is { } id && !await db.Advisors.AnyAsync(a => a.Id == id, ct))
        {
            throw new DomainException(DomainErrors.AdvisorUnknown, id);
        }

        var previous = account.AdvisorId;
        await using var transaction = await db.Database.BeginTransactionAsync(ct);
        account.AdvisorId = advisorId;
        var handedOver = advisorId is null ? 0 : await db.AdvisorTasks
            .Where(t => t.AccountId == accountId && t.AdvisorId == null && t.Status == AdvisorTaskStatus.Open)
            .ExecuteUpdateAsync(set => set.SetProperty(t => t.AdvisorId, advisorId), ct);
        db.Audit.Add(new AuditEntry
        {
            At = clock.GetCurrentInstant(),
            Actor = actor.AuditName,
            Action = "account.advisor-assigned",
            Entity = AuditEntities.Account,
            EntityId = accountId,
            Details = $"advisor {previous?.ToString(System.Globalization.CultureInfo.InvariantCulture) ?? "none"} -> {advisorId?.ToString(System.Globalization.CultureInfo.InvariantCulture) ?? "none"}",
        });
        await db.SaveChangesAsync(ct);
        await transaction.CommitAsync(ct);
        return new AdvisorAssignment(accountId, previous, advisorId, handedOver);
    }

    private static void Require(Actor actor)
    {
        ArgumentNullException.ThrowIfNull(actor);
        actor.RequireAdministrator();
    }

    private async Task AuditAsync(Actor actor, string action, string entity, long id, string details, CancellationToken ct)
    {
        db.Audit.Add(new AuditEntry { At = clock.GetCurrentInstant(), Actor = actor.AuditName, Action = action, Entity = entity, EntityId = id, Details = details });
        await db.SaveChangesAsync(ct);
    }
}
