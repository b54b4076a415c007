// Staging: shaped like production (private endpoints, VNet integration, migrations from the pipeline), smaller.
// Tenant-specific ids come from the environment (see ../README.md); none of them is a secret.
using '../main.bicep'

param environmentName = 'staging'

param resourceNames = {
  logAnalyticsWorkspace: 'log-tenantportal-staging'
  applicationInsights: 'appi-tenantportal-staging'
  keyVault: 'kv-tenantportal-stg'
  sqlServer: 'sql-tenantportal-staging'
  sqlDatabase: 'tenantportal'
  appServicePlan: 'asp-tenantportal-staging'
  webApp: 'app-tenantportal-staging'
}

param entraSignIn = {
  clientId: readEnvironmentVariable('TENANTPORTAL_ENTRA_CLIENT_ID')
}

param sqlAdministratorGroup = {
  login: 'sg-tenantportal-staging-sql-admins'
  objectId: readEnvironmentVariable('TENANTPORTAL_SQL_ADMIN_GROUP_ID')
}

param backendPrincipalId = readEnvironmentVariable('TENANTPORTAL_BACKEND_PRINCIPAL_ID')

// The key ring's certificate, once imported into the web app (infra/README.md); empty until then.
param dataProtectionCertificateThumbprint = readEnvironmentVariable('TENANTPORTAL_DATA_PROTECTION_CERT_THUMBPRINT', '')

param keyVaultNetwork = {
  publicNetworkAccess: 'Disabled'
  privateEndpoint: {
    subnetResourceId: readEnvironmentVariable('TENANTPORTAL_PRIVATE_ENDPOINT_SUBNET_ID')
    privateDnsZoneResourceId: readEnvironmentVariable('TENANTPORTAL_KEY_VAULT_DNS_ZONE_ID')
  }
}

param sqlNetwork = {
  publicNetworkAccess: 'Disabled'
  privateEndpoint: {
    subnetResourceId: readEnvironmentVariable('TENANTPORTAL_PRIVATE_ENDPOINT_SUBNET_ID')
    privateDnsZoneResourceId: readEnvironmentVariable('TENANTPORTAL_SQL_DNS_ZONE_ID')
  }
}

param webAppVirtualNetworkSubnetResourceId = readEnvironmentVariable('TENANTPORTAL_APP_SUBNET_ID')

param sqlDatabaseSku = {
  name: 'S0'
  tier: 'Standard'
}

param sqlBackupStorageRedundancy = 'Local'

param appServicePlanSku = {
  name: 'P0v3'
  capacity: 1
}

param migrateDatabaseAtStartup = false

param logRetentionInDays = 90
