using System.Text.Json;
using Microsoft.AspNetCore.Identity;
using Microsoft.EntityFrameworkCore;
using Microsoft.Playwright;
using Renewals.Core.Messaging;
using Renewals.Data;
using Renewals.Data.Model;

namespace Renewals.Web.Tests;

/// <summary>Invitations to the web account and forgotten passwords, through the outbox, in a real browser.</summary>
[Collection(WebAppGroup.Name)]
public sealed class SignInByEmailTests(WebApp app)
{
    private const string NewPassword = "Lilas-en-avril-2028";

    private static readonly Dictionary<string, string> Refused = new(StringComparer.Ordinal)
    {
        ["en"] = "This link no longer works: it was already used, it has expired or it is incomplete. Ask for a new one with “Forgot your password?” on the sign-in page.",
        ["fr"] = "Ce lien ne fonctionne plus\u00a0: il a déjà servi, il a expiré ou il est incomplet. Demandez-en un nouveau avec «\u00a0Mot de passe oublié\u00a0?\u00a0» sur la page de connexion.",
    };

    private static readonly Dictionary<string, string> TooShort = new(StringComparer.Ordinal)
    {
        ["en"] = "The password is too short: 12 characters at least.",
        ["fr"] = "Le mot de passe est trop court\u00a0: 12 caractères au moins.",
    };

    private const string Sent = "If a sign-in uses this address, a link to choose a new password is on its way to it. The link works for 24 hours.";

    /// <summary>The messages these forms queue; the host's workers queue others meanwhile (renewals, reminders, newsletters).</summary>
    private static readonly IReadOnlyList<string> SignInMessages = [MessageKinds.PasswordReset, MessageKinds.WebInvitation];

    [Fact]
    public async Task A_contact_invited_from_the_portal_chooses_a_password_then_resets_it_from_the_emailed_link()
    {
        var account = await app.AccountOfAsync(WebApp.English);
        await using var db = app.Database.CreateContext();
        var contact = await db.Contacts.AsNoTracking().Where(c => c.AccountId == account).OrderBy(c => c.Id).FirstAsync();
        Assert.False(await db.Users.AnyAsync(u => u.Email == contact.Email));

        // The customer invites a contact of its own account from the contacts page.
        var portal = await app.SignedInPageAsync(WebApp.English);
        await portal.GotoAsync("/portal/contacts");
        await portal.ClickAsync($"form[action='/portal/contacts/{contact.Id}/invite'] button");
        await portal.WaitForSelectorAsync("p.notice");
        Assert.Equal("The invitation is on its way: the contact chooses a password from the link it carries.", await portal.InnerTextAsync("p.notice"));
        Assert.Equal(0, await portal.Locator($"form[action='/portal/contacts/{contact.Id}/invite']").CountAsync());

        var user = await db.Users.AsNoTracking().SingleAsync(u => u.Email == contact.Email);
        Assert.Equal(account, user.AccountId);
        Assert.Equal(contact.Language, user.Language);
        Assert.Null(user.PasswordHash);
        Assert.True(await db.UserRoles.AnyAsync(r => r.UserId == user.Id && db.Roles.Any(x => x.Id == r.RoleId && x.Name == WebRoles.Customer)));
        var invitation = await db.Outbox.AsNoTracking().SingleAsync(m => m.Template == "web-invitation" && m.ContactId == contact.Id);
        Assert.Equal(contact.Email, invitation.ToEmail);

        // The contact follows the link, chooses a password and lands in the web account.
        var invited = await app.AnonymousPageAsync();
        var invitationLink = LinkOf(invitation);
        Assert.StartsWith($"/account/invitation?user={user.Id}&token=", invitationLink, StringComparison.Ordinal);
        await invited.GotoAsync(invitationLink);
        await ChooseAsync(invited, NewPassword);
        await invited.WaitForURLAsync("**/portal");
        await WebApp.ScreenshotAsync(invited, "invitation-accepted");

        // The same link a second time: refused, clearly, in the contact's language.
        var again = await app.AnonymousPageAsync();
        await again.GotoAsync(invitationLink);
        await ChooseAsync(again, "Another-password-2029");
        await again.WaitForSelectorAsync("p.error");
        Assert.Equal(Refused[contact.Language], await again.InnerTextAsync("p.error"));

        // Forgot the password: an unknown address gets the same answer as a known one, and writes nothing.
        var outboxBefore = await SignInMessagesAsync(db);
        var forgot = await app.AnonymousPageAsync();
        await RequestResetAsync(forgot, "nobody.here@example.com");
        Assert.Equal(Sent, await forgot.InnerTextAsync("p.notice"));
        Assert.Equal(outboxBefore, await SignInMessagesAsync(db));
        Assert.False(await db.Outbox.AnyAsync(m => m.ToEmail == "nobody.here@example.com"));

        await RequestResetAsync(forgot, contact.Email.ToUpperInvariant());
        Assert.Equal(Sent, await forgot.InnerTextAsync("p.notice"));
        var reset = await db.Outbox.AsNoTracking().SingleAsync(m => m.Template == "password-reset" && m.ContactId == contact.Id);
        Assert.Equal(outboxBefore + 1, await SignInMessagesAsync(db));
        var resetLink = LinkOf(reset);

        // The password rules, in the contact's language; then a good password.
        var resetPage = await app.AnonymousPageAsync();
        await resetPage.GotoAsync(resetLink);
        await ChooseAsync(resetPage, "Short-1a");
        await resetPage.WaitForSelectorAsync("ul.error");
        Assert.Equal(TooShort[contact.Language], await resetPage.InnerTextAsync("ul.error li"));
        await ChooseAsync(resetPage, "Nouveau-mot-2029");
        await resetPage.WaitForSelectorAsync("p.notice");

        // The new password is the one stored (checked by Identity's own hasher; the sign-in form's tries are left to the sign-in tests).
        var stored = await db.Users.AsNoTracking().SingleAsync(u => u.Id == user.Id);
        Assert.NotEqual(PasswordVerificationResult.Failed, new PasswordHasher<WebUser>().VerifyHashedPassword(stored, stored.PasswordHash!, "Nouveau-mot-2029"));

        // The used reset link is refused.
        var reused = await app.AnonymousPageAsync();
        await reused.GotoAsync(resetLink);
        await ChooseAsync(reused, "Encore-un-mot-2030");
        await reused.WaitForSelectorAsync("p.error");
        Assert.Equal(Refused[contact.Language], await reused.InnerTextAsync("p.error"));

        // The tokens went into the outbox and nowhere else: never in the host's log.
        Assert.DoesNotContain(Token(invitationLink), app.Log, StringComparison.Ordinal);
        Assert.DoesNotContain(Token(resetLink), app.Log, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Another_accounts_contact_cannot_be_invited()
    {
        var mine = await app.AccountOfAsync(WebApp.French);
        var other = await app.AccountOfAsync(WebApp.English);
        await using var db = app.Database.CreateContext();
        var theirs = await db.Contacts.AsNoTracking().Where(c => c.AccountId == other).OrderByDescending(c => c.Id).FirstAsync();
        var users = await db.Users.CountAsync();
        var outbox = await SignInMessagesAsync(db);

        var page = await app.SignedInPageAsync(WebApp.French);
        await page.GotoAsync("/portal/contacts");
        var form = page.Locator("form[action$='/invite']").First;
        await form.EvaluateAsync($"f => f.action = '/portal/contacts/{theirs.Id}/invite'");
        var response = await page.RunAndWaitForResponseAsync(() => form.Locator("button").ClickAsync(), r => r.Url.EndsWith($"/portal/contacts/{theirs.Id}/invite", StringComparison.Ordinal));
        Assert.Equal(404, response.Status);
        Assert.Equal(users, await db.Users.CountAsync());
        Assert.Equal(outbox, await SignInMessagesAsync(db));
        Assert.NotEqual(mine, other);
    }

    private static Task<int> SignInMessagesAsync(RenewalsDbContext db) => db.Outbox.CountAsync(m => SignInMessages.Contains(m.Template));

    private static string LinkOf(OutboxMessage message)
    {
        using var payload = JsonDocument.Parse(message.Payload);
        return payload.RootElement.GetProperty("link_path").GetString()!;
    }

    private static string Token(string link) =>
        link.Split('&').Single(p => p.StartsWith("token=", StringComparison.Ordinal))["token=".Length..];

    private static async Task ChooseAsync(IPage page, string password)
    {
        await page.FillAsync("#password", password);
        await page.FillAsync("#confirm", password);
        await page.ClickAsync("form.form button[type=submit]");
    }

    private static async Task RequestResetAsync(IPage page, string email)
    {
        await page.GotoAsync("/signin/forgot");
        await page.FillAsync("#email", email);
        await page.ClickAsync("form.form button[type=submit]");
        await page.WaitForSelectorAsync("p.notice");
    }
}
