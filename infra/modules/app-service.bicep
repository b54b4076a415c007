metadata name = 'TenantPortal App Service'
metadata description = 'Linux App Service plan and the portal\'s web app (.NET 10, Blazor Server): system-assigned identity, HTTPS and TLS 1.2 only, WebSockets and ARR affinity on, app settings wiring vault, database, sign-in and telemetry.'

@export()
@description('The plan the web app runs on.')
type appServicePlanSkuType = {
  @description('Required. SKU name. Always On needs Basic or higher.')
  name: ('B1' | 'B2' | 'B3' | 'S1' | 'S2' | 'S3' | 'P0v3' | 'P1v3' | 'P2v3' | 'P3v3' | 'P1mv3' | 'P2mv3')

  @description('Optional. Number of instances. Above one, each circuit stays on its instance through ARR affinity over its WebSocket (docs/operations.md#scaling-out).')
  @minValue(1)
  @maxValue(30)
  capacity: int?
}

@export()
@description('Microsoft Entra sign-in of the portal (Microsoft.Identity.Web, multi-tenant, authorization code flow).')
type entraSignInType = {
  @description('Required. Application (client) id of the portal\'s app registration.')
  @minLength(36)
  @maxLength(36)
  clientId: string

  @description('Optional. The provider\'s own Entra tenant id: staff roles count only from it. Defaults to the tenant of the deployment.')
  @minLength(36)
  @maxLength(36)
  homeTenantId: string?
}

@description('Required. Name of the App Service plan.')
@minLength(1)
@maxLength(60)
param planName string

@description('Required. Name of the web app, globally unique (<name>.azurewebsites.net).')
@minLength(2)
@maxLength(60)
param name string

@description('Required. The vault URI the portal writes keys to.')
param keyVaultUri string

@description('Required. Fully qualified domain name of the SQL server.')
param sqlServerFullyQualifiedDomainName string

@description('Required. Name of the portal\'s database.')
param sqlDatabaseName string

@description('Required. Entra sign-in settings.')
param entraSignIn entraSignInType

@description('Required. Name of the Application Insights component (in this resource group).')
param applicationInsightsName string

@description('Required. Resource id of the Log Analytics workspace that receives the web app\'s logs.')
param logAnalyticsWorkspaceResourceId string

@description('Optional. Apply pending EF Core migrations at start-up (the identity then needs db_ddladmin). Otherwise apply the idempotent script from the pipeline.')
param migrateDatabaseAtStartup bool = false

@description('Optional. Plan SKU and instance count.')
param sku appServicePlanSkuType = {
  name: 'P0v3'
  capacity: 1
}

@description('Optional. Thumbprint of the certificate (imported into the web app from Key Vault) that encrypts the Data Protection key ring at rest; empty leaves the key ring unencrypted on /home. See infra/README.md.')
param dataProtectionCertificateThumbprint string = ''

@description('Optional. Thumbprints of earlier key ring certificates (also imported), kept while keys they protect have not expired.')
param dataProtectionPreviousCertificateThumbprints string[] = []

@description('Optional. Resource id of a subnet (delegated to Microsoft.Web/serverFarms) for VNet integration; all outbound traffic then goes through it, e.g. to private endpoints.')
param virtualNetworkSubnetResourceId string = ''

@description('Optional. Location of the resources.')
param location string = resourceGroup().location

@description('Optional. Tags of the resources (the web app also gets azd-service-name: web).')
param tags object = {}

resource applicationInsights 'Microsoft.Insights/components@2020-02-02' existing = {
  name: applicationInsightsName
}

resource plan 'Microsoft.Web/serverfarms@2025-03-01' = {
  name: planName
  location: location
  tags: tags
  kind: 'linux'
  sku: {
    name: sku.name
    capacity: sku.?capacity ?? 1
  }
  properties: {
    reserved: true
  }
}

var baseSettings = [
  { name: 'ASPNETCORE_ENVIRONMENT', value: 'Production' }
  // TLS ends at App Service's front ends: take scheme and client address from X-Forwarded-*, so that the
  // OpenID Connect redirect URI is https and the audit log records the real client IP.
  { name: 'ASPNETCORE_FORWARDEDHEADERS_ENABLED', value: 'true' }
  { name: 'SecretStore__Provider', value: 'AzureKeyVault' }
  { name: 'SecretStore__VaultUri', value: keyVaultUri }
  { name: 'Database__Provider', value: 'SqlServer' }
  { name: 'Database__MigrateAtStartup', value: string(migrateDatabaseAtStartup) }
  // Managed identity (DefaultAzureCredential inside SqlClient): no password anywhere.
  {
    name: 'ConnectionStrings__TenantPortal'
    value: 'Server=tcp:${sqlServerFullyQualifiedDomainName},1433;Database=${sqlDatabaseName};Authentication=Active Directory Default;Encrypt=True;TrustServerCertificate=False;'
  }
  // /home is the app's persistent storage, shared by all instances and kept across deployments.
  { name: 'DataProtection__KeysPath', value: '/home/data-protection-keys' }
  { name: 'Authentication__HomeTenantId', value: entraSignIn.?homeTenantId ?? subscription().tenantId }
  { name: 'AzureAd__Instance', value: environment().authentication.loginEndpoint }
  { name: 'AzureAd__TenantId', value: 'organizations' }
  { name: 'AzureAd__ClientId', value: entraSignIn.clientId }
  { name: 'AzureAd__CallbackPath', value: '/signin-oidc' }
  // The app registration trusts this identity through a federated credential: no client secret.
  { name: 'AzureAd__ClientCredentials__0__SourceType', value: 'SignedAssertionFromManagedIdentity' }
  // The app exports its own OpenTelemetry through the Azure Monitor distro when this is set; App Service's agent
  // (ApplicationInsightsAgent_EXTENSION_VERSION) stays off, or every request would be reported twice.
  { name: 'APPLICATIONINSIGHTS_CONNECTION_STRING', value: applicationInsights.properties.ConnectionString }
]

// App Service names the files by the upper-case thumbprint, and Linux paths are case-sensitive.
var dataProtectionThumbprint = toUpper(dataProtectionCertificateThumbprint)
var dataProtectionPreviousThumbprints = map(dataProtectionPreviousCertificateThumbprints, t => toUpper(t))

var dataProtectionSettings = empty(dataProtectionCertificateThumbprint)
  ? []
  : [
      // App Service puts the certificate (private key included) at /var/ssl/private/<thumbprint>.p12, password-less;
      // the key ring on /home is then useless without it.
      {
        name: 'WEBSITE_LOAD_CERTIFICATES'
        value: join(concat([dataProtectionThumbprint], dataProtectionPreviousThumbprints), ',')
      }
      { name: 'DataProtection__CertificatePath', value: '/var/ssl/private/${dataProtectionThumbprint}.p12' }
      {
        name: 'DataProtection__PreviousCertificatePaths'
        value: join(map(dataProtectionPreviousThumbprints, t => '/var/ssl/private/${t}.p12'), ',')
      }
    ]

resource site 'Microsoft.Web/sites@2025-03-01' = {
  name: name
  location: location
  tags: union(tags, { 'azd-service-name': 'web' })
  kind: 'app,linux'
  identity: {
    type: 'SystemAssigned'
  }
  properties: {
    serverFarmId: plan.id
    httpsOnly: true
    // Sticky sessions: a circuit lives in one instance's memory, and a reconnect must reach it (docs/operations.md#scaling-out).
    clientAffinityEnabled: true
    clientCertEnabled: false
    publicNetworkAccess: 'Enabled'
    virtualNetworkSubnetId: empty(virtualNetworkSubnetResourceId) ? null : virtualNetworkSubnetResourceId
    outboundVnetRouting: empty(virtualNetworkSubnetResourceId)
      ? null
      : {
          allTraffic: true
        }
    siteConfig: {
      linuxFxVersion: 'DOTNETCORE|10.0'
      alwaysOn: true
      // The circuit's only transport: it keeps the sign-in cookie for the circuit's whole life (Entra re-checks).
      webSocketsEnabled: true
      http20Enabled: true
      minTlsVersion: '1.2'
      scmMinTlsVersion: '1.2'
      ftpsState: 'Disabled'
      remoteDebuggingEnabled: false
      use32BitWorkerProcess: false
      // Liveness, not /health/ready: App Service takes an instance out of the load balancer (and later replaces it) when
      // this fails, and a Key Vault or database outage fails every instance's readiness at once. Taking instances away
      // then only costs capacity and brings cold starts; the portal keeps serving what it can without the vault.
      healthCheckPath: '/health/live'
      appSettings: concat(baseSettings, dataProtectionSettings)
    }
  }
}

// Deployments authenticate with Microsoft Entra (azd, az webapp deploy), never with publishing passwords.
resource ftpBasicAuth 'Microsoft.Web/sites/basicPublishingCredentialsPolicies@2025-03-01' = {
  parent: site
  name: 'ftp'
  properties: {
    allow: false
  }
}

resource scmBasicAuth 'Microsoft.Web/sites/basicPublishingCredentialsPolicies@2025-03-01' = {
  parent: site
  name: 'scm'
  properties: {
    allow: false
  }
}

#disable-next-line use-recent-api-versions // 2021-05-01-preview is the newest diagnosticSettings version; the only GA one (2016-09-01) is the legacy 'service' setting
resource siteLogs 'Microsoft.Insights/diagnosticSettings@2021-05-01-preview' = {
  name: 'logs-to-log-analytics'
  scope: site
  properties: {
    workspaceId: logAnalyticsWorkspaceResourceId
    logs: [
      {
        category: 'AppServiceHTTPLogs'
        enabled: true
      }
      {
        category: 'AppServiceConsoleLogs'
        enabled: true
      }
      {
        category: 'AppServiceAppLogs'
        enabled: true
      }
      {
        category: 'AppServicePlatformLogs'
        enabled: true
      }
      {
        category: 'AppServiceAuditLogs'
        enabled: true
      }
    ]
  }
}

@description('The resource id of the web app.')
output resourceId string = site.id

@description('The name of the web app.')
output name string = site.name

@description('The web app\'s URI.')
output uri string = 'https://${site.properties.defaultHostName}'

@description('The object (principal) id of the web app\'s system-assigned managed identity.')
output principalId string = site.identity.principalId

@description('The resource id of the App Service plan.')
output planResourceId string = plan.id
