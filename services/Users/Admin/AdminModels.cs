using System.ComponentModel.DataAnnotations;
using Microsoft.AspNetCore.Mvc;
using Store.ServiceDefaults;

namespace Store.Users.Admin;

/// <summary>The user list's query string: paging and a search term.</summary>
public sealed record UserQuery : IPageQuery
{
    /// <summary>How many matches to skip (default 0).</summary>
    [FromQuery(Name = "skip"), Range(0, int.MaxValue)]
    public int? Skip { get; init; }

    /// <summary>How many matches to return, 1..100 (default 10).</summary>
    [FromQuery(Name = "limit"), Range(1, Paging.MaxLimit)]
    public int? Limit { get; init; }

    /// <summary>Case-insensitive substring of the username, e-mail or full name.</summary>
    [FromQuery(Name = "search"), StringLength(100)]
    public string? Search { get; init; }
}
