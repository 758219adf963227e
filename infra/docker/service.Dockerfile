# One image recipe for every service and the gateway: the SDK image builds and publishes the
# project named by PROJECT, the ASP.NET runtime image runs it as a non-root user.
#   docker build -f infra/docker/service.Dockerfile --build-arg PROJECT=services/Items/Items.csproj .
# CI runs the same `dotnet publish` command for every project (.ci/run).
FROM mcr.microsoft.com/dotnet/sdk:10.0 AS build
ARG PROJECT
WORKDIR /src
# The restore layer: only the build settings and project files, so a change to the code reuses the
# restored packages and only a change to a project's references restores again. Every project of
# the services is listed (tests/Deployment.Tests checks that none is missing).
COPY global.json Directory.Build.props Directory.Packages.props ./
COPY shared/Contracts/Contracts.csproj shared/Contracts/
COPY shared/Messaging/Messaging.csproj shared/Messaging/
COPY shared/ServiceDefaults/ServiceDefaults.csproj shared/ServiceDefaults/
COPY services/AuditLog/AuditLog.csproj services/AuditLog/
COPY services/Items/Items.csproj services/Items/
COPY services/Notifications/Notifications.csproj services/Notifications/
COPY services/Users/Users.csproj services/Users/
COPY gateway/Gateway.csproj gateway/
RUN dotnet restore "$PROJECT"
# The rest: the repository less what .dockerignore leaves out (tests, docs, build output).
COPY . .
RUN dotnet publish "$PROJECT" -c Release -o /app -p:UseAppHost=false --no-restore

FROM mcr.microsoft.com/dotnet/aspnet:10.0
# curl answers the container health check; the runtime image has no HTTP client of its own.
RUN apt-get update \
    && apt-get install -y --no-install-recommends curl \
    && rm -rf /var/lib/apt/lists/*
ARG ASSEMBLY
# The gen0 budget (below); the consumers' images are built with a smaller one (docker-compose.yml).
ARG GEN0_BUDGET=0x2000000
WORKDIR /app
COPY --from=build /app .
# A folder the service may write (the users service's generated development key); a named volume
# mounted here starts with this ownership.
RUN mkdir -p /app/data && chown "$APP_UID" /app/data
# A fixed gen0 budget (the same as infra/up.sh gives): the GC otherwise sizes it from the L3 cache
# the machine reports, and on a VM that reports the host's (260 MB) every busy service held about
# twice the private memory, with no throughput to show for it (docs/benchmarks.md). 32 MB for the
# services that answer requests (smaller ones cost them throughput); 8 MB for the two consumers,
# whose batches after a backlog otherwise grew them by the difference (32 MB gave them 15 MB more
# private memory, 16 MB 8 more), at no measurable CPU per event. Only the environment variable sets
# it; the runtimeconfig properties do not.
# No tiering delay: by default the runtime starts counting calls towards optimized code only after
# 100 ms without a newly called method, which a service taking its first load keeps putting off, so
# its hot code ran unoptimized for most of its first minute: purchases right after a start were a
# quarter slower (docs/benchmarks.md). Also an environment variable only.
ENV ASPNETCORE_HTTP_PORTS=8080 \
    DOTNET_GCgen0size=${GEN0_BUDGET} \
    DOTNET_TC_CallCountingDelayMs=0 \
    ASSEMBLY=${ASSEMBLY}
EXPOSE 8080
USER $APP_UID
HEALTHCHECK --interval=5s --timeout=3s --start-period=20s --retries=10 \
    CMD curl -fs http://127.0.0.1:8080/health/ready || exit 1
ENTRYPOINT ["sh", "-c", "exec dotnet \"$ASSEMBLY\""]
