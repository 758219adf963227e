using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;
using Store.Items.Data;
using Store.ServiceDefaults;

namespace Store.Items.Orders;

/// <summary>
/// Deletes the <c>Idempotency-Key</c> records older than <see cref="IdempotencyKeyOptions.Retention"/>,
/// in batches of <see cref="IdempotencyKeyOptions.PruneBatchSize"/>, every
/// <see cref="IdempotencyKeyOptions.PruneInterval"/>, so the table holds about one retention's worth
/// of keyed requests however long the service runs. Several instances may prune at once: each delete
/// only removes what is expired, so they at most share the work.
/// </summary>
public sealed partial class IdempotencyKeyPruner(
    IServiceScopeFactory scopes, IOptions<IdempotencyKeyOptions> options, TimeProvider clock, ILogger<IdempotencyKeyPruner> logger) : BackgroundService
{
    public static void Register(WebApplicationBuilder builder)
    {
        builder.Services.AddValidatedOptions<IdempotencyKeyOptions>(IdempotencyKeyOptions.Section);
        builder.Services.AddHostedService<IdempotencyKeyPruner>();
    }

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        var settings = options.Value;
        while (!stoppingToken.IsCancellationRequested)
        {
            try
            {
                await PruneAsync(settings, stoppingToken);
            }
            catch (Exception e) when (!stoppingToken.IsCancellationRequested)
            {
                // The database may be away for a moment: the next round tries again.
                LogPruneFailed(logger, e);
            }
            try
            {
                await Task.Delay(settings.PruneInterval, clock, stoppingToken);
            }
            catch (OperationCanceledException)
            {
                return;
            }
        }
    }

    private async Task PruneAsync(IdempotencyKeyOptions settings, CancellationToken cancellationToken)
    {
        var cutoff = clock.GetUtcNow() - settings.Retention;
        await using var scope = scopes.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<ItemsDb>();
        int deleted;
        do
        {
            deleted = await db.IdempotentRequests.Where(r => r.CreatedAt < cutoff).OrderBy(r => r.CreatedAt)
                .Take(settings.PruneBatchSize).ExecuteDeleteAsync(cancellationToken);
            if (deleted > 0)
                LogPruned(logger, deleted, cutoff);
        }
        while (deleted == settings.PruneBatchSize);
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "Deleted {Count} idempotency keys used before {Cutoff}")]
    private static partial void LogPruned(ILogger logger, int count, DateTimeOffset cutoff);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Deleting expired idempotency keys failed; trying again at the next interval")]
    private static partial void LogPruneFailed(ILogger logger, Exception exception);
}
