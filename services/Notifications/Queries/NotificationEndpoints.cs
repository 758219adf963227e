using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.EntityFrameworkCore;
using Store.Notifications.Data;
using Store.ServiceDefaults;

namespace Store.Notifications.Queries;

/// <summary>/api/notifications: users read their own, admins everyone's.</summary>
public static class NotificationEndpoints
{
    public static IEndpointRouteBuilder MapNotifications(this IEndpointRouteBuilder app)
    {
        var notifications = app.MapGroup("/api/notifications").WithTag("Notifications", "The e-mails sent for the suite's events: a user's own, and all of them for admins.")
            .ProducesValidationProblem(StatusCodes.Status422UnprocessableEntity)
            .ProducesProblem(StatusCodes.Status400BadRequest);
        notifications.MapGet("/me", ListMine).WithName("ListMyNotifications").RequireAuthorization(Roles.User)
            .WithSummary("The caller's notifications, newest first, paged; X-Total-Count holds their number.");
        notifications.MapGet("/", ListAll).WithName("ListNotifications").RequireAuthorization(Roles.Admin)
            .WithSummary("All notifications, newest first, paged, optionally of one user or one request (admin).");
        return app;
    }

    public static async Task<Ok<NotificationResponse[]>> ListMine(
        [AsParameters] NotificationPage page, CurrentUser caller, NotificationsDb db, HttpResponse response, CancellationToken cancellationToken) =>
        TypedResults.Ok(await PageAsync(db.Notifications.Where(n => n.UserId == caller.Id), page, response, cancellationToken));

    public static async Task<Ok<NotificationResponse[]>> ListAll(
        [AsParameters] NotificationQuery query, NotificationsDb db, HttpResponse response, CancellationToken cancellationToken)
    {
        var matches = db.Notifications.AsQueryable();
        if (query.UserId is { } userId)
            matches = matches.Where(n => n.UserId == userId);
        if (!string.IsNullOrEmpty(query.CorrelationId))
            matches = matches.Where(n => n.CorrelationId == query.CorrelationId);
        return TypedResults.Ok(await PageAsync(matches, query, response, cancellationToken));
    }

    private static async Task<NotificationResponse[]> PageAsync(
        IQueryable<Notification> matches, NotificationPage page, HttpResponse response, CancellationToken cancellationToken)
    {
        matches = matches.AsNoTracking();
        var rows = await matches.ToPageAsync(page, m => m.OrderByDescending(n => n.Id), response, cancellationToken);
        return [.. rows.Select(NotificationResponse.From)];
    }
}
