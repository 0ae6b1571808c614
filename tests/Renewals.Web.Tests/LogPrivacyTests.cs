using System.Net.Http.Headers;
using System.Text.RegularExpressions;
using Microsoft.EntityFrameworkCore;
using NodaTime;
using Renewals.Core.Access;
using Renewals.Core.Api;
using Renewals.Data.Model;

namespace Renewals.Web.Tests;

/// <summary>
/// What the web host writes to its log (standard output and error, as an operator collects
/// them) over a run with sign-ins, a wrong password, API calls with a key and a bad key, and a
/// public callback request whose acknowledgement is mailed: no password, API key, session
/// cookie, email address or phone number in it. The one exception is demo mode's banner, which
/// prints the published demo sign-ins for the person who started it.
/// </summary>
[Collection(WebAppGroup.Name)]
public sealed partial class LogPrivacyTests(WebApp app)
{
    private const string WrongPassword = "Wrong-password-4242";
    private const string Phone = "+33 6 98 76 54 32";

    [Fact]
    public async Task Secrets_and_personal_data_never_reach_the_log()
    {
        // Sign-in: a wrong password, then the customer's own session.
        var stranger = await app.AnonymousPageAsync();
        await WebApp.SignInAsync(stranger, WebApp.French, WrongPassword);
        await stranger.WaitForSelectorAsync("p.error, .validation-message, [role=alert]");
        var customer = await app.SignedInPageAsync(WebApp.English);
        await customer.GotoAsync("/portal/contacts");
        var session = (await customer.Context.CookiesAsync()).Single(c => c.Name == "renewals.auth").Value;

        // The API with a key (a list with contacts' addresses in it) and with a key that is not one.
        string key;
        await using (var db = app.Database.CreateContext())
        {
            key = (await new ApiKeyService(db, SystemClock.Instance).MakeAsync(new Actor.Admin("tests"), null, "log test")).Secret;
        }

        var account = await app.AccountOfAsync(WebApp.English);
        using (var api = new HttpClient { BaseAddress = new Uri(app.BaseUrl) })
        {
            api.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", key);
            Assert.True((await api.GetAsync($"/api/v1/accounts/{account}/contacts")).IsSuccessStatusCode);
            Assert.True((await api.GetAsync("/api/v1/accounts?limit=5")).IsSuccessStatusCode);
            api.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", key[..^4] + "AAAA");
            Assert.Equal(401, (int)(await api.GetAsync("/api/v1/accounts")).StatusCode);
        }

        // The public callback form, with an address and a phone number; its acknowledgement is mailed.
        var email = $"logan.{Guid.NewGuid():N}"[..20] + "@privacy.example";
        var visitor = await app.AnonymousPageAsync();
        await visitor.GotoAsync("/callback");
        await visitor.FillAsync("#cb-name", "Logan Private");
        await visitor.FillAsync("#cb-company", "Private Ltd");
        await visitor.FillAsync("#cb-email", email);
        await visitor.FillAsync("#cb-phone", Phone);
        await visitor.FillAsync("#cb-subject", "Please call about the renewal");
        await visitor.SelectOptionAsync("#cb-window", "afternoon");
        await visitor.WaitForTimeoutAsync(3200);
        var reportsBefore = SentReport().Count(app.Log);
        await visitor.ClickAsync("form.callback-form button[type=submit]");
        await visitor.WaitForSelectorAsync("p.notice[role=status]");
        await WaitUntilSentAsync(email);
        await WaitForSentReportAsync(reportsBefore);

        var log = string.Join('\n', app.Log.Split('\n').Where(line => !line.Contains("Demo sign-in: ", StringComparison.Ordinal)));
        // The log is the one this run wrote: the demo banner and the dispatcher's report of the mail it sent.
        Assert.Contains("Demo sign-in: ", app.Log, StringComparison.Ordinal);
        Assert.Matches(new Regex(@"Outbox: \d+ sent"), log);
        Assert.DoesNotContain(WebApp.Password, log, StringComparison.Ordinal);
        Assert.DoesNotContain(WrongPassword, log, StringComparison.Ordinal);
        Assert.DoesNotContain(key[ApiKeyService.KeyPrefix.Length..], log, StringComparison.Ordinal);
        Assert.DoesNotContain(session[..Math.Min(32, session.Length)], log, StringComparison.Ordinal);
        Assert.Empty(EmailAddress().Matches(log).Select(m => m.Value));
        Assert.DoesNotContain("98 76 54 32", log, StringComparison.Ordinal);
        Assert.DoesNotContain("698765432", Regex.Replace(log, "[ .-]", ""), StringComparison.Ordinal);
    }

    private async Task WaitUntilSentAsync(string email)
    {
        var deadline = DateTime.UtcNow.AddMinutes(2);
        while (DateTime.UtcNow < deadline)
        {
            await using var db = app.Database.CreateContext();
            if (await db.Outbox.AnyAsync(m => m.ToEmail == email && m.Status == OutboxStatus.Sent))
            {
                return;
            }

            await Task.Delay(500);
        }

        Assert.Fail($"the acknowledgement to {email} was not sent within 2 minutes");
    }

    /// <summary>
    /// Waits (30 s at most) for a dispatcher's report of mail sent beyond the <paramref name="before"/> logged
    /// before the request: the dispatcher logs it once its whole pass has returned, after the message is marked sent.
    /// </summary>
    private async Task WaitForSentReportAsync(int before)
    {
        var deadline = DateTime.UtcNow.AddSeconds(30);
        while (DateTime.UtcNow < deadline)
        {
            if (SentReport().Count(app.Log) > before)
            {
                return;
            }

            await Task.Delay(200);
        }

        Assert.Fail("the dispatcher did not log its report of the mail sent within 30 s");
    }

    /// <summary>The dispatcher's report of a pass that sent mail.</summary>
    [GeneratedRegex(@"Outbox: [1-9][0-9]* sent")]
    private static partial Regex SentReport();

    [GeneratedRegex(@"[A-Za-z0-9._%+-]+@[A-Za-z0-9-]+(\.[A-Za-z0-9-]+)+")]
    private static partial Regex EmailAddress();
}
