using Store.Items.Catalog;
using Store.Items.Data;
using Store.Items.Orders;
using Store.Messaging;
using Store.ServiceDefaults;

var builder = WebApplication.CreateBuilder(args);
builder.AddServiceDefaults();                           // JSON, problem details, logging, telemetry, health, docs, JWT
builder.AddDatabase<ItemsDb>("items");                  // EF Core + Npgsql, migrated at start-up
builder.AddMessaging(                                   // MassTransit/RabbitMQ
    consumers: ItemCacheEvictor.Register,               // other instances' writes evict this one's cached items
    consumingIsLiveness: false);                        // a broker outage never restarts it: entries expire anyway
builder.AddOutboxRelay<ItemsDb>();                      // publishes what ItemsDb's transactions put in its outbox
ItemCache.Register(builder);                            // single items served without a database round trip (Items:Cache)
NewItems.Register(builder);                             // created items inserted in one statement, together when they come together
Purchases.Register(builder);                            // purchases placed in one statement, together when they come together
IdempotencyKeyPruner.Register(builder);                 // Idempotency-Key records expire after a day
builder.Services.AddValidation();                       // DataAnnotations on request types -> 422 (generated per assembly, so called here)

var app = builder.Build();
app.UseServiceDefaults();                               // request ids, problems, authentication, bad-text refusals
app.MapServiceDefaults();                               // /health/live, /health/ready, /docs, /redoc
app.MapCatalog();                                       // Catalog/CatalogEndpoints.cs
app.MapOrders();                                        // Orders/OrderEndpoints.cs
app.MapOutboxOperations<ItemsDb>("/api/items");        // GET /api/items/outbox(/events): for the operator's page (admin)
app.MapQueueOperations("/api/items");                   // GET /api/items/queues, POST .../replay: its cache queue (admin)
app.Run();
