using System.Globalization;
using Renewals.Core.Advisors;

namespace Renewals.Web.Components.Paging;

/// <summary>Reads a paged list's query parameters: anything that is not a plain number is ignored (the first page, the default size).</summary>
public static class PageQuery
{
    public static long? Id(string? value) =>
        long.TryParse(value, NumberStyles.None, CultureInfo.InvariantCulture, out var id) ? id : null;

    public static int Size(string? value) =>
        int.TryParse(value, NumberStyles.None, CultureInfo.InvariantCulture, out var size) && size > 0 ? Math.Min(size, PageAt.MaxSize) : PageAt.DefaultSize;
}
