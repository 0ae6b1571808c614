using Deque.AxeCore.Playwright;

namespace Renewals.Web.Tests;

/// <summary>
/// The page checks' axe runner (<see cref="Axe.RunAxeAsync"/>) finds what Deque's own runner
/// finds: the same violations on a page built to break rules, none on a page that keeps them.
/// </summary>
[Collection(WebAppGroup.Name)]
public sealed class AxeTests(WebApp app)
{
    [Fact]
    public async Task The_in_page_run_reports_the_violations_of_deques_runner_and_none_on_a_clean_page()
    {
        await using var context = await app.Browser.NewContextAsync();
        var page = await context.NewPageAsync();
        // No language, an image without a text, a field without a label, grey on grey, a link with no name,
        // two elements with one id.
        await page.SetContentAsync("""
            <html><head><title>broken</title></head><body>
            <main><h1>Broken</h1>
            <img src="data:image/gif;base64,R0lGODlhAQABAAAAACw=">
            <input type="text" id="twice"><span id="twice"></span>
            <p style="color:#999;background:#aaa">hard to read</p>
            <a href="/somewhere"></a>
            </main></body></html>
            """);

        var theirs = (await page.RunAxe()).Violations.Select(v => (v.Id, v.Nodes.Length)).Order().ToList();
        var ours = (await page.RunAxeAsync()).Violations.Select(v => (v.Id, v.Nodes.Length)).Order().ToList();

        Assert.Contains(theirs, v => v.Id == "image-alt");
        Assert.Contains(theirs, v => v.Id == "label");
        Assert.Contains(theirs, v => v.Id == "color-contrast");
        Assert.Contains(theirs, v => v.Id == "html-has-lang");
        Assert.Contains(theirs, v => v.Id == "link-name");
        Assert.Equal(theirs, ours);

        await page.SetContentAsync("""
            <html lang="en"><head><title>fine</title></head><body>
            <main><h1>Fine</h1><label for="name">Name</label><input type="text" id="name"><a href="/somewhere">Somewhere</a></main>
            </body></html>
            """);
        Assert.Empty((await page.RunAxe()).Violations);
        Assert.Empty((await page.RunAxeAsync()).Violations);
    }
}
