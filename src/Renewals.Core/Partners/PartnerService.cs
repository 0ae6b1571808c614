using System.Net.Mail;
using Microsoft.EntityFrameworkCore;
using Renewals.Data;
using Renewals.Data.Model;
using Renewals.Domain;

namespace Renewals.Core.Partners;

public sealed record NewPartnerContract(string PartnerName, string Email, int NoticeDays, bool FiledByPartnerOnly);

/// <summary>A partner contract: the partner that resells, its notice period and who may file a cancellation.</summary>
public sealed record PartnerContractView(long ContractId, long PartnerId, string Partner, string Email, int NoticeDays, bool FiledByPartnerOnly);

/// <summary>Resellers and the contracts that govern how their customers cancel.</summary>
public sealed class PartnerService(RenewalsDbContext db)
{
    /// <summary>
    /// Adds a contract; the partner is created with its first contract and found again by its
    /// name afterwards (a partner can resell under several contracts).
    /// </summary>
    public async Task<PartnerContractView> AddAsync(NewPartnerContract input, CancellationToken ct = default)
    {
        ArgumentNullException.ThrowIfNull(input);
        Names.MustBeGiven(input.PartnerName, DomainErrors.PartnerNameRequired);

        if (!MailAddress.TryCreate(input.Email, out var address) || address.Address != input.Email.Trim())
        {
            throw new DomainException(DomainErrors.PartnerEmailInvalid, input.Email ?? "");
        }

        // The domain's own rule on notice days (the same check the timeline applies).
        _ = new Domain.Policies.PartnerContract(input.PartnerName.Trim(), input.NoticeDays, input.FiledByPartnerOnly);

        var name = input.PartnerName.Trim();
        var partner = await db.Partners.SingleOrDefaultAsync(p => p.Name == name, ct) ?? new Partner { Name = name, Email = input.Email.Trim() };
        var contract = new PartnerContract { NoticeDays = input.NoticeDays, CancellationFiledByPartnerOnly = input.FiledByPartnerOnly };
        partner.Contracts.Add(contract);
        if (partner.Id == 0)
        {
            db.Partners.Add(partner);
        }

        await db.SaveChangesAsync(ct);
        return new PartnerContractView(contract.Id, partner.Id, partner.Name, partner.Email, contract.NoticeDays, contract.CancellationFiledByPartnerOnly);
    }

    public async Task<IReadOnlyList<PartnerContractView>> ListAsync(CancellationToken ct = default) =>
        await db.PartnerContracts.AsNoTracking().OrderBy(c => c.Id)
            .Select(c => new PartnerContractView(c.Id, c.PartnerId, c.Partner!.Name, c.Partner.Email, c.NoticeDays, c.CancellationFiledByPartnerOnly))
            .ToListAsync(ct);
}
