using Store.Messaging;
using Store.Notifications.Data;
using Store.Notifications.Delivery;
using Store.Notifications.Queries;
using Store.ServiceDefaults;

var builder = WebApplication.CreateBuilder(args);
builder.AddServiceDefaults();                           // JSON, problem details, logging, telemetry, health, docs, JWT
builder.AddDatabase<NotificationsDb>("notifications", sequentialScans: false); // EF Core + Npgsql, migrated at start-up; rows found by index at any table size
builder.AddMessaging(consumers: NotificationConsumer.Register); // MassTransit/RabbitMQ: the notifications queue, retries, _error
EmailSender.Register(builder);                          // SMTP when Smtp:Host is set, else the log (Delivery/EmailSender.cs)
builder.Services.AddValidation();                       // DataAnnotations on request types -> 422 (generated per assembly, so called here)

var app = builder.Build();
app.UseServiceDefaults();                               // request ids, problems, authentication, bad-text refusals
app.MapServiceDefaults();                               // /health/live, /health/ready, /docs, /redoc
app.MapNotifications();                                 // Queries/NotificationEndpoints.cs
app.MapQueueOperations("/api/notifications");           // GET /api/notifications/queues, POST .../replay (admin)
app.Run();
