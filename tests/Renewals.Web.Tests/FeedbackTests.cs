using System.Net;
using System.Text.Json;
using System.Text.RegularExpressions;
using Deque.AxeCore.Playwright;
using Microsoft.EntityFrameworkCore;
using Microsoft.Playwright;
using NodaTime;
using Renewals.Core.Access;
using Renewals.Core.Advisors;
using Renewals.Core.Engagement;
using Renewals.Core.Messaging;
using Renewals.Core.Portal;
using Renewals.Data.Model;

namespace Renewals.Web.Tests;

/// <summary>
/// Feedback on the advisor in a real browser: the survey link mailed after a callback done works
/// once and never again (a second use shows the used page and changes nothing), answers 404 to a
/// signed-in customer of another account, refuses bad input in English and French with nothing
/// stored; the web account's feedback page; the admins' scorecard; axe on every page. Each
/// survey comes from a callback the demo advisor closes through Core, and its link is read from
/// the message written to the outbox, as the contact receives it.
/// </summary>
[Collection(WebAppGroup.Name)]
public sealed partial class FeedbackTests(WebApp app)
{
    private const string Admin = "admin@example.com";
    private const string Advisor = "advisor@example.com";

    [Fact]
    public async Task A_survey_link_works_once_and_never_again()
    {
        var survey = await SurveyAsync(WebApp.English);
        var first = await app.AnonymousPageAsync("en-GB");
        var stale = await app.AnonymousPageAsync("en-GB");
        await first.GotoAsync(survey.Path);
        await stale.GotoAsync(survey.Path);
        Assert.Equal("Your feedback", await first.InnerTextAsync("h1"));
        await AssertAccessibleAsync(first, "feedback-survey-en");

        await first.CheckAsync("input[name='Input.Useful'][value='yes']");
        await first.CheckAsync("#rating-4");
        await first.FillAsync("#fb-comment", "Clear answers about the renewal quote.");
        await first.ClickAsync("form.feedback-form button[type=submit]");
        var thanks = await first.WaitForSelectorAsync("p.notice[role=status]");
        Assert.Equal("Thank you: your feedback is recorded.", await thanks!.InnerTextAsync());

        await using var db = app.Database.CreateContext();
        var answer = await db.AdvisorFeedback.AsNoTracking().SingleAsync(a => a.SurveyId == survey.Id);
        Assert.Equal((true, 4, "Clear answers about the renewal quote.", "survey"), (answer.Useful, answer.Rating, answer.Comment, answer.Source));
        var answeredAt = (await db.FeedbackSurveys.AsNoTracking().SingleAsync(s => s.Id == survey.Id)).AnsweredAt;
        Assert.NotNull(answeredAt);

        // The same form, still open in another tab, sent afterwards: the used page, nothing stored.
        await stale.CheckAsync("input[name='Input.Useful'][value='no']");
        await stale.CheckAsync("#rating-1");
        await stale.ClickAsync("form.feedback-form button[type=submit]");
        await stale.WaitForSelectorAsync("h1.survey-used");
        // And the link opened again later.
        var again = await app.AnonymousPageAsync("en-GB");
        await again.GotoAsync(survey.Path);
        Assert.Equal("This link has already been used", await again.InnerTextAsync("h1.survey-used"));
        Assert.Equal(0, await again.Locator("form.feedback-form").CountAsync());
        await AssertAccessibleAsync(again, "feedback-survey-used");

        await using var check = app.Database.CreateContext();
        var answers = await check.AdvisorFeedback.AsNoTracking().Where(a => a.SurveyId == survey.Id).ToListAsync();
        Assert.Equal((answer.Id, true, 4), (Assert.Single(answers).Id, answers[0].Useful, answers[0].Rating));
        Assert.Equal(answeredAt, (await check.FeedbackSurveys.AsNoTracking().SingleAsync(s => s.Id == survey.Id)).AnsweredAt);
        Assert.Equal(1, await check.Audit.CountAsync(a => a.Action == "feedback.answered" && a.EntityId == survey.Id));
    }

    [Fact]
    public async Task A_signed_in_customer_of_another_account_or_a_member_of_staff_gets_404_and_the_owner_the_survey()
    {
        var survey = await SurveyAsync(WebApp.English);

        var other = await app.SignedInPageAsync(WebApp.French, "fr-FR");
        var refused = await other.GotoAsync(survey.Path);
        using var advisor = await app.SignedInClientAsync(Advisor, "**/advisor");
        var staff = await advisor.GetAsync(survey.Path);
        var owner = await app.SignedInPageAsync(WebApp.English, "en-GB");
        var shown = await owner.GotoAsync(survey.Path);

        Assert.Equal(404, refused!.Status);
        Assert.DoesNotContain("Your feedback", await other.ContentAsync(), StringComparison.Ordinal);
        Assert.Equal(HttpStatusCode.NotFound, staff.StatusCode);
        Assert.Equal(200, shown!.Status);
        Assert.Equal(1, await owner.Locator("form.feedback-form").CountAsync());
        await using var db = app.Database.CreateContext();
        Assert.Null((await db.FeedbackSurveys.AsNoTracking().SingleAsync(s => s.Id == survey.Id)).AnsweredAt);
    }

    [Theory]
    [InlineData("en", "Choose a rating from 1 to 5.", "Keep the comment to 1000 characters at most.")]
    [InlineData("fr", "Choisissez une note de 1 à 5.", "Le commentaire ne doit pas dépasser 1000 caractères.")]
    public async Task Bad_input_is_refused_in_the_readers_language_and_nothing_is_stored(string language, string rating, string comment)
    {
        var survey = await SurveyAsync(WebApp.English);
        var page = await app.AnonymousPageAsync(language == "fr" ? "fr-FR" : "en-GB");
        await page.GotoAsync(LinkPath().Replace(survey.Path, "?culture=" + language));
        await AssertAccessibleAsync(page, "feedback-survey-" + language);

        var refusals = new List<string>();
        foreach (var bad in new[] { "0", "6" })
        {
            await page.CheckAsync("input[name='Input.Useful'][value='yes']");
            // A hand-made post: the page offers 1 to 5 only.
            await page.EvalOnSelectorAsync("#rating-5", $"e => {{ e.value = '{bad}'; e.checked = true; }}");
            await page.ClickAsync("form.feedback-form button[type=submit]");
            refusals.Add(await TextOfAsync(await page.WaitForSelectorAsync("p.error[role=alert]")));
            await page.ReloadAsync();
        }

        await page.CheckAsync("input[name='Input.Useful'][value='no']");
        await page.CheckAsync("#rating-3");
        await page.EvalOnSelectorAsync("#fb-comment", "e => e.removeAttribute('maxlength')");
        await page.FillAsync("#fb-comment", new string('x', 1001));
        await page.ClickAsync("form.feedback-form button[type=submit]");
        refusals.Add(await TextOfAsync(await page.WaitForSelectorAsync("p.error[role=alert]")));

        Assert.Equal([rating, rating, comment], refusals);
        await using var db = app.Database.CreateContext();
        Assert.Equal(0, await db.AdvisorFeedback.CountAsync(a => a.SurveyId == survey.Id));
        Assert.Null((await db.FeedbackSurveys.AsNoTracking().SingleAsync(s => s.Id == survey.Id)).AnsweredAt);
        // The link still works once the input is right.
        await page.FillAsync("#fb-comment", "");
        await page.CheckAsync("input[name='Input.Useful'][value='no']");
        await page.CheckAsync("#rating-3");
        await page.ClickAsync("form.feedback-form button[type=submit]");
        await page.WaitForSelectorAsync("p.notice[role=status]");
        Assert.Equal(1, await db.AdvisorFeedback.CountAsync(a => a.SurveyId == survey.Id));
    }

    [Fact]
    public async Task An_unknown_link_shows_a_clear_page_and_stores_nothing()
    {
        await using var db = app.Database.CreateContext();
        var before = await db.AdvisorFeedback.CountAsync();
        var page = await app.AnonymousPageAsync("fr-FR");
        var answer = await page.GotoAsync("/feedback/AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA");

        Assert.Equal(200, answer!.Status);
        Assert.Equal("Ce lien ne fonctionne pas", await page.InnerTextAsync("h1.survey-unknown"));
        Assert.Equal(0, await page.Locator("form.feedback-form").CountAsync());
        await AssertAccessibleAsync(page, "feedback-survey-unknown-fr");
        Assert.Equal(before, await db.AdvisorFeedback.CountAsync());
    }

    [Fact]
    public async Task The_web_account_gives_feedback_on_its_advisor_and_the_admin_finds_it_on_the_scorecard()
    {
        var account = await app.AccountOfAsync(WebApp.French);
        await using var db = app.Database.CreateContext();
        var advisor = await db.Accounts.Where(a => a.Id == account).Select(a => a.Advisor == null ? null : a.Advisor.Name).SingleAsync();
        var before = await db.AdvisorFeedback.CountAsync(a => a.AccountId == account);
        var page = await app.SignedInPageAsync(WebApp.French, "fr-FR");
        await page.GotoAsync("/portal/feedback");
        Assert.Equal("Votre avis sur votre conseiller", await page.InnerTextAsync("h1"));
        await AssertAccessibleAsync(page, "feedback-portal-fr");
        if (advisor is null)
        {
            // One demo account in 25 has no advisor: the page says so and offers no form.
            Assert.Contains("Aucun conseiller ne suit encore votre compte", await page.InnerTextAsync("p.no-advisor"), StringComparison.Ordinal);
            Assert.Equal(0, await page.Locator("form.feedback-form").CountAsync());
            return;
        }

        const string said = "Réponses rapides, mais j'attends toujours le devis.";
        await page.CheckAsync("input[name='Input.Useful'][value='no']");
        await page.CheckAsync("#rating-2");
        await page.FillAsync("#fb-comment", said);
        await page.ClickAsync("form.feedback-form button[type=submit]");
        var thanks = await page.WaitForSelectorAsync("p.notice[role=status]");

        Assert.Equal($"Merci : votre avis sur {advisor} est enregistré.", await TextOfAsync(thanks));
        await using var check = app.Database.CreateContext();
        Assert.Equal(before + 1, await check.AdvisorFeedback.CountAsync(a => a.AccountId == account));
        var stored = await check.AdvisorFeedback.AsNoTracking().Where(a => a.AccountId == account).OrderByDescending(a => a.Id).FirstAsync();
        Assert.Equal(("portal", false, 2, said), (stored.Source, stored.Useful, stored.Rating, stored.Comment));

        var admin = await app.SignedInPageAsync(Admin, "en-GB", "**/admin");
        await admin.GotoAsync("/admin/feedback");
        Assert.Equal("Feedback on the advisors", await admin.InnerTextAsync("h1"));
        var row = admin.Locator($"section.scorecard-month >> nth=0 >> tr[data-advisor='{stored.AdvisorId}']");
        Assert.Equal(advisor, await row.Locator("th").InnerTextAsync());
        Assert.True(int.Parse(await row.Locator("td.portal").InnerTextAsync(), System.Globalization.CultureInfo.InvariantCulture) >= 1);
        Assert.Contains(said, await admin.Locator($"section.scorecard-month >> nth=0 >> ul.comments[data-advisor='{stored.AdvisorId}']").InnerTextAsync(), StringComparison.Ordinal);
        await AssertAccessibleAsync(admin, "feedback-scorecard");
        // The advisor's book now flags the account, seen by the advisor whose book it is.
        if (stored.AdvisorId == await check.Users.Where(u => u.Email == Advisor).Select(u => u.AdvisorId).SingleAsync())
        {
            // The demo advisor reads French.
            var book = await app.SignedInPageAsync(Advisor, "fr-FR", "**/advisor");
            await book.GotoAsync($"/advisor/accounts/{account}");
            Assert.Contains("avis client défavorable", await book.InnerTextAsync("main"), StringComparison.Ordinal);
        }
    }

    /// <summary>A callback from the customer's primary contact, closed as done by its advisor (taken first from the queue when the account has none): the survey's link as mailed.</summary>
    private async Task<(long Id, string Path)> SurveyAsync(string customer)
    {
        var account = await app.AccountOfAsync(customer);
        await using var db = app.Database.CreateContext();
        var contact = await db.Contacts.AsNoTracking().Where(c => c.AccountId == account).OrderBy(c => c.Role).ThenBy(c => c.Id).FirstAsync();
        var demoAdvisor = await db.Users.Where(u => u.Email == Advisor).Select(u => u.AdvisorId!.Value).SingleAsync();
        var clock = SystemClock.Instance;
        var receipt = await new CallbackService(db, clock, Core.Invoicing.Seller.Default).RequestFromPortalAsync(
            new PortalCustomer(account), contact.Email, new CallbackInput(contact.Name, "Their company", contact.Email, "+44 20 7946 0000", "Renewal quote", CallbackWindows.Any, "en"));
        var closer = new Actor.Advisor(receipt.AdvisorId ?? demoAdvisor);
        var tasks = new AdvisorTaskService(db, clock);
        if (receipt.AdvisorId is null)
        {
            await tasks.TakeAsync(closer, receipt.TaskId);
        }

        await tasks.CloseAsync(closer, receipt.TaskId, "Called back, quote sent.");
        var survey = await db.FeedbackSurveys.AsNoTracking().SingleAsync(s => s.AdvisorTaskId == receipt.TaskId);
        var message = await db.Outbox.AsNoTracking().Where(m => m.Template == MessageKinds.FeedbackSurvey && m.ContactId == contact.Id).OrderByDescending(m => m.Id).FirstAsync();
        using var payload = JsonDocument.Parse(message.Payload);
        return (survey.Id, payload.RootElement.GetProperty("link_path").GetString()!);
    }

    private static async Task<string> TextOfAsync(IElementHandle? element) => Spaces().Replace(await element!.InnerTextAsync(), " ");

    private static async Task AssertAccessibleAsync(IPage page, string name)
    {
        await WebApp.ScreenshotAsync(page, "axe-" + name);
        var result = await page.RunAxeAsync();
        var serious = result.Violations.Where(v => v.Impact is "serious" or "critical").ToList();
        Assert.True(serious.Count == 0, $"{page.Url}: " + string.Join("; ", serious.Select(v => $"{v.Id} ({v.Impact}): {v.Help} at {string.Join(", ", v.Nodes.Select(n => n.Html))}")));
    }

    [GeneratedRegex(@"\?culture=(en|fr)$")]
    private static partial Regex LinkPath();

    [GeneratedRegex(@"[\u00A0\u202F\u2009]")]
    private static partial Regex Spaces();
}
