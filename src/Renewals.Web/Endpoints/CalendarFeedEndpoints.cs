using Renewals.Core.CalendarFeeds;

namespace Renewals.Web.Endpoints;

/// <summary>
/// The calendar feeds: no sign-in (calendar apps cannot sign in), the secret token in the
/// address is the key. An unknown or renewed token answers 404, like any missing page.
/// </summary>
public static class CalendarFeedEndpoints
{
    public static IEndpointRouteBuilder MapCalendarFeedEndpoints(this IEndpointRouteBuilder app)
    {
        app.MapGet("/feeds/{token}.ics", async (string token, HttpContext http, CalendarFeedService feeds, CancellationToken ct) =>
        {
            if (await feeds.IcsAsync(token, ct) is not { } ics)
            {
                return Results.NotFound();
            }

            // The address is a secret: keep it out of caches shared with others.
            http.Response.Headers.CacheControl = "private, no-cache";
            return Results.Text(ics, "text/calendar; charset=utf-8");
        }).AllowAnonymous();
        return app;
    }
}
