using System.Text.Json;
using Microsoft.AspNetCore.Identity;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Renewals.Data;
using Renewals.Data.Model;
using Renewals.Testing;
using Renewals.Web.Hosting;

namespace Renewals.Web.Tests;

/// <summary>Invitations and password resets through the service, on both databases, outside demo mode.</summary>
public sealed class WebAccessServiceTests
{
    [Theory]
    [InlineData(DatabaseProvider.Sqlite)]
    [InlineData(DatabaseProvider.PostgreSql)]
    public async Task An_invitation_writes_one_message_and_its_link_works_once(DatabaseProvider provider)
    {
        await using var database = await TestDatabase.CreateAsync(provider);
        var book = new TestBook(database.Database, TestBook.ClockAt(2028, 2, 29));
        var acme = await book.AccountAsync("Acme", language: "fr");
        var hooli = await book.AccountAsync("Hooli");
        // Built, never run: the services as the web wires them (its static assets named after the web project).
        await using var app = RenewalsWeb.Build(["--applicationName=Renewals.Web", "--Renewals:Database=" + database.Setting]);
        await using var scope = app.Services.CreateAsyncScope();
        var access = scope.ServiceProvider.GetRequiredService<WebAccessService>();
        await using var db = database.Context();
        var jane = await db.Contacts.AsNoTracking().SingleAsync(c => c.Email == "jane@acme.example");

        // Another account's contact: nothing made, nothing written.
        Assert.Null(await access.InviteContactAsync(hooli.Id, jane.Id));
        Assert.Equal(0, await db.Users.CountAsync());
        Assert.Equal(0, await db.Outbox.CountAsync());

        var invitation = await access.InviteContactAsync(acme.Id, jane.Id);
        Assert.NotNull(invitation);
        var message = await db.Outbox.AsNoTracking().SingleAsync();
        Assert.Equal(("web-invitation", "jane@acme.example", "fr", acme.Id), (message.Template, message.ToEmail, message.Language, message.AccountId));
        var (user, token) = Link(message.Payload);

        Assert.True((await access.AcceptInvitationAsync(user, token + "x", "Lilas-en-avril-2028")).LinkRefused);
        var weak = await access.AcceptInvitationAsync(user, token, "court");
        Assert.False(weak.Succeeded);
        Assert.Contains("PasswordTooShort", weak.Errors);
        Assert.True((await access.AcceptInvitationAsync(user, token, "Lilas-en-avril-2028")).Succeeded);
        Assert.True((await access.AcceptInvitationAsync(user, token, "Autre-mot-2029-x")).LinkRefused);

        // Reset: an unknown address and another account's address write nothing; the contact's writes one.
        await access.RequestPasswordResetAsync("nobody@acme.example");
        await access.RequestPasswordResetAsync("ap@hooli.example");
        Assert.Equal(1, await db.Outbox.CountAsync());
        await access.RequestPasswordResetAsync("JANE@acme.example");
        var reset = await db.Outbox.AsNoTracking().SingleAsync(m => m.Template == "password-reset");
        Assert.Equal(jane.Id, reset.ContactId);
        var (resetUser, resetToken) = Link(reset.Payload);
        Assert.Equal(user, resetUser);
        Assert.True((await access.ResetPasswordAsync(resetUser, resetToken, "Nouveau-mot-2029")).Succeeded);
        Assert.True((await access.ResetPasswordAsync(resetUser, resetToken, "Encore-un-mot-2030")).LinkRefused);
    }

    [Theory]
    [InlineData(DatabaseProvider.Sqlite)]
    [InlineData(DatabaseProvider.PostgreSql)]
    public async Task An_advisor_who_forgot_the_password_gets_a_link_at_the_sign_ins_address_and_an_admins_lock_still_holds(DatabaseProvider provider)
    {
        await using var database = await TestDatabase.CreateAsync(provider);
        await using var app = RenewalsWeb.Build(["--applicationName=Renewals.Web", "--Renewals:Database=" + database.Setting]);
        await using var scope = app.Services.CreateAsyncScope();
        var access = scope.ServiceProvider.GetRequiredService<WebAccessService>();
        var users = scope.ServiceProvider.GetRequiredService<UserManager<WebUser>>();
        var roles = scope.ServiceProvider.GetRequiredService<RoleManager<WebRole>>();
        await using var db = database.Context();
        var advisor = new Advisor { Name = "Odile Laurent", Email = "odile@vendor.example", Language = "fr" };
        db.Advisors.Add(advisor);
        await db.SaveChangesAsync();
        foreach (var role in new[] { WebRoles.Advisor, WebRoles.Admin })
        {
            if (!await roles.RoleExistsAsync(role))
            {
                Assert.True((await roles.CreateAsync(new WebRole(role))).Succeeded);
            }
        }

        var odile = new WebUser { UserName = "odile@vendor.example", Email = "odile@vendor.example", AdvisorId = advisor.Id };
        var admin = new WebUser { UserName = "root@vendor.example", Email = "root@vendor.example", Language = "en" };
        foreach (var (user, role) in new[] { (odile, WebRoles.Advisor), (admin, WebRoles.Admin) })
        {
            Assert.True((await users.CreateAsync(user, "Ancien-mot-2027")).Succeeded);
            Assert.True((await users.AddToRoleAsync(user, role)).Succeeded);
        }

        await access.RequestPasswordResetAsync(" ODILE@vendor.example ");
        await access.RequestPasswordResetAsync("root@vendor.example");

        var messages = await db.Outbox.AsNoTracking().OrderBy(m => m.Id).ToListAsync();
        Assert.Equal(
            [("password-reset", "odile@vendor.example", "fr", (long?)null, (long?)null), ("password-reset", "root@vendor.example", "en", null, null)],
            messages.Select(m => (m.Template, m.ToEmail, m.Language, m.AccountId, m.ContactId)));
        // The message names the advisor and the vendor, in the advisor's language.
        var composer = scope.ServiceProvider.GetRequiredService<Renewals.Core.Messaging.MessageComposer>();
        var mail = await composer.ComposeAsync(db, messages[0], NodaTime.Instant.FromUtc(2028, 2, 29, 9, 0), CancellationToken.None);
        Assert.Equal("odile@vendor.example", Assert.Single(mail.To.Mailboxes).Address);
        Assert.Contains("Odile Laurent", mail.TextBody, StringComparison.Ordinal);
        Assert.Contains(scope.ServiceProvider.GetRequiredService<Renewals.Core.Invoicing.Seller>().Name, mail.TextBody, StringComparison.Ordinal);
        Assert.Contains("29 février 2028", mail.TextBody, StringComparison.Ordinal);

        var (odileId, odileToken) = Link(messages[0].Payload);
        Assert.Equal(odile.Id, odileId);
        Assert.True((await access.ResetPasswordAsync(odileId, odileToken, "Nouveau-mot-2029")).Succeeded);
        Assert.True((await access.ResetPasswordAsync(odileId, odileToken, "Encore-un-mot-2030")).LinkRefused);
        Assert.True(await users.CheckPasswordAsync(await users.FindByIdAsync(odileId.ToString(System.Globalization.CultureInfo.InvariantCulture)) ?? throw new InvalidOperationException(), "Nouveau-mot-2029"));

        // An administrator locked the other sign-in: a new password does not open it.
        await users.SetLockoutEndDateAsync(admin, DateTimeOffset.MaxValue);
        var (adminId, adminToken) = Link(messages[1].Payload);
        Assert.True((await access.ResetPasswordAsync(adminId, adminToken, "Nouveau-mot-2029-b")).Succeeded);
        Assert.True(await users.IsLockedOutAsync(await users.FindByIdAsync(adminId.ToString(System.Globalization.CultureInfo.InvariantCulture)) ?? throw new InvalidOperationException()));
    }

    private static (long User, string Token) Link(string payload)
    {
        using var json = JsonDocument.Parse(payload);
        var query = json.RootElement.GetProperty("link_path").GetString()!.Split('?')[1].Split('&')
            .Select(p => p.Split('=', 2)).ToDictionary(p => p[0], p => p[1], StringComparer.Ordinal);
        return (long.Parse(query["user"], System.Globalization.CultureInfo.InvariantCulture), query["token"]);
    }
}
