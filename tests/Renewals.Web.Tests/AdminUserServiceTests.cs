using System.Globalization;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Renewals.Core.Access;
using Renewals.Data;
using Renewals.Data.Model;
using Renewals.Domain;
using Renewals.Testing;
using Renewals.Web.Components.Admin;
using Renewals.Web.Hosting;

namespace Renewals.Web.Tests;

/// <summary>The administrators' side of the web sign-ins, on both databases, outside demo mode (no role exists yet).</summary>
public sealed class AdminUserServiceTests
{
    [Theory]
    [InlineData(DatabaseProvider.Sqlite)]
    [InlineData(DatabaseProvider.PostgreSql)]
    public async Task Staff_are_invited_with_a_link_that_works_a_contact_through_the_outbox_and_a_sign_in_is_locked_and_unlocked_with_audit_rows(DatabaseProvider provider)
    {
        await using var database = await TestDatabase.CreateAsync(provider);
        var book = new TestBook(database.Database, TestBook.ClockAt(2028, 2, 29));
        var acme = await book.AccountAsync("Acme", language: "fr");
        var advisor = await book.AdvisorAsync("Camille Laurent");
        await using var app = RenewalsWeb.Build(["--applicationName=Renewals.Web", "--Renewals:Database=" + database.Setting]);
        await using var scope = app.Services.CreateAsyncScope();
        var admin = scope.ServiceProvider.GetRequiredService<AdminUserService>();
        var access = scope.ServiceProvider.GetRequiredService<WebAccessService>();
        var alice = new Actor.Admin("alice@vendor.example");

        Assert.Equal(DomainErrors.AdministratorsOnly,
            (await Assert.ThrowsAsync<DomainException>(() => admin.InviteStaffAsync(new Actor.Advisor(advisor), "x@vendor.example", WebRoles.Admin, null, "en"))).Code);
        Assert.Equal(AdminUserService.EmailInvalid,
            (await Assert.ThrowsAsync<WebUserRefusedException>(() => admin.InviteStaffAsync(alice, "camille@", WebRoles.Advisor, advisor, "fr"))).Code);
        Assert.Equal(AdminUserService.BindingMissing,
            (await Assert.ThrowsAsync<WebUserRefusedException>(() => admin.InviteStaffAsync(alice, "camille@vendor.example", WebRoles.Advisor, null, "fr"))).Code);
        Assert.Equal(AdminUserService.BindingMissing,
            (await Assert.ThrowsAsync<WebUserRefusedException>(() => admin.InviteStaffAsync(alice, "camille@vendor.example", WebRoles.Advisor, 4242, "fr"))).Code);
        await using (var empty = database.Context())
        {
            Assert.Equal(0, await empty.Users.CountAsync());
        }

        var self = await admin.InviteStaffAsync(alice, "alice@vendor.example", WebRoles.Admin, null, "en");
        var camille = await admin.InviteStaffAsync(alice, "camille@vendor.example", WebRoles.Advisor, advisor, "fr");
        Assert.Equal(AdminUserService.EmailTaken,
            (await Assert.ThrowsAsync<WebUserRefusedException>(() => admin.InviteStaffAsync(alice, "CAMILLE@vendor.example", WebRoles.Admin, null, "en"))).Code);
        Assert.StartsWith($"/account/invitation?user={camille.UserId}&token=", camille.LinkPath, StringComparison.Ordinal);
        Assert.EndsWith("&culture=fr", camille.LinkPath, StringComparison.Ordinal);
        var token = camille.LinkPath.Split("token=")[1].Split('&')[0];
        Assert.True((await access.AcceptInvitationAsync(camille.UserId, token, "Glycine-en-mai-2029")).Succeeded);
        Assert.True((await access.AcceptInvitationAsync(camille.UserId, token, "Autre-mot-2030-x")).LinkRefused);

        Assert.Equal(AdminUserService.NoSuchContact,
            (await Assert.ThrowsAsync<WebUserRefusedException>(() => admin.InviteContactAsync(alice, acme.Id, "nobody@acme.example"))).Code);
        var jane = await admin.InviteContactAsync(alice, acme.Id, "JANE@acme.example");
        Assert.Equal("jane@acme.example", jane.Email);

        Assert.Equal(AdminUserService.NotYourself, (await Assert.ThrowsAsync<WebUserRefusedException>(() => admin.SetLockedAsync(alice, self.UserId, true))).Code);
        await admin.SetLockedAsync(alice, camille.UserId, true);
        var locked = await admin.ListAsync(alice);
        await admin.SetLockedAsync(alice, camille.UserId, false);
        var unlocked = await admin.ListAsync(alice);

        Assert.Equal(
            [("alice@vendor.example", "admin", (string?)null, false, true), ("camille@vendor.example", "advisor", $"Camille Laurent ({advisor})", true, false),
             ("jane@acme.example", "customer", $"Acme ({acme.Id})", false, true)],
            locked.Select(u => (u.Email, string.Join(",", u.Roles), u.Binding, u.Locked, u.Invited)));
        Assert.False(unlocked.Single(u => u.Id == camille.UserId).Locked);

        await using var db = database.Context();
        var message = await db.Outbox.AsNoTracking().SingleAsync();
        Assert.Equal(("web-invitation", "jane@acme.example", "fr"), (message.Template, message.ToEmail, message.Language));
        var audit = await db.Audit.AsNoTracking().OrderBy(a => a.Id).Select(a => new { a.Actor, a.Action, a.EntityId, a.Details }).ToListAsync();
        Assert.Equal(
            [("web-user.invited", self.UserId, "alice@vendor.example as admin"),
             ("web-user.invited", camille.UserId, string.Create(CultureInfo.InvariantCulture, $"camille@vendor.example as advisor {advisor}")),
             ("web-user.invited", jane.UserId, string.Create(CultureInfo.InvariantCulture, $"jane@acme.example as customer of account {acme.Id}, message {message.Id}")),
             ("web-user.locked", camille.UserId, "camille@vendor.example"), ("web-user.unlocked", camille.UserId, "camille@vendor.example")],
            audit.Select(a => (a.Action, a.EntityId, a.Details!)));
        Assert.All(audit, a => Assert.Equal("admin:alice@vendor.example", a.Actor));
    }
}
