using System.Globalization;
using System.Text.Encodings.Web;
using Microsoft.Extensions.Localization;
using Renewals.Web.Text;

namespace Renewals.Web.Hosting;

/// <summary>The page a rate-limited callback request gets (429): what happened and what to do, in the visitor's language.</summary>
public static class CallbackRefusal
{
    /// <summary>The page; <paramref name="backToForm"/> adds the way back to the callback form (the link-reached forms have none to offer).</summary>
    public static async ValueTask WriteAsync(HttpContext http, CancellationToken ct, bool backToForm = true)
    {
        ArgumentNullException.ThrowIfNull(http);
        var words = http.RequestServices.GetRequiredService<IStringLocalizer<CallbackText>>();
        var html = HtmlEncoder.Default;
        var language = CultureInfo.CurrentUICulture.TwoLetterISOLanguageName == "fr" ? "fr" : "en";
        http.Response.ContentType = "text/html; charset=utf-8";
        http.Response.Headers.RetryAfter = "600";
        await http.Response.WriteAsync(
            $"""
            <!DOCTYPE html>
            <html lang="{language}">
            <head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1"><title>{html.Encode(words["Callback.TooMany.Title"])} · Renewals</title><link rel="stylesheet" href="/app.css"></head>
            <body><main id="main"><h1>{html.Encode(words["Callback.TooMany.Title"])}</h1><p class="error" role="alert">{html.Encode(words["Callback.TooMany.Text"])}</p>{(backToForm ? $"<p><a href=\"/callback\">{html.Encode(words["Callback.Back"])}</a></p>" : "")}</main></body>
            </html>
            """, ct);
    }
}
