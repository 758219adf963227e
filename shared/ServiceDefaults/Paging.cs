using System.Globalization;
using Microsoft.AspNetCore.Http;
using Microsoft.EntityFrameworkCore;

namespace Store.ServiceDefaults;

/// <summary>How every list of the suite pages (docs/contract.md): skip (default 0), limit 1..100 (default 10), and <c>X-Total-Count</c>.</summary>
public static class Paging
{
    public const int DefaultLimit = 10;
    public const int MaxLimit = 100;

    public const string TotalCountHeader = "X-Total-Count";

    /// <summary>
    /// Sets <c>X-Total-Count</c> to the number of <paramref name="matches"/> and returns the page the
    /// query asks for, in the given <paramref name="order"/> (applied to the page only, not the count).
    /// </summary>
    public static async Task<List<T>> ToPageAsync<T>(
        this IQueryable<T> matches, IPageQuery query, Func<IQueryable<T>, IOrderedQueryable<T>> order,
        HttpResponse response, CancellationToken cancellationToken)
    {
        var (rows, total) = await ReadPageAsync(matches, query, order, cancellationToken);
        SetTotalCount(response, total);
        return rows;
    }

    public static void SetTotalCount(HttpResponse response, int total) =>
        response.Headers[TotalCountHeader] = total.ToString(CultureInfo.InvariantCulture);

    /// <summary>
    /// The page and the number of all matches in one statement (the count is a sub-select, run once
    /// beside the page); only a page past the end, which has no row to carry the count, costs a
    /// second statement that counts.
    /// </summary>
    public static async Task<(List<T> Rows, int Total)> ReadPageAsync<T>(
        this IQueryable<T> matches, IPageQuery query, Func<IQueryable<T>, IOrderedQueryable<T>> order,
        CancellationToken cancellationToken)
    {
        var skip = query.Skip ?? 0;
        var page = await order(matches).Skip(skip).Take(query.Limit ?? DefaultLimit)
            .Select(row => new { Row = row, Total = matches.Count() })
            .ToListAsync(cancellationToken);
        var total = page.Count > 0 ? page[0].Total
            : skip == 0 ? 0
            : await matches.CountAsync(cancellationToken);
        return ([.. page.Select(p => p.Row)], total);
    }
}
