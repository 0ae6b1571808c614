using Renewals.Core.Export;
using Renewals.Web.Components.Admin;

namespace Renewals.Web.Endpoints;

/// <summary>
/// The administrator's downloads: the book as CSV. Anyone else signed in is answered 404, as the
/// administration pages answer them.
/// </summary>
public static class AdminEndpoints
{
    public static IEndpointRouteBuilder MapAdminEndpoints(this IEndpointRouteBuilder app)
    {
        app.MapGet("/admin/export/{kind}.csv", async (string kind, HttpContext http, BookExport export, NodaTime.IClock clock, CancellationToken ct) =>
        {
            if (AdminPage.AdminOf(http.User) is null || !Enum.TryParse<ExportKind>(kind, ignoreCase: true, out var what)
                || !Enum.IsDefined(what) || kind.Any(char.IsDigit))
            {
                return Results.NotFound();
            }

            // Written to memory first, so a failure answers an error rather than half a file.
            var file = new MemoryStream();
            await export.WriteAsync(what, file, ct);
            var day = clock.GetCurrentInstant().InUtc().Date.ToString("yyyy-MM-dd", System.Globalization.CultureInfo.InvariantCulture);
            return Results.File(file.ToArray(), "text/csv; charset=utf-8", $"renewals-{kind.ToLowerInvariant()}-{day}.csv");
        }).RequireAuthorization();
        return app;
    }
}
