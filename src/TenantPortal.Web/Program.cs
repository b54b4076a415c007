using Microsoft.AspNetCore.Diagnostics.HealthChecks;
using TenantPortal.Web;
using TenantPortal.Web.Auth;
using TenantPortal.Web.Components;
using TenantPortal.Web.Components.Localization;
using TenantPortal.Web.Data;
using TenantPortal.Web.Features;
using TenantPortal.Web.Features.ApiKeys.Api;
using TenantPortal.Web.Features.Audit;
using TenantPortal.Web.Features.Notifications;
using TenantPortal.Web.Infrastructure.Telemetry;
using TenantPortal.Web.Features.Support;
using TenantPortal.Web.SecretStore;

var builder = WebApplication.CreateBuilder(PortalHostDefaults.Args(args));

builder.AddPortalData();
builder.AddPortalSecretStore();
builder.AddPortalAuthentication();
builder.AddPortalFeatures();
builder.AddPortalNotifications();
builder.AddPortalWebHost();
builder.AddPortalLocalization();
builder.AddPortalRateLimits();
builder.AddPortalTelemetry();

var app = builder.Build();

if (!app.Environment.IsDevelopment())
{
    app.UseExceptionHandler("/Error", createScopeForErrors: true);
    app.UseHsts();
    app.UseHttpsRedirection();
}

app.UsePortalSecurityHeaders();
app.UsePortalRequestLocalization();
app.UseStatusCodePagesWithReExecute("/not-found", createScopeForStatusCodePages: true);
app.UsePortalClientConnection();
app.UseRateLimiter();
app.UseAuthentication();
app.UseAuthorization();
app.UseAntiforgery();

app.MapHealthChecks("/health/live", new HealthCheckOptions { Predicate = _ => false });
app.MapHealthChecks("/health/ready", new HealthCheckOptions { Predicate = c => c.Tags.Contains("ready") });
app.MapPortalAuthentication();
app.MapAuditEndpoints();
app.MapPortalApi();
app.MapPortalCulture();
app.MapSupportEndpoints();
app.MapStaticAssets();
app.MapRazorComponents<App>().AddInteractiveServerRenderMode().WithCircuitOverWebSocketsOnly();

app.Run();

public partial class Program;
