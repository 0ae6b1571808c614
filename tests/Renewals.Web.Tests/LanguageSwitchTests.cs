using Microsoft.Playwright;
using Renewals.Web.Endpoints;

namespace Renewals.Web.Tests;

/// <summary>
/// The language switch wins over the language an emailed link names (?culture=fr): the reader's own
/// choice is what the page, and the pages after it, are shown in.
/// </summary>
[Collection(WebAppGroup.Name)]
public sealed class LanguageSwitchTests(WebApp app)
{
    [Theory]
    [InlineData("/callback", "/callback")]
    [InlineData("/callback?culture=fr", "/callback")]
    [InlineData("/callback?CULTURE=fr&ui-culture=fr", "/callback")]
    [InlineData("/feedback/abc?culture=en&from=mail", "/feedback/abc?from=mail")]
    [InlineData("/portal?a=1&culture=fr&b=two%20words", "/portal?a=1&b=two%20words")]
    [InlineData("/portal?cultures=fr", "/portal?cultures=fr")]
    public void The_page_to_go_back_to_loses_only_the_language_the_link_named(string returnUrl, string expected) =>
        Assert.Equal(expected, AccountEndpoints.WithoutCulture(returnUrl));

    [Theory]
    [InlineData("fr", "en", "Ask to be called back", "Être rappelé")]
    [InlineData("en", "fr", "Être rappelé", "Ask to be called back")]
    public async Task A_page_opened_from_a_link_in_one_language_switches_to_the_other_and_stays(
        string linkLanguage, string chosen, string expectedWords, string linkWords)
    {
        var page = await app.AnonymousPageAsync(acceptLanguage: linkLanguage == "fr" ? "en-GB" : "fr-FR");
        await page.GotoAsync($"/callback?culture={linkLanguage}&from=mail");
        Assert.Equal(linkLanguage, await page.GetAttributeAsync("html", "lang"));
        Assert.Contains(linkWords, await page.InnerTextAsync("h1"), StringComparison.Ordinal);

        await WebApp.SwitchLanguageAsync(page, chosen);

        Assert.Contains(expectedWords, await page.InnerTextAsync("h1"), StringComparison.Ordinal);
        Assert.EndsWith("/callback?from=mail", page.Url, StringComparison.Ordinal);

        // The next page is in the chosen language too, whatever the browser says.
        await page.GotoAsync("/signin");
        Assert.Equal(chosen, await page.GetAttributeAsync("html", "lang"));
    }
}
