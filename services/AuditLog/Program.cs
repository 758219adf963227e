using Store.AuditLog.Data;
using Store.AuditLog.Queries;
using Store.AuditLog.Recording;
using Store.Messaging;
using Store.ServiceDefaults;

var builder = WebApplication.CreateBuilder(args);
builder.AddServiceDefaults();                           // JSON, problem details, logging, telemetry, health, docs, JWT
builder.AddDatabase<AuditDb>("audit");                  // EF Core + Npgsql, migrated at start-up
builder.AddMessaging(consumers: AuditConsumer.Register); // MassTransit/RabbitMQ: the audit queue, retries, _error
builder.Services.AddValidation();                       // DataAnnotations on request types -> 422 (generated per assembly, so called here)

var app = builder.Build();
app.UseServiceDefaults();                               // request ids, problems, authentication, bad-text refusals
app.MapServiceDefaults();                               // /health/live, /health/ready, /docs, /redoc
app.MapAudit();                                         // Queries/AuditEndpoints.cs
app.MapQueueOperations("/api/audit");                   // GET /api/audit/queues, POST .../replay: the audit-log queue (admin)
app.Run();
