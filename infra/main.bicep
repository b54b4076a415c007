metadata name = 'TenantPortal'
metadata description = 'One TenantPortal environment in one resource group: its own vault, database, web app and monitoring, with least-privilege managed identities and no secret anywhere.'

targetScope = 'resourceGroup'

import { keyVaultNetworkType } from 'modules/key-vault.bicep'
import { sqlAdministratorGroupType, sqlDatabaseSkuType, sqlNetworkType } from 'modules/sql.bicep'
import { appServicePlanSkuType, entraSignInType } from 'modules/app-service.bicep'

@export()
@description('Names of the environment\'s resources. Vault, SQL server and web app names are globally unique.')
type resourceNamesType = {
  @description('Required. Log Analytics workspace.')
  logAnalyticsWorkspace: string

  @description('Required. Application Insights component.')
  applicationInsights: string

  @description('Required. Key Vault holding the tenants\' API keys; one per environment.')
  @minLength(3)
  @maxLength(24)
  keyVault: string

  @description('Required. Azure SQL logical server.')
  sqlServer: string

  @description('Required. The portal\'s database.')
  sqlDatabase: string

  @description('Required. App Service plan.')
  appServicePlan: string

  @description('Required. The portal\'s web app.')
  webApp: string
}

@description('Required. The environment this deployment is.')
@allowed([
  'dev'
  'staging'
  'prod'
])
param environmentName string

@description('Required. Sign-in: the client id of the portal\'s Entra app registration (and optionally the provider\'s home tenant).')
param entraSignIn entraSignInType

@description('Required. The Entra group that administers the SQL server (Entra-only authentication: there is no SQL login).')
param sqlAdministratorGroup sqlAdministratorGroupType

@description('Required. Object (principal) id of the SaaS backend\'s identity; it gets Key Vault Secrets User (read values) on the vault and nothing else.')
@minLength(36)
@maxLength(36)
param backendPrincipalId string

@description('Optional. Location of the resources.')
param location string = resourceGroup().location

@description('Optional. Resource names; the defaults derive from the environment and the resource group.')
param resourceNames resourceNamesType = {
  logAnalyticsWorkspace: 'log-tenantportal-${environmentName}'
  applicationInsights: 'appi-tenantportal-${environmentName}'
  keyVault: 'kv-tp-${environmentName}-${take(uniqueString(resourceGroup().id), 6)}'
  sqlServer: 'sql-tenantportal-${environmentName}-${uniqueString(resourceGroup().id)}'
  sqlDatabase: 'tenantportal'
  appServicePlan: 'asp-tenantportal-${environmentName}'
  webApp: 'app-tenantportal-${environmentName}-${uniqueString(resourceGroup().id)}'
}

@description('Optional. Network access to the vault.')
param keyVaultNetwork keyVaultNetworkType = {
  publicNetworkAccess: 'Disabled'
}

@description('Optional. Network access to the SQL server.')
param sqlNetwork sqlNetworkType = {
  publicNetworkAccess: 'Enabled'
  allowAzureServices: true
}

@description('Optional. The database\'s service objective.')
param sqlDatabaseSku sqlDatabaseSkuType = {
  name: 'S0'
  tier: 'Standard'
}

@description('Optional. Redundancy of the database\'s backups.')
@allowed([
  'Local'
  'Zone'
  'Geo'
  'GeoZone'
])
param sqlBackupStorageRedundancy string = 'Geo'

@description('Optional. App Service plan SKU and instance count.')
param appServicePlanSku appServicePlanSkuType = {
  name: 'P0v3'
  capacity: 1
}

@description('Optional. Resource id of a subnet delegated to Microsoft.Web/serverFarms for the web app\'s VNet integration (needed to reach private endpoints).')
param webAppVirtualNetworkSubnetResourceId string = ''

@description('Optional. Apply EF Core migrations when the portal starts (its identity then needs db_ddladmin). Off: apply the idempotent script from the pipeline.')
param migrateDatabaseAtStartup bool = false

@description('Optional. Thumbprint of the Key Vault certificate imported into the web app that encrypts the Data Protection key ring at rest (infra/README.md); empty leaves it unencrypted.')
param dataProtectionCertificateThumbprint string = ''

@description('Optional. Thumbprints of earlier key ring certificates, still imported, while keys they protect have not expired (rotation).')
param dataProtectionPreviousCertificateThumbprints string[] = []

@description('Optional. Deliver the vault\'s secret events to the portal through Event Grid (Entra-protected), so it reconciles just the tenant named. Turn on once the portal runs and Event Grid\'s service principal holds the AzureEventGridSecureWebhookSubscriber role (infra/README.md): the subscription\'s validation handshake needs both.')
param deployKeyVaultEvents bool = false

@description('Optional. Days Log Analytics keeps logs, Key Vault and SQL audit events included.')
@minValue(30)
@maxValue(730)
param logRetentionInDays int = 90

@description('Optional. Tags of all resources.')
param tags object = {}

var allTags = union({ application: 'TenantPortal', environment: environmentName }, tags)

module monitoring 'modules/monitoring.bicep' = {
  name: '${deployment().name}-monitoring'
  params: {
    logAnalyticsWorkspaceName: resourceNames.logAnalyticsWorkspace
    applicationInsightsName: resourceNames.applicationInsights
    retentionInDays: logRetentionInDays
    location: location
    tags: allTags
  }
}

module keyVault 'modules/key-vault.bicep' = {
  name: '${deployment().name}-key-vault'
  params: {
    name: resourceNames.keyVault
    logAnalyticsWorkspaceResourceId: monitoring.outputs.logAnalyticsWorkspaceResourceId
    network: keyVaultNetwork
    location: location
    tags: allTags
  }
}

module sql 'modules/sql.bicep' = {
  name: '${deployment().name}-sql'
  params: {
    serverName: resourceNames.sqlServer
    databaseName: resourceNames.sqlDatabase
    administratorGroup: sqlAdministratorGroup
    logAnalyticsWorkspaceResourceId: monitoring.outputs.logAnalyticsWorkspaceResourceId
    databaseSku: sqlDatabaseSku
    backupStorageRedundancy: sqlBackupStorageRedundancy
    network: sqlNetwork
    location: location
    tags: allTags
  }
}

module webApp 'modules/app-service.bicep' = {
  name: '${deployment().name}-web'
  params: {
    planName: resourceNames.appServicePlan
    name: resourceNames.webApp
    keyVaultUri: keyVault.outputs.uri
    sqlServerFullyQualifiedDomainName: sql.outputs.serverFullyQualifiedDomainName
    sqlDatabaseName: sql.outputs.databaseName
    entraSignIn: entraSignIn
    applicationInsightsName: resourceNames.applicationInsights
    logAnalyticsWorkspaceResourceId: monitoring.outputs.logAnalyticsWorkspaceResourceId
    migrateDatabaseAtStartup: migrateDatabaseAtStartup
    sku: appServicePlanSku
    dataProtectionCertificateThumbprint: dataProtectionCertificateThumbprint
    dataProtectionPreviousCertificateThumbprints: dataProtectionPreviousCertificateThumbprints
    virtualNetworkSubnetResourceId: webAppVirtualNetworkSubnetResourceId
    location: location
    tags: allTags
  }
}

// Ordered after the vault through the web app, which needs it.
module keyVaultEvents 'modules/key-vault-events.bicep' = if (deployKeyVaultEvents) {
  name: '${deployment().name}-key-vault-events'
  params: {
    keyVaultName: resourceNames.keyVault
    endpointUrl: '${webApp.outputs.uri}/api/events/key-vault'
    entraTenantId: entraSignIn.?homeTenantId ?? tenant().tenantId
    entraApplicationIdOrUri: 'api://${entraSignIn.clientId}'
    location: location
    tags: allTags
  }
}

module access 'modules/access.bicep' = {
  name: '${deployment().name}-access'
  params: {
    keyVaultName: resourceNames.keyVault
    portalWebAppName: resourceNames.webApp
    portalPrincipalId: webApp.outputs.principalId
    backendPrincipalId: backendPrincipalId
  }
}

@description('The resource id of the environment\'s vault.')
output keyVaultResourceId string = keyVault.outputs.resourceId

@description('The vault\'s URI (SecretStore:VaultUri of the portal, and of the backend\'s KeyReader).')
output keyVaultUri string = keyVault.outputs.uri

@description('The resource id of the portal\'s web app.')
output webAppResourceId string = webApp.outputs.resourceId

@description('The portal\'s URI; the app registration\'s redirect URI is this plus /signin-oidc.')
output webAppUri string = webApp.outputs.uri

@description('The object (principal) id of the portal\'s managed identity (federated credential subject, SQL contained user).')
output webAppPrincipalId string = webApp.outputs.principalId

@description('The resource id of the SQL server.')
output sqlServerResourceId string = sql.outputs.serverResourceId

@description('The resource id of the portal\'s database.')
output sqlDatabaseResourceId string = sql.outputs.databaseResourceId

@description('The resource id of the portal\'s custom "Tenant API Key Writer" role.')
output portalRoleDefinitionId string = access.outputs.portalRoleDefinitionId

@description('The resource id of the Log Analytics workspace.')
output logAnalyticsWorkspaceResourceId string = monitoring.outputs.logAnalyticsWorkspaceResourceId
