using Microsoft.AspNetCore.Authentication.JwtBearer;
using Microsoft.Extensions.Diagnostics.HealthChecks;
using Microsoft.Extensions.Options;

namespace Store.ServiceDefaults;

/// <summary>
/// Ready only once the keys that validate tokens are at hand. A service that has never fetched the
/// users service's JWKS (started while the users service is not up yet, as on a first deployment)
/// would answer 401 to every valid token; unready, it is out of the gateway's rotation and answers
/// 503 there instead. Keys once fetched are kept through a users outage, and the check then passes
/// without a request.
/// </summary>
internal sealed class SigningKeysHealthCheck(IOptionsMonitor<JwtBearerOptions> options) : IHealthCheck
{
    public async Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken = default)
    {
        if (options.Get(JwtBearerDefaults.AuthenticationScheme).ConfigurationManager is not { } keys)
            return HealthCheckResult.Healthy("The signing keys are given in configuration.");
        try
        {
            var configuration = await keys.GetConfigurationAsync(cancellationToken);
            return configuration.SigningKeys.Count > 0
                ? HealthCheckResult.Healthy($"{configuration.SigningKeys.Count} signing key(s) from the JWKS URL.")
                : HealthCheckResult.Unhealthy("The JWKS URL names no signing key.");
        }
        catch (Exception e) when (e is InvalidOperationException or HttpRequestException or IOException)
        {
            return HealthCheckResult.Unhealthy($"The signing keys could not be fetched yet: {e.Message}");
        }
    }
}
