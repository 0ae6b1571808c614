using System.Net.Mail;
using Microsoft.EntityFrameworkCore;
using Renewals.Data;
using Renewals.Data.Model;
using Renewals.Domain;

namespace Renewals.Core.Accounts;

public sealed record NewAdvisor(string Name, string Email, string Language);

/// <summary>A renewal advisor, as the operator sees it: who gets the tasks of the accounts assigned to them.</summary>
public sealed record AdvisorView(long Id, string Name, string Email, string Language, int Accounts);

/// <summary>The renewal advisors: added before an account can name one.</summary>
public sealed class AdvisorService(RenewalsDbContext db)
{
    public async Task<AdvisorView> AddAsync(NewAdvisor input, CancellationToken ct = default)
    {
        ArgumentNullException.ThrowIfNull(input);
        Names.MustBeGiven(input.Name, DomainErrors.AdvisorNameRequired);

        if (!MailAddress.TryCreate(input.Email, out var address) || address.Address != input.Email.Trim())
        {
            throw new DomainException(DomainErrors.ContactEmailInvalid, input.Email);
        }

        if (!AccountService.Languages.Contains(input.Language))
        {
            throw new DomainException(DomainErrors.LanguageUnknown, input.Language);
        }

        var advisor = new Advisor { Name = input.Name.Trim(), Email = input.Email.Trim(), Language = input.Language };
        db.Advisors.Add(advisor);
        await db.SaveChangesAsync(ct);
        return new AdvisorView(advisor.Id, advisor.Name, advisor.Email, advisor.Language, 0);
    }

    public async Task<IReadOnlyList<AdvisorView>> ListAsync(CancellationToken ct = default) =>
        await db.Advisors.AsNoTracking().OrderBy(a => a.Id)
            .Select(a => new AdvisorView(a.Id, a.Name, a.Email, a.Language, a.Accounts.Count))
            .ToListAsync(ct);
}
