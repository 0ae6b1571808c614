using System.Globalization;
using System.Text;
using Microsoft.AspNetCore.Identity;
using Microsoft.AspNetCore.WebUtilities;
using Microsoft.EntityFrameworkCore;
using NodaTime;
using Renewals.Core.Access;
using Renewals.Core.Administration;
using Renewals.Data;
using Renewals.Data.Model;
using Renewals.Web.Hosting;

namespace Renewals.Web.Components.Admin;

/// <summary>A web sign-in as the administrators see it: its role, what it is bound to, whether it is locked or still waits for its first password.</summary>
public sealed record WebUserLine(long Id, string Email, IReadOnlyList<string> Roles, string? Binding, bool Locked, bool Invited);

/// <summary>Why an invitation or a lock was refused: a stable code the page words in the user's language.</summary>
public sealed class WebUserRefusedException(string code) : Exception(code)
{
    public string Code { get; } = code;
}

/// <summary>A staff invitation: the new sign-in and the link the administrator passes on (staff have no contact row to write to).</summary>
public sealed record StaffInvitation(long UserId, string Email, string LinkPath);

/// <summary>
/// The administrators' side of the web sign-ins (Identity lives in the web host): list them,
/// invite a customer contact (through <see cref="WebAccessService"/>, whose message goes
/// through the outbox) or a member of staff, lock and unlock. Every write leaves an audit row.
/// </summary>
public sealed class AdminUserService(RenewalsDbContext db, UserManager<WebUser> users, RoleManager<WebRole> roles, WebAccessService access, IClock clock)
{
    public const string EmailTaken = "email-taken";
    public const string EmailInvalid = "email-invalid";
    public const string BindingMissing = "binding-missing";
    public const string NotYourself = "not-yourself";
    public const string Unknown = "unknown";
    public const string NoSuchContact = "no-such-contact";

    /// <summary>The roles staff are invited to; customers come in as contacts of their account.</summary>
    public static IReadOnlyList<string> StaffRoles { get; } = [WebRoles.Advisor, WebRoles.Partner, WebRoles.Admin];

    public async Task<IReadOnlyList<WebUserLine>> ListAsync(Actor actor, CancellationToken ct = default)
    {
        Require(actor);
        var now = clock.GetCurrentInstant().ToDateTimeOffset();
        var rows = await db.Users.AsNoTracking().OrderBy(u => u.Email).ThenBy(u => u.Id)
            .Select(u => new
            {
                u.Id, u.Email, u.LockoutEnd, Invited = u.PasswordHash == null,
                Account = db.Accounts.Where(a => a.Id == u.AccountId).Select(a => a.Name).FirstOrDefault(),
                Partner = db.Partners.Where(p => p.Id == u.PartnerId).Select(p => p.Name).FirstOrDefault(),
                Advisor = db.Advisors.Where(a => a.Id == u.AdvisorId).Select(a => a.Name).FirstOrDefault(),
                u.AccountId, u.PartnerId, u.AdvisorId,
            })
            .ToListAsync(ct);
        var userRoles = await db.UserRoles.AsNoTracking().Join(db.Roles, ur => ur.RoleId, r => r.Id, (ur, r) => new { ur.UserId, r.Name }).ToListAsync(ct);
        return [.. rows.Select(u => new WebUserLine(
            u.Id, u.Email ?? "", [.. userRoles.Where(r => r.UserId == u.Id).Select(r => r.Name!).Order(StringComparer.Ordinal)],
            u.Account is not null ? $"{u.Account} ({u.AccountId})" : u.Partner is not null ? $"{u.Partner} ({u.PartnerId})" : u.Advisor is not null ? $"{u.Advisor} ({u.AdvisorId})" : null,
            u.LockoutEnd is { } end && end > now, u.Invited))];
    }

    /// <summary>
    /// Invites the contact of <paramref name="accountId"/> with that address to the account's web
    /// account; the invitation goes through the outbox in the contact's language.
    /// </summary>
    public async Task<WebInvitation> InviteContactAsync(Actor actor, long accountId, string email, CancellationToken ct = default)
    {
        Require(actor);
        var normalized = users.NormalizeEmail(email?.Trim() ?? "");
        var contacts = await db.Contacts.AsNoTracking().Where(c => c.AccountId == accountId).ToListAsync(ct);
        var contact = contacts.FirstOrDefault(c => users.NormalizeEmail(c.Email) == normalized) ?? throw new WebUserRefusedException(NoSuchContact);
        if (await users.FindByEmailAsync(contact.Email) is not null)
        {
            throw new WebUserRefusedException(EmailTaken);
        }

        var invitation = await access.InviteContactAsync(contact.AccountId, contact.Id, ct) ?? throw new WebUserRefusedException(NoSuchContact);
        await AuditAsync(actor, "web-user.invited", invitation.UserId, $"{invitation.Email} as {WebRoles.Customer} of account {contact.AccountId}, message {invitation.MessageId}", ct);
        return invitation;
    }

    /// <summary>
    /// Gives a member of staff a sign-in without a password, bound to its advisor or partner row,
    /// and the invitation link (valid as long as a contact's) to choose one.
    /// </summary>
    public async Task<StaffInvitation> InviteStaffAsync(Actor actor, string email, string role, long? bindingId, string language, CancellationToken ct = default)
    {
        Require(actor);
        var address = email?.Trim() ?? "";
        if (!System.Net.Mail.MailAddress.TryCreate(address, out var parsed) || parsed.Address != address)
        {
            throw new WebUserRefusedException(EmailInvalid);
        }

        if (!StaffRoles.Contains(role))
        {
            throw new WebUserRefusedException(Unknown);
        }

        if (role == WebRoles.Advisor && (bindingId is not { } advisor || !await db.Advisors.AnyAsync(a => a.Id == advisor, ct)))
        {
            throw new WebUserRefusedException(BindingMissing);
        }

        if (role == WebRoles.Partner && (bindingId is not { } partner || !await db.Partners.AnyAsync(p => p.Id == partner, ct)))
        {
            throw new WebUserRefusedException(BindingMissing);
        }

        if (await users.FindByEmailAsync(address) is not null)
        {
            throw new WebUserRefusedException(EmailTaken);
        }

        if (!await roles.RoleExistsAsync(role))
        {
            Check(await roles.CreateAsync(new WebRole(role)));
        }

        var user = new WebUser
        {
            UserName = address,
            Email = address,
            Language = language is "fr" or "en" ? language : "en",
            AdvisorId = role == WebRoles.Advisor ? bindingId : null,
            PartnerId = role == WebRoles.Partner ? bindingId : null,
        };
        Check(await users.CreateAsync(user));
        Check(await users.AddToRoleAsync(user, role));
        var token = await users.GenerateUserTokenAsync(user, InvitationTokenProvider.ProviderName, WebAccessService.InvitationPurpose);
        var link = string.Create(CultureInfo.InvariantCulture,
            $"/account/invitation?user={user.Id}&token={WebEncoders.Base64UrlEncode(Encoding.UTF8.GetBytes(token))}&culture={user.Language}");
        await AuditAsync(actor, "web-user.invited", user.Id, $"{address} as {role}{(bindingId is { } b ? string.Create(CultureInfo.InvariantCulture, $" {b}") : "")}", ct);
        return new StaffInvitation(user.Id, address, link);
    }

    /// <summary>Locks a sign-in until unlocked (its sessions end when the cookie is next checked) or unlocks it.</summary>
    public async Task SetLockedAsync(Actor actor, long userId, bool locked, CancellationToken ct = default)
    {
        Require(actor);
        var user = await users.FindByIdAsync(userId.ToString(CultureInfo.InvariantCulture)) ?? throw new WebUserRefusedException(Unknown);
        if (locked && actor is Actor.Admin admin && string.Equals(user.UserName, admin.User, StringComparison.OrdinalIgnoreCase))
        {
            throw new WebUserRefusedException(NotYourself);
        }

        Check(await users.SetLockoutEnabledAsync(user, true));
        Check(await users.SetLockoutEndDateAsync(user, locked ? DateTimeOffset.MaxValue : null));
        if (locked)
        {
            Check(await users.UpdateSecurityStampAsync(user));
        }
        else
        {
            Check(await users.ResetAccessFailedCountAsync(user));
        }

        await AuditAsync(actor, locked ? "web-user.locked" : "web-user.unlocked", user.Id, user.Email ?? "", ct);
    }

    private async Task AuditAsync(Actor actor, string action, long userId, string details, CancellationToken ct)
    {
        db.Audit.Add(new AuditEntry { At = clock.GetCurrentInstant(), Actor = actor.AuditName, Action = action, Entity = AuditEntities.WebUser, EntityId = userId, Details = details });
        await db.SaveChangesAsync(ct);
    }

    private static void Require(Actor actor)
    {
        ArgumentNullException.ThrowIfNull(actor);
        actor.RequireAdministrator();
    }

    private static void Check(IdentityResult result)
    {
        if (!result.Succeeded)
        {
            throw new InvalidOperationException(string.Join(" ", result.Errors.Select(e => e.Description)));
        }
    }
}
