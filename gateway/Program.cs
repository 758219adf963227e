using Store.Gateway.Docs;
using Store.Gateway.Edge;
using Store.Gateway.Health;
using Store.Gateway.Ops;
using Store.Gateway.Proxy;
using Store.ServiceDefaults;

var builder = WebApplication.CreateBuilder(args);
builder.AddHostDefaults();          // JSON, problem details, logging, telemetry, JWT (no API document of its own)
builder.AddEdgePolicies();          // Edge/: rate limits, CORS, compression, body cap
builder.AddProxy();                 // Proxy/: YARP routes and clusters from the ReverseProxy section
builder.AddUpstreamHealth();        // Health/: each service's readiness, asked live

var app = builder.Build();
app.UseEdgePolicies();              // request id, problems, compression, body cap, CORS, rate limits, JWT
app.MapHealthEndpoints();           // /health/live, /health/ready: the gateway's own
app.MapUpstreamHealth();            // GET /health: the gateway and every service in one answer
app.MapServiceDocs();               // /docs: every service's OpenAPI document, served through the gateway
app.MapOpsPage();                   // /ops: the operator's page (Ops/, wwwroot/ops), reading the services' admin APIs
app.MapProxy();                     // the routes of the ReverseProxy section; anything else is 404
app.Run();
