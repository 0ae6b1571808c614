using Microsoft.AspNetCore.Identity;
using Microsoft.EntityFrameworkCore;
using Renewals.Core.Hosting;
using Renewals.Data;
using Renewals.Data.Model;

namespace Renewals.Web.Hosting;

/// <summary>
/// The demo sign-ins, made in demo mode only, all with <see cref="DemoOptions.Password"/>: a
/// French and an English customer (two accounts that have invoices), a partner, an advisor
/// and an administrator. Printed at start so whoever started the demo can sign in.
/// </summary>
public sealed partial class DemoSignIns(
    UserManager<WebUser> users, RoleManager<WebRole> roles, RenewalsDbContext db, ILogger<DemoSignIns> logger)
{
    public const string FrenchCustomer = "client.fr@example.com";
    public const string EnglishCustomer = "client.en@example.com";
    public const string Partner = "partner@example.com";
    public const string Advisor = "advisor@example.com";
    public const string Admin = "admin@example.com";
    public const string Finance = "finance@example.com";

    public async Task EnsureAsync(CancellationToken ct)
    {
        foreach (var role in WebRoles.All)
        {
            if (!await roles.RoleExistsAsync(role))
            {
                Check(await roles.CreateAsync(new WebRole(role)));
            }
        }

        if (await FrenchOrEnglishAccountAsync("fr", null, ct) is { } fr)
        {
            await EnsureUserAsync(FrenchCustomer, WebRoles.Customer, "fr", u => u.AccountId = fr);
            if (await FrenchOrEnglishAccountAsync("en", fr, ct) is { } en)
            {
                await EnsureUserAsync(EnglishCustomer, WebRoles.Customer, "en", u => u.AccountId = en);
            }
        }

        if (await db.Partners.OrderBy(p => p.Id).Select(p => (long?)p.Id).FirstOrDefaultAsync(ct) is { } partner)
        {
            await EnsureUserAsync(Partner, WebRoles.Partner, "en", u => u.PartnerId = partner);
        }

        if (await db.Advisors.OrderBy(a => a.Id).Select(a => (long?)a.Id).FirstOrDefaultAsync(ct) is { } advisor)
        {
            await EnsureUserAsync(Advisor, WebRoles.Advisor, "fr", u => u.AdvisorId = advisor);
        }

        await EnsureUserAsync(Admin, WebRoles.Admin, "en", _ => { });
        await EnsureUserAsync(Finance, WebRoles.Finance, "fr", _ => { });
        foreach (var email in new[] { FrenchCustomer, EnglishCustomer, Partner, Advisor, Admin, Finance })
        {
            var user = await users.FindByEmailAsync(email);
            if (user is not null)
            {
                var userRoles = string.Join(", ", await users.GetRolesAsync(user));
                LogSignIn(logger, email, DemoOptions.Password, userRoles);
            }
        }
    }

    /// <summary>The first account in that language with an issued invoice (so its web account has something to show), other than <paramref name="not"/>.</summary>
    private async Task<long?> FrenchOrEnglishAccountAsync(string language, long? not, CancellationToken ct)
    {
        var withInvoice = await db.Accounts.AsNoTracking()
            .Where(a => a.Language == language && a.Id != not && db.Invoices.Any(i => i.AccountId == a.Id && i.Number != null))
            .OrderBy(a => a.Id).Select(a => (long?)a.Id).FirstOrDefaultAsync(ct);
        return withInvoice ?? await db.Accounts.AsNoTracking()
            .Where(a => a.Language == language && a.Id != not).OrderBy(a => a.Id).Select(a => (long?)a.Id).FirstOrDefaultAsync(ct);
    }

    private async Task EnsureUserAsync(string email, string role, string language, Action<WebUser> bind)
    {
        if (await users.FindByEmailAsync(email) is not null)
        {
            return;
        }

        var user = new WebUser { UserName = email, Email = email, EmailConfirmed = true, Language = language };
        bind(user);
        Check(await users.CreateAsync(user, DemoOptions.Password));
        Check(await users.AddToRoleAsync(user, role));
    }

    private static void Check(IdentityResult result)
    {
        if (!result.Succeeded)
        {
            throw new InvalidOperationException(string.Join(" ", result.Errors.Select(e => e.Description)));
        }
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "Demo sign-in: {Email} / {Password} ({Role})")]
    private static partial void LogSignIn(ILogger logger, string email, string password, string role);
}
