using System.Globalization;
using System.Text.Encodings.Web;
using Microsoft.Extensions.Localization;
using Renewals.Web.Text;

namespace Renewals.Web.Hosting;

/// <summary>
/// A form the framework cannot read answers a page in the user's language (400), not a bare 400.
/// The form reader refuses a field or name holding a null character (U+0000, which no one can
/// type: a hand-made or corrupted post), a file part whose name ends with a backslash (browsers
/// send it as it is, and it escapes the closing quote of the part's header) and a form over its
/// size limits, inside the antiforgery check, before any page's code runs; so the form is read
/// here first, just before that check, and the refusal explained. Nothing is stored: no page ran.
/// </summary>
public sealed class UnreadableForms(RequestDelegate next)
{
    public async Task InvokeAsync(HttpContext http)
    {
        ArgumentNullException.ThrowIfNull(http);
        if (HttpMethods.IsPost(http.Request.Method) && http.Request.HasFormContentType && !http.Request.Path.StartsWithSegments("/api"))
        {
            try
            {
                // Read once: the antiforgery check and the page's form binding reuse what is read here.
                await http.Request.ReadFormAsync(http.RequestAborted);
            }
            catch (InvalidDataException)
            {
                await WriteAsync(http);
                return;
            }
            catch (IOException)
            {
                // A body cut short or over the server's size limit: left to the antiforgery check, as before.
            }
        }

        await next(http);
    }

    private static async Task WriteAsync(HttpContext http)
    {
        var words = http.RequestServices.GetRequiredService<IStringLocalizer<FormText>>();
        var html = HtmlEncoder.Default;
        var language = CultureInfo.CurrentUICulture.TwoLetterISOLanguageName == "fr" ? "fr" : "en";
        var back = http.Request.PathBase.Add(http.Request.Path).ToUriComponent() + http.Request.QueryString.ToUriComponent();
        http.Response.StatusCode = StatusCodes.Status400BadRequest;
        http.Response.ContentType = "text/html; charset=utf-8";
        await http.Response.WriteAsync(
            $"""
            <!DOCTYPE html>
            <html lang="{language}">
            <head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1"><title>{html.Encode(words["Form.Unreadable.Title"])} · Renewals</title><link rel="stylesheet" href="/app.css"></head>
            <body><main id="main"><h1>{html.Encode(words["Form.Unreadable.Title"])}</h1><p class="error" role="alert">{html.Encode(words["Form.Unreadable.Text"])}</p><p><a href="{html.Encode(back)}">{html.Encode(words["Form.Back"])}</a></p></main></body>
            </html>
            """, http.RequestAborted);
    }
}
