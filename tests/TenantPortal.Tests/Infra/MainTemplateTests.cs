using System.Text.RegularExpressions;

namespace TenantPortal.Tests.Infra;

/// <summary>The security properties of the deployment, read from the compiled template.</summary>
[Collection(BicepCliRuns.Name)]
public sealed partial class MainTemplateTests(InfraBuild infra)
{
    private const string KeyVaultSecretsUserRoleId = "4633458b-17de-408a-b874-0445c86b69e6";
    private const string PortalPrincipal = "[parameters('portalPrincipalId')]";
    private const string BackendPrincipal = "[parameters('backendPrincipalId')]";

    private static readonly string[] _portalDataActions =
    [
        "Microsoft.KeyVault/vaults/secrets/setSecret/action",
        "Microsoft.KeyVault/vaults/secrets/update/action",
        "Microsoft.KeyVault/vaults/secrets/readMetadata/action",
    ];

    private CompiledTemplate Template => infra.MainTemplate;

    private TemplateResource PortalRole => Template.Only("Microsoft.Authorization/roleDefinitions");

    private IEnumerable<string> PortalRolePermissions(string kind) =>
        PortalRole["properties.permissions"]!.AsArray().SelectMany(p => p![kind]!.AsArray()).Select(a => a!.GetValue<string>());

    [Fact]
    public void CompiledTemplate_KeyVaultEvents_GoToThePortalsEndpointWithEntraDeliveryAndOnlyTenantSecretEvents()
    {
        var topic = Template.Only("Microsoft.EventGrid/systemTopics");
        var subscription = Template.Only("Microsoft.EventGrid/systemTopics/eventSubscriptions");

        Assert.Equal("Microsoft.KeyVault.vaults", topic["properties.topicType"]!.GetValue<string>());
        Assert.Equal("EventGridSchema", subscription["properties.eventDeliverySchema"]!.GetValue<string>());
        Assert.Equal("WebHook", subscription["properties.destination.endpointType"]!.GetValue<string>());
        Assert.Equal("[parameters('entraTenantId')]", subscription["properties.destination.properties.azureActiveDirectoryTenantId"]!.GetValue<string>());
        Assert.Equal("[parameters('entraApplicationIdOrUri')]", subscription["properties.destination.properties.azureActiveDirectoryApplicationIdOrUri"]!.GetValue<string>());
        Assert.Equal(["Microsoft.KeyVault.SecretExpired", "Microsoft.KeyVault.SecretNearExpiry", "Microsoft.KeyVault.SecretNewVersionCreated"],
            subscription["properties.filter.includedEventTypes"]!.AsArray().Select(t => t!.GetValue<string>()).Order(StringComparer.Ordinal));
        Assert.Equal("tenant-", subscription["properties.filter.subjectBeginsWith"]!.GetValue<string>());
        Assert.Equal("-api-key", subscription["properties.filter.subjectEndsWith"]!.GetValue<string>());
    }

    [Fact]
    public void CompiledTemplate_PortalRole_HasNoGetSecret()
    {
        var granted = PortalRolePermissions("actions").Concat(PortalRolePermissions("dataActions")).ToList();

        Assert.NotEmpty(granted);
        Assert.DoesNotContain(granted, a => a.Contains("getSecret", StringComparison.OrdinalIgnoreCase));
    }

    [Fact]
    public void CompiledTemplate_PortalRole_HasNoWildcard()
    {
        Assert.DoesNotContain(PortalRolePermissions("actions").Concat(PortalRolePermissions("dataActions")), a => a.Contains('*', StringComparison.Ordinal));
    }

    [Fact]
    public void CompiledTemplate_PortalRole_GrantsOnlySetUpdateAndReadMetadata()
    {
        Assert.Equal("CustomRole", PortalRole["properties.type"]!.GetValue<string>());
        Assert.Contains("Tenant API Key Writer", PortalRole.Template["parameters"]!["portalRoleName"]!["defaultValue"]!.GetValue<string>(), StringComparison.Ordinal);
        Assert.Empty(PortalRolePermissions("actions"));
        Assert.Equal(_portalDataActions.Order(StringComparer.Ordinal), PortalRolePermissions("dataActions").Order(StringComparer.Ordinal));
    }

    [Fact]
    public void CompiledTemplate_PortalIdentity_HasOnlyTheWriterRoleOnTheVault()
    {
        var assignment = Assert.Single(VaultAssignmentsOf(PortalPrincipal));

        Assert.Contains(PortalRole["name"]!.GetValue<string>().Trim('[', ']'), assignment.Resolved("properties.roleDefinitionId"), StringComparison.Ordinal);
        Assert.DoesNotContain(KeyVaultSecretsUserRoleId, assignment.Resolved("properties.roleDefinitionId"), StringComparison.Ordinal);
        Assert.Equal("ServicePrincipal", assignment["properties.principalType"]!.GetValue<string>());
    }

    [Fact]
    public void CompiledTemplate_Backend_GetsSecretsUserAndNotTheWriterRole()
    {
        var assignment = Assert.Single(VaultAssignmentsOf(BackendPrincipal));

        Assert.Contains(KeyVaultSecretsUserRoleId, assignment.Resolved("properties.roleDefinitionId"), StringComparison.Ordinal);
        Assert.DoesNotContain(PortalRole["name"]!.GetValue<string>().Trim('[', ']'), assignment.Resolved("properties.roleDefinitionId"), StringComparison.Ordinal);
        Assert.Equal(
            "[parameters('backendPrincipalId')]",
            Template.OfType("Microsoft.Resources/deployments").Select(d => d["properties.parameters.backendPrincipalId.value"]?.GetValue<string>()).Single(v => v is not null));
    }

    [Fact]
    public void CompiledTemplate_KeyVault_HasRbacSoftDeleteAndPurgeProtection()
    {
        var vault = Template.Only("Microsoft.KeyVault/vaults");

        Assert.True(vault["properties.enableRbacAuthorization"]!.GetValue<bool>());
        Assert.True(vault["properties.enableSoftDelete"]!.GetValue<bool>());
        Assert.Equal(90, vault["properties.softDeleteRetentionInDays"]!.GetValue<int>());
        Assert.True(vault["properties.enablePurgeProtection"]!.GetValue<bool>());
        Assert.False(vault["properties.enabledForDeployment"]!.GetValue<bool>());
        Assert.False(vault["properties.enabledForTemplateDeployment"]!.GetValue<bool>());
        Assert.False(vault["properties.enabledForDiskEncryption"]!.GetValue<bool>());
        Assert.Equal("standard", vault["properties.sku.name"]!.GetValue<string>());
        Assert.Null(vault["properties.accessPolicies"]);
    }

    [Fact]
    public void CompiledTemplate_KeyVault_SendsAuditEventsToLogAnalytics()
    {
        var setting = Assert.Single(Template.OfType("Microsoft.Insights/diagnosticSettings"),
            d => d["scope"]!.GetValue<string>().Contains("Microsoft.KeyVault/vaults", StringComparison.Ordinal));

        Assert.Contains(setting["properties.logs"]!.AsArray(),
            l => l!["category"]?.GetValue<string>() == "AuditEvent" && l["enabled"]!.GetValue<bool>());
        Assert.False(string.IsNullOrEmpty(setting["properties.workspaceId"]?.GetValue<string>()));
    }

    [Fact]
    public void CompiledTemplate_WebApp_IsHttpsOnlyWithTls12AndNoBasicAuth()
    {
        var site = Template.Only("Microsoft.Web/sites");

        Assert.True(site["properties.httpsOnly"]!.GetValue<bool>());
        Assert.Equal("1.2", site["properties.siteConfig.minTlsVersion"]!.GetValue<string>());
        Assert.Equal("1.2", site["properties.siteConfig.scmMinTlsVersion"]!.GetValue<string>());
        Assert.Equal("Disabled", site["properties.siteConfig.ftpsState"]!.GetValue<string>());
        var basicAuth = Template.OfType("Microsoft.Web/sites/basicPublishingCredentialsPolicies").ToList();
        Assert.Equal(2, basicAuth.Count);
        Assert.All(basicAuth, p => Assert.False(p["properties.allow"]!.GetValue<bool>()));
    }

    [Fact]
    public void CompiledTemplate_WebApp_HasWebSocketsAndArrAffinityForBlazorServer()
    {
        var site = Template.Only("Microsoft.Web/sites");

        Assert.True(site["properties.siteConfig.webSocketsEnabled"]!.GetValue<bool>());
        Assert.True(site["properties.clientAffinityEnabled"]!.GetValue<bool>());
    }

    /// <summary>
    /// Scale-out is sticky sessions over WebSockets, not the SignalR Service: through the service a circuit's server
    /// side never sees the sign-in cookie, so its Entra re-check could not run (docs/operations.md#scaling-out).
    /// </summary>
    [Fact]
    public void CompiledTemplate_DeploysNoSignalRService_AndTheAppIsNotPointedAtOne()
    {
        Assert.DoesNotContain("Microsoft.SignalRService", Template.Root.ToJsonString(), StringComparison.OrdinalIgnoreCase);
        var settings = ParseAppSettings(Template.Only("Microsoft.Web/sites")["properties.siteConfig.appSettings"]!.GetValue<string>());
        Assert.DoesNotContain(settings.Keys, k => k.StartsWith("Azure__SignalR", StringComparison.OrdinalIgnoreCase));
        Assert.True(Template.Only("Microsoft.Web/sites")["properties.clientAffinityEnabled"]!.GetValue<bool>());
    }

    [Fact]
    public void CompiledTemplate_WebApp_RunsDotNet10AlwaysOnWithManagedIdentityAndHealthCheck()
    {
        var site = Template.Only("Microsoft.Web/sites");

        Assert.Equal("DOTNETCORE|10.0", site["properties.siteConfig.linuxFxVersion"]!.GetValue<string>());
        Assert.True(site["properties.siteConfig.alwaysOn"]!.GetValue<bool>());
        Assert.Equal("SystemAssigned", site["identity.type"]!.GetValue<string>());
        Assert.Equal("/health/live", site["properties.siteConfig.healthCheckPath"]!.GetValue<string>());
        Assert.True(Template.Only("Microsoft.Web/serverfarms")["properties.reserved"]!.GetValue<bool>());
    }

    [Fact]
    public void CompiledTemplate_WebAppSettings_WireVaultDatabaseAndSignInWithoutSecrets()
    {
        var appSettings = Template.Only("Microsoft.Web/sites")["properties.siteConfig.appSettings"]!.GetValue<string>();
        var settings = ParseAppSettings(appSettings);

        Assert.Equal("'Production'", settings["ASPNETCORE_ENVIRONMENT"]);
        Assert.Equal("'AzureKeyVault'", settings["SecretStore__Provider"]);
        Assert.Equal("parameters('keyVaultUri')", settings["SecretStore__VaultUri"]);
        Assert.Equal("'SqlServer'", settings["Database__Provider"]);
        Assert.Contains("Authentication=Active Directory Default", settings["ConnectionStrings__TenantPortal"], StringComparison.Ordinal);
        Assert.Equal("'/home/data-protection-keys'", settings["DataProtection__KeysPath"]);
        Assert.Equal("'organizations'", settings["AzureAd__TenantId"]);
        Assert.Equal("'/signin-oidc'", settings["AzureAd__CallbackPath"]);
        Assert.All(["Database__MigrateAtStartup", "Authentication__HomeTenantId", "AzureAd__Instance", "AzureAd__ClientId", "APPLICATIONINSIGHTS_CONNECTION_STRING"],
            name => Assert.True(settings.ContainsKey(name), $"App setting {name} is missing."));
        // Telemetry comes from the app's own OpenTelemetry (Azure Monitor distro); the agent would report it all again.
        Assert.DoesNotContain("ApplicationInsightsAgent_EXTENSION_VERSION", settings.Keys);
        Assert.DoesNotMatch(NoSecretInSettings(), appSettings);
        Assert.DoesNotContain(settings.Keys, k => k.Contains("ClientSecret", StringComparison.OrdinalIgnoreCase));
    }

    [Fact]
    public void CompiledTemplate_KeyRingCertificate_WhenGiven_IsLoadedByAppServiceAndUsedByTheApp()
    {
        var site = Template.Only("Microsoft.Web/sites");
        var settings = site.Template["variables"]!["dataProtectionSettings"]!.GetValue<string>();

        Assert.Equal("", site.Template["parameters"]!["dataProtectionCertificateThumbprint"]!["defaultValue"]!.GetValue<string>());
        Assert.StartsWith("[if(empty(parameters('dataProtectionCertificateThumbprint')), createArray(), ", settings, StringComparison.Ordinal);
        Assert.All(["WEBSITE_LOAD_CERTIFICATES", "DataProtection__CertificatePath", "DataProtection__PreviousCertificatePaths", "/var/ssl/private/"],
            text => Assert.Contains(text, settings, StringComparison.Ordinal));
        Assert.Contains("variables('dataProtectionSettings')", site["properties.siteConfig.appSettings"]!.GetValue<string>(), StringComparison.Ordinal);
        Assert.Contains(Template.OfType("Microsoft.Resources/deployments"),
            d => d["properties.parameters.dataProtectionCertificateThumbprint.value"]?.GetValue<string>() == "[parameters('dataProtectionCertificateThumbprint')]");
    }

    [Fact]
    public void CompiledTemplate_SqlServer_AllowsOnlyEntraAuthenticationAndTls12()
    {
        var server = Template.Only("Microsoft.Sql/servers");

        Assert.True(server["properties.administrators.azureADOnlyAuthentication"]!.GetValue<bool>());
        Assert.Equal("ActiveDirectory", server["properties.administrators.administratorType"]!.GetValue<string>());
        Assert.Equal("Group", server["properties.administrators.principalType"]!.GetValue<string>());
        Assert.Equal("1.2", server["properties.minimalTlsVersion"]!.GetValue<string>());
        Assert.Null(server["properties.administratorLogin"]);
        Assert.Null(server["properties.administratorLoginPassword"]);
    }

    [Fact]
    public void CompiledTemplate_SqlServer_AuditsToLogAnalytics()
    {
        var auditing = Template.Only("Microsoft.Sql/servers/auditingSettings");
        var setting = Assert.Single(Template.OfType("Microsoft.Insights/diagnosticSettings"),
            d => d["scope"]!.GetValue<string>().Contains("'master'", StringComparison.Ordinal));

        Assert.Equal("Enabled", auditing["properties.state"]!.GetValue<string>());
        Assert.True(auditing["properties.isAzureMonitorTargetEnabled"]!.GetValue<bool>());
        Assert.Contains(setting["properties.logs"]!.AsArray(), l => l!["category"]?.GetValue<string>() == "SQLSecurityAuditEvents" && l["enabled"]!.GetValue<bool>());
        Assert.Single(Template.OfType("Microsoft.Sql/servers/databases"));
    }

    [Fact]
    public void CompiledTemplate_Outputs_HoldNoSecret()
    {
        var outputs = Template.Templates.SelectMany(t => t["outputs"]?.AsObject() ?? []).ToList();

        Assert.NotEmpty(outputs);
        Assert.All(outputs, o =>
        {
            Assert.DoesNotMatch(CompiledTemplate.SecretLookingName, o.Key);
            Assert.DoesNotContain("secure", o.Value!["type"]?.GetValue<string>() ?? string.Empty, StringComparison.OrdinalIgnoreCase);
            Assert.DoesNotMatch(SecretLookingExpression(), o.Value!["value"]!.ToJsonString());
        });
    }

    [Fact]
    public void CompiledTemplate_Parameters_AreNeverSecure()
    {
        // Managed identities everywhere: nothing the deployment takes is a secret, so nothing is @secure().
        var parameters = Template.Templates.SelectMany(t => t["parameters"]?.AsObject() ?? []).ToList();

        Assert.NotEmpty(parameters);
        Assert.All(parameters, p =>
        {
            Assert.DoesNotContain("secure", p.Value!["type"]?.GetValue<string>() ?? string.Empty, StringComparison.OrdinalIgnoreCase);
            Assert.DoesNotMatch(CompiledTemplate.SecretLookingName, p.Key);
        });
    }

    private IEnumerable<TemplateResource> VaultAssignmentsOf(string principal) =>
        Template.OfType("Microsoft.Authorization/roleAssignments").Where(a =>
            a["properties.principalId"]?.GetValue<string>() == principal
            && a["scope"]!.GetValue<string>().Contains("Microsoft.KeyVault/vaults", StringComparison.Ordinal));

    /// <summary>The compiled app settings are one ARM expression: <c>concat(createArray(createObject('name', '…', 'value', …), …), …)</c>.</summary>
    private static Dictionary<string, string> ParseAppSettings(string expression)
    {
        const string SettingStart = "createObject('name', '";
        const string ValueStart = "', 'value', ";
        var settings = new Dictionary<string, string>(StringComparer.Ordinal);
        var at = expression.IndexOf(SettingStart, StringComparison.Ordinal);
        while (at >= 0)
        {
            var nameStart = at + SettingStart.Length;
            var nameEnd = expression.IndexOf(ValueStart, nameStart, StringComparison.Ordinal);
            var valueStart = nameEnd + ValueStart.Length;
            var valueEnd = valueStart;
            var depth = 0;
            var inString = false;
            for (; valueEnd < expression.Length; valueEnd++)
            {
                var c = expression[valueEnd];
                if (c == '\'')
                {
                    inString = !inString; // an escaped '' toggles twice
                }
                else if (!inString && c == '(')
                {
                    depth++;
                }
                else if (!inString && c == ')')
                {
                    if (depth == 0)
                    {
                        break;
                    }

                    depth--;
                }
            }

            settings[expression[nameStart..nameEnd]] = expression[valueStart..valueEnd];
            at = expression.IndexOf(SettingStart, valueEnd, StringComparison.Ordinal);
        }

        return settings;
    }

    [GeneratedRegex(@"Password|Pwd=|User ID|AccountKey|AccessKey|SharedAccessSignature|ClientSecret", RegexOptions.IgnoreCase)]
    private static partial Regex NoSecretInSettings();

    [GeneratedRegex(@"\blist\w*\(|ConnectionString|InstrumentationKey|secrets", RegexOptions.IgnoreCase)]
    private static partial Regex SecretLookingExpression();
}
