using System.Text.Json;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Renewals.Data;
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

    private static (long User, string Token) Link(string payload)
    {
        using var json = JsonDocument.Parse(payload);
        var query = json.RootElement.GetProperty("link_path").GetString()!.Split('?')[1].Split('&')
            .Select(p => p.Split('=', 2)).ToDictionary(p => p[0], p => p[1], StringComparer.Ordinal);
        return (long.Parse(query["user"], System.Globalization.CultureInfo.InvariantCulture), query["token"]);
    }
}
