using Deque.AxeCore.Commons;
using Deque.AxeCore.Playwright;
using Microsoft.Playwright;
using Newtonsoft.Json.Linq;

namespace Renewals.Web.Tests;

/// <summary>
/// axe-core run on a page, inside the page. Deque's <c>RunAxe</c> runs axe in pieces (a partial
/// run in every frame, then the final step in a blank page it opens and injects axe into again):
/// about 2 s a page on this machine however small the page. A page without frames needs none of
/// that, and one <c>axe.run</c> over its document finds the same violations; a page with frames
/// still goes through <c>RunAxe</c>, which reaches into them.
/// </summary>
internal static class Axe
{
    private static readonly string Source = new BundledAxeScriptProvider().GetScript();

    public static async Task<AxeResult> RunAxeAsync(this IPage page, AxeRunOptions? options = null)
    {
        if (options?.Iframes != false && await page.Locator("iframe").CountAsync() > 0)
        {
            return await page.RunAxe(options);
        }

        if (!await page.EvaluateAsync<bool>("() => typeof window.axe === 'object'"))
        {
            await page.EvaluateAsync(Source);
        }

        // Only the violations are read: axe then lists no passing node, which large pages have by the thousand.
        var json = await page.EvaluateAsync<string>("async () => JSON.stringify(await axe.run(document, { resultTypes: ['violations'] }))");
        return new AxeResult(JObject.Parse(json));
    }
}
