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
