using System.Globalization;
using System.Text;
using System.Text.Json;
using Microsoft.AspNetCore.DataProtection;
using Microsoft.AspNetCore.Identity;
using Microsoft.AspNetCore.WebUtilities;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;
using NodaTime;
using Renewals.Core.Messaging;
using Renewals.Data;
using Renewals.Data.Model;

namespace Renewals.Web.Hosting;

/// <summary>What became of a new password chosen from a link: done, a refused link, or the password's rules broken (Identity's error codes).</summary>
public sealed record PasswordChoice(bool Succeeded, bool LinkRefused, IReadOnlyList<string> Errors)
{
    public static PasswordChoice Done { get; } = new(true, false, []);

    public static PasswordChoice Refused { get; } = new(false, true, []);
}

/// <summary>An invitation written to the outbox: the new sign-in and its message.</summary>
public sealed record WebInvitation(long UserId, long MessageId, string Email);

/// <summary>
/// Sign-ins given and recovered by email, through the outbox: any user who forgot their password
/// (a customer through their contact, staff at their sign-in's own address), and a contact
/// invited to the account's web account. The link's token is never logged: it lives only in
/// the message's payload.
/// </summary>
public sealed class WebAccessService(RenewalsDbContext db, UserManager<WebUser> users, RoleManager<WebRole> roles, IClock clock, Renewals.Core.Invoicing.Seller seller)
{
    /// <summary>
    /// Writes a password-reset message when <paramref name="email"/> is a customer user's and a
    /// contact of their account has that address; otherwise does nothing, and the caller answers
    /// the same either way, so the form does not tell who has a sign-in.
    /// </summary>
    public async Task RequestPasswordResetAsync(string? email, CancellationToken ct = default)
    {
        if (string.IsNullOrWhiteSpace(email) || await users.FindByEmailAsync(email.Trim()) is not { } user)
        {
            return;
        }

        if (!await users.IsInRoleAsync(user, WebRoles.Customer))
        {
            await RequestStaffPasswordResetAsync(user, ct);
            return;
        }

        if (user.AccountId is not { } accountId)
        {
            return;
        }

        var normalized = users.NormalizeEmail(user.Email);
        var contacts = await db.Contacts.AsNoTracking().Where(c => c.AccountId == accountId).ToListAsync(ct);
        var contact = contacts.FirstOrDefault(c => users.NormalizeEmail(c.Email) == normalized);
        if (contact is null)
        {
            return;
        }

        var token = await users.GeneratePasswordResetTokenAsync(user);
        var language = user.Language ?? contact.Language;
        Write(MessageKinds.PasswordReset, contact, language, user.Id, new Dictionary<string, object>
        {
            ["link_path"] = LinkPath("/account/reset", user.Id, token, language),
            ["link_valid_hours"] = (int)ResetTokenLifespan.TotalHours,
        });
        await db.SaveChangesAsync(ct);
    }

    /// <summary>
    /// A partner, advisor or administrator is no contact of an account: the link goes to the
    /// sign-in's own address, named after the advisor or partner it stands for (the address
    /// itself for an administrator), in the vendor's name and time zone. An administrator's lock
    /// still holds after a reset: a new password does not unlock a sign-in.
    /// </summary>
    private async Task RequestStaffPasswordResetAsync(WebUser user, CancellationToken ct)
    {
        if (user.Email is not { Length: > 0 } address)
        {
            return;
        }

        var advisor = user.AdvisorId is { } advisorId ? await db.Advisors.AsNoTracking().SingleOrDefaultAsync(a => a.Id == advisorId, ct) : null;
        var partner = user.PartnerId is { } partnerId ? await db.Partners.AsNoTracking().SingleOrDefaultAsync(p => p.Id == partnerId, ct) : null;
        var language = user.Language ?? advisor?.Language ?? VendorLanguage;
        var token = await users.GeneratePasswordResetTokenAsync(user);
        var now = clock.GetCurrentInstant();
        db.Outbox.Add(new OutboxMessage
        {
            Template = MessageKinds.PasswordReset,
            ToEmail = address,
            Language = language,
            Payload = JsonSerializer.Serialize(new Dictionary<string, object>
            {
                ["recipient_name"] = advisor?.Name ?? partner?.Name ?? address,
                ["company"] = partner?.Name ?? seller.Name,
                ["time_zone"] = seller.TimeZoneId,
                ["link_path"] = LinkPath("/account/reset", user.Id, token, language),
                ["link_valid_hours"] = (int)ResetTokenLifespan.TotalHours,
            }),
            MessageId = string.Create(CultureInfo.InvariantCulture, $"<{MessageKinds.PasswordReset}.u{user.Id}.{now.ToUnixTimeTicks()}@renewals>"),
            CreatedAt = now,
            NextAttemptAt = now,
        });
        await db.SaveChangesAsync(ct);
    }

    /// <summary>The vendor's own language, for a staff sign-in that names none (its zone is the seller's).</summary>
    private const string VendorLanguage = "fr";

    /// <summary>Sets a new password from a reset link; a used, expired or altered link is refused.</summary>
    public async Task<PasswordChoice> ResetPasswordAsync(long userId, string? token, string? password)
    {
        // Any sign-in, staff too: the token proves the link was sent to its address.
        if (await users.FindByIdAsync(userId.ToString(CultureInfo.InvariantCulture)) is not { } user || DecodeToken(token) is not { } decoded)
        {
            return PasswordChoice.Refused;
        }

        var result = await users.ResetPasswordAsync(user, decoded, password ?? "");
        return Outcome(result);
    }

    /// <summary>
    /// Gives <paramref name="contactId"/> a customer sign-in to <paramref name="accountId"/> (no
    /// password yet, the contact's language) and writes the invitation. Null when the contact is
    /// not of that account; refused when the address already has a sign-in.
    /// </summary>
    public async Task<WebInvitation?> InviteContactAsync(long accountId, long contactId, CancellationToken ct = default)
    {
        var contact = await db.Contacts.AsNoTracking().SingleOrDefaultAsync(c => c.Id == contactId && c.AccountId == accountId, ct);
        if (contact is null)
        {
            return null;
        }

        if (await users.FindByEmailAsync(contact.Email) is not null)
        {
            throw new InvalidOperationException("This contact already has a sign-in.");
        }

        // Outside demo mode nothing has made the roles yet: the first invitation makes the customer's.
        if (!await roles.RoleExistsAsync(WebRoles.Customer))
        {
            Check(await roles.CreateAsync(new WebRole(WebRoles.Customer)));
        }

        var user = new WebUser { UserName = contact.Email, Email = contact.Email, AccountId = accountId, Language = contact.Language };
        Check(await users.CreateAsync(user));
        Check(await users.AddToRoleAsync(user, WebRoles.Customer));
        var token = await users.GenerateUserTokenAsync(user, InvitationTokenProvider.ProviderName, InvitationPurpose);
        var message = Write(MessageKinds.WebInvitation, contact, contact.Language, user.Id, new Dictionary<string, object>
        {
            ["link_path"] = LinkPath("/account/invitation", user.Id, token, contact.Language),
            ["link_valid_days"] = (int)InvitationTokenLifespan.TotalDays,
        });
        await db.SaveChangesAsync(ct);
        return new WebInvitation(user.Id, message.Id, contact.Email);
    }

    /// <summary>The invited contact's first password; the link then stops working (the security stamp changes).</summary>
    public async Task<PasswordChoice> AcceptInvitationAsync(long userId, string? token, string? password)
    {
        // Any invited sign-in, staff too (an administrator invites them from /admin/users): the token proves the invitation.
        if (await users.FindByIdAsync(userId.ToString(CultureInfo.InvariantCulture)) is not { } user || DecodeToken(token) is not { } decoded
            || await users.HasPasswordAsync(user)
            || !await users.VerifyUserTokenAsync(user, InvitationTokenProvider.ProviderName, InvitationPurpose, decoded))
        {
            return PasswordChoice.Refused;
        }

        var result = await users.AddPasswordAsync(user, password ?? "");
        if (result.Succeeded)
        {
            // The address received the link: it is the contact's.
            user.EmailConfirmed = true;
            Check(await users.UpdateAsync(user));
        }

        return Outcome(result);
    }

    /// <summary>Those of <paramref name="emails"/> that already have a sign-in, for the contacts page.</summary>
    public async Task<IReadOnlySet<string>> SignInsAmongAsync(IEnumerable<string> emails, CancellationToken ct = default)
    {
        var list = emails.ToList();
        var normalized = list.Select(e => users.NormalizeEmail(e)).ToList();
        var found = await db.Users.AsNoTracking().Where(u => u.NormalizedEmail != null && normalized.Contains(u.NormalizedEmail))
            .Select(u => u.NormalizedEmail!).ToListAsync(ct);
        return list.Where(e => found.Contains(users.NormalizeEmail(e), StringComparer.Ordinal)).ToHashSet(StringComparer.Ordinal);
    }

    public const string InvitationPurpose = "web-invitation";

    public static readonly TimeSpan ResetTokenLifespan = TimeSpan.FromHours(24);

    public static readonly TimeSpan InvitationTokenLifespan = TimeSpan.FromDays(7);

    private OutboxMessage Write(string kind, Contact contact, string language, long userId, Dictionary<string, object> payload)
    {
        var now = clock.GetCurrentInstant();
        var message = new OutboxMessage
        {
            Template = kind,
            AccountId = contact.AccountId,
            ContactId = contact.Id,
            ToEmail = contact.Email,
            Language = language,
            Payload = JsonSerializer.Serialize(payload),
            // One per request: a second reset (or invitation) is a new message, not a duplicate.
            MessageId = string.Create(CultureInfo.InvariantCulture, $"<{kind}.u{userId}.{now.ToUnixTimeTicks()}@renewals>"),
            CreatedAt = now,
            NextAttemptAt = now,
        };
        db.Outbox.Add(message);
        return message;
    }

    private static string LinkPath(string path, long userId, string token, string language) =>
        string.Create(CultureInfo.InvariantCulture,
            $"{path}?user={userId}&token={WebEncoders.Base64UrlEncode(Encoding.UTF8.GetBytes(token))}&culture={language}");

    private static string? DecodeToken(string? token)
    {
        if (string.IsNullOrEmpty(token))
        {
            return null;
        }

        try
        {
            return Encoding.UTF8.GetString(WebEncoders.Base64UrlDecode(token));
        }
        catch (FormatException)
        {
            return null;
        }
    }

    private static PasswordChoice Outcome(IdentityResult result) =>
        result.Succeeded ? PasswordChoice.Done
        : result.Errors.Any(e => e.Code == nameof(IdentityErrorDescriber.InvalidToken)) ? PasswordChoice.Refused
        : new PasswordChoice(false, false, [.. result.Errors.Select(e => e.Code)]);

    private static void Check(IdentityResult result)
    {
        if (!result.Succeeded)
        {
            throw new InvalidOperationException(string.Join(" ", result.Errors.Select(e => e.Description)));
        }
    }
}

/// <summary>The invitation's link lasts longer than a reset's: a contact may read the email days later.</summary>
public sealed class InvitationTokenProvider(
    IDataProtectionProvider protection, IOptions<InvitationTokenProviderOptions> options, ILogger<DataProtectorTokenProvider<WebUser>> logger)
    : DataProtectorTokenProvider<WebUser>(protection, options, logger)
{
    public const string ProviderName = "Invitation";
}

public sealed class InvitationTokenProviderOptions : DataProtectionTokenProviderOptions
{
    public InvitationTokenProviderOptions()
    {
        Name = InvitationTokenProvider.ProviderName;
        TokenLifespan = WebAccessService.InvitationTokenLifespan;
    }
}
