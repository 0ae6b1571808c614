using System.Net;
using System.Text.RegularExpressions;
using Renewals.Data;

namespace Renewals.Web.Tests;

/// <summary>
/// An application with the sign-in limit left at its default (the shared one raises it, so that
/// many classes can sign in from one address): a small demo book, no setting about sign-ins.
/// </summary>
public sealed class DefaultLimitsWebApp : IAsyncLifetime
{
    public WebApp App { get; } = new(DatabaseProvider.Sqlite, "--Renewals:Demo:Subscriptions=5", "--Renewals:Demo:HistoryDays=10");

    public Task InitializeAsync() => App.InitializeAsync();

    public Task DisposeAsync() => App.DisposeAsync();
}

/// <summary>
/// The sign-in form allows 10 tries a minute from one address by default: the eleventh post from
/// the same address within the minute is answered 429, while another address still gets the form's
/// own answer.
/// </summary>
public sealed partial class SignInRateLimitTests(DefaultLimitsWebApp fixture) : IClassFixture<DefaultLimitsWebApp>
{
    [Fact]
    public async Task The_eleventh_sign_in_try_in_a_minute_from_one_address_is_refused_and_another_address_is_not()
    {
        using var client = fixture.App.ClientFrom(IPAddress.Parse("127.0.0.91"));
        var answers = new List<HttpStatusCode>();
        for (var attempt = 1; attempt <= 11; attempt++)
        {
            // An address no one signs in with: Identity's lockout never comes into it.
            answers.Add(await SignInAsync(client, "nobody@example.com", "not-a-password"));
        }

        using var other = fixture.App.ClientFrom(IPAddress.Parse("127.0.0.92"));
        var fromAnother = await SignInAsync(other, "nobody@example.com", "not-a-password");

        Assert.Equal([.. Enumerable.Repeat(HttpStatusCode.OK, 10), HttpStatusCode.TooManyRequests], answers);
        Assert.Equal(HttpStatusCode.OK, fromAnother);
    }

    /// <summary>Posts the sign-in form as a browser would (its antiforgery token and cookie); the form itself is not limited.</summary>
    private static async Task<HttpStatusCode> SignInAsync(HttpClient client, string email, string password)
    {
        var form = await client.GetStringAsync("/signin");
        var token = AntiforgeryField().Match(form) is { Success: true } t ? t.Groups["value"].Value : throw new InvalidOperationException("no antiforgery token");
        using var answer = await client.PostAsync("/signin", new FormUrlEncodedContent(new Dictionary<string, string>
        {
            ["_handler"] = "signin",
            ["__RequestVerificationToken"] = WebUtility.HtmlDecode(token),
            ["Input.Email"] = email,
            ["Input.Password"] = password,
        }));
        return answer.StatusCode;
    }

    [GeneratedRegex("name=\"__RequestVerificationToken\"[^>]*?value=\"(?<value>[^\"]+)\"")]
    private static partial Regex AntiforgeryField();
}
