using System.Globalization;
using Microsoft.AspNetCore.Http;
using Microsoft.EntityFrameworkCore;

namespace Store.ServiceDefaults;

/// <summary>
/// A list's query string with the suite's paging parameters. The implementing record declares them,
/// so that each list's OpenAPI document and validation show them:
/// <c>[FromQuery(Name = "skip"), Range(0, int.MaxValue)]</c> and
/// <c>[FromQuery(Name = "limit"), Range(1, Paging.MaxLimit)]</c>.
/// </summary>
public interface IPageQuery
{
    int? Skip { get; }
    int? Limit { get; }
}

/// <summary>How every list of the suite pages (docs/contract.md): skip (default 0), limit 1..100 (default 10), and <c>X-Total-Count</c>.</summary>
public static class Paging
{
    public const int DefaultLimit = 10;
    public const int MaxLimit = 100;

    /// <summary>
    /// Sets <c>X-Total-Count</c> to the number of <paramref name="matches"/> and returns the page the
    /// query asks for, in the given <paramref name="order"/> (applied to the page only, not the count).
    /// </summary>
    public static async Task<List<T>> ToPageAsync<T>(
        this IQueryable<T> matches, IPageQuery query, Func<IQueryable<T>, IOrderedQueryable<T>> order,
        HttpResponse response, CancellationToken cancellationToken)
    {
        var total = await matches.CountAsync(cancellationToken);
        response.Headers["X-Total-Count"] = total.ToString(CultureInfo.InvariantCulture);
        return await order(matches).Skip(query.Skip ?? 0).Take(query.Limit ?? DefaultLimit).ToListAsync(cancellationToken);
    }
}
