using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Routing;

namespace Renewals.Web.Tests;

/// <summary>
/// The application's own endpoint list: the web host built as it ships (not started) and its
/// endpoint data sources read, so a route added anywhere (page, download, API, feed) shows up
/// here without anyone listing it by hand.
/// </summary>
internal static class AppRoutes
{
    /// <summary>One route: its template ("/portal/invoices/{id:long}/pdf") and the HTTP methods it answers (empty: any).</summary>
    public sealed record Route(string Template, IReadOnlyList<string> Methods, string Kind)
    {
        /// <summary>The role rules the endpoint carries as metadata (each "role,role"), checked by the authorization middleware.</summary>
        public IReadOnlyList<string> Roles { get; init; } = [];
    }

    private static readonly Lazy<Task<IReadOnlyList<Route>>> All = new(ReadAsync);

    public static Task<IReadOnlyList<Route>> AllAsync() => All.Value;

    /// <summary>The routes a browser or an integrator can GET (static files aside: they are one kind, checked by one sample).</summary>
    public static async Task<IReadOnlyList<Route>> GetRoutesAsync() =>
        [.. (await AllAsync()).Where(r => r.Kind != "static" && (r.Methods.Count == 0 || r.Methods.Contains("GET")))];

    private static async Task<IReadOnlyList<Route>> ReadAsync()
    {
        var folder = Directory.CreateTempSubdirectory("renewals-routes-").FullName;
        try
        {
            await using var app = RenewalsWeb.Build([
                "--contentRoot", WebApp.WebProjectFolder(),
                "--environment", "Production",
                // The manifest of static assets is named after the application, not the test host.
                "--applicationName", "Renewals.Web",
                "--Renewals:Database=" + Path.Combine(folder, "routes.db"),
            ]);
            var endpoints = ((IEndpointRouteBuilder)app).DataSources.SelectMany(d => d.Endpoints).OfType<RouteEndpoint>();
            return [.. endpoints
                .Select(e => new Route(
                    "/" + (e.RoutePattern.RawText ?? "").TrimStart('/'),
                    e.Metadata.GetMetadata<HttpMethodMetadata>()?.HttpMethods.ToList() ?? [],
                    KindOf(e))
                {
                    Roles = [.. e.Metadata.GetOrderedMetadata<Microsoft.AspNetCore.Authorization.IAuthorizeData>().Select(a => a.Roles).OfType<string>()],
                })
                .DistinctBy(r => (r.Template, string.Join(",", r.Methods)))
                .OrderBy(r => r.Template, StringComparer.Ordinal)];
        }
        finally
        {
            Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
            Directory.Delete(folder, recursive: true);
        }
    }

    private static string KindOf(RouteEndpoint endpoint) =>
        endpoint.Metadata.Any(m => m.GetType().Name.Contains("StaticAsset", StringComparison.Ordinal)) ? "static"
        : endpoint.Metadata.GetMetadata<Microsoft.AspNetCore.Components.Endpoints.ComponentTypeMetadata>() is not null ? "page"
        : "endpoint";
}
