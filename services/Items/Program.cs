using Store.Items.Catalog;
using Store.Items.Data;
using Store.Items.Orders;
using Store.Messaging;
using Store.ServiceDefaults;

var builder = WebApplication.CreateBuilder(args);
builder.AddServiceDefaults();                           // JSON, problem details, logging, telemetry, health, docs, JWT
builder.AddDatabase<ItemsDb>("items");                  // EF Core + Npgsql, migrated at start-up
builder.AddMessaging(publishFrom: typeof(ItemsDb),      // MassTransit/RabbitMQ + the relay of ItemsDb's outbox
    consumers: ItemCacheEvictor.Register,               // other instances' writes evict this one's cached items
    consumingIsLiveness: false);                        // a broker outage never restarts it: entries expire anyway
builder.Services.AddSingleton<ItemCache>();             // single items served without a database round trip
IdempotencyKeyPruner.Register(builder);                 // Idempotency-Key records expire after a day
builder.Services.AddValidation();                       // DataAnnotations on request types -> 422 (generated per assembly, so called here)

var app = builder.Build();
app.MapServiceDefaults();                               // /health/live, /health/ready, /docs, /redoc
app.MapCatalog();                                       // Catalog/CatalogEndpoints.cs
app.MapOrders();                                        // Orders/OrderEndpoints.cs
app.Run();
