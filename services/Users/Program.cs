using Store.Messaging;
using Store.ServiceDefaults;
using Store.Users.Admin;
using Store.Users.Auth;
using Store.Users.Data;
using Store.Users.Profile;
using Store.Users.Registration;

var builder = WebApplication.CreateBuilder(args);
builder.AddServiceDefaults();               // JSON, problem details, logging, telemetry, health, docs, JWT
builder.AddDatabase<UsersDb>("users");      // EF Core + Npgsql, migrated at start-up
builder.AddMessaging();                     // MassTransit/RabbitMQ
builder.AddOutboxRelay<UsersDb>();          // publishes what UsersDb's transactions put in its outbox
builder.Services.AddValidation();           // DataAnnotations on request types -> 422 (generated per assembly, so called here)
AuthSetup.Register(builder);                // Auth/: signing keys, passwords, tokens; validates its own tokens in process
FirstAdmin.Register(builder);               // Admin/FirstAdmin.cs: the admin from configuration, once (after the migrations)

var app = builder.Build();
app.UseServiceDefaults();                   // request ids, problems, authentication, bad-text refusals
app.MapServiceDefaults();                   // /health/live, /health/ready, /docs, /redoc
app.MapTokens();                            // Auth/TokenEndpoints.cs: POST /api/auth/token, GET /.well-known/jwks.json
app.MapRegistration();                      // Registration/RegistrationEndpoints.cs: POST /api/users
app.MapProfile();                           // Profile/ProfileEndpoints.cs: /api/users/me, /api/users/me/settings
app.MapUserAdministration();                // Admin/AdminEndpoints.cs: GET /api/users, GET and DELETE /api/users/{id}
app.MapOutboxOperations<UsersDb>("/api/users"); // GET /api/users/outbox(/events): for the operator's page (admin)
app.Run();
