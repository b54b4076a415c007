// Production: no public endpoint for vault or database, two instances, geo-redundant backups, a year of audit logs.
// Tenant-specific ids come from the environment (see ../README.md); none of them is a secret.
using '../main.bicep'

param environmentName = 'prod'

param resourceNames = {
  logAnalyticsWorkspace: 'log-tenantportal-prod'
  applicationInsights: 'appi-tenantportal-prod'
  keyVault: 'kv-tenantportal-prod'
  sqlServer: 'sql-tenantportal-prod'
  sqlDatabase: 'tenantportal'
  appServicePlan: 'asp-tenantportal-prod'
  webApp: 'app-tenantportal-prod'
}

param entraSignIn = {
  clientId: readEnvironmentVariable('TENANTPORTAL_ENTRA_CLIENT_ID')
}

param sqlAdministratorGroup = {
  login: 'sg-tenantportal-prod-sql-admins'
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
  name: 'S1'
  tier: 'Standard'
}

param sqlBackupStorageRedundancy = 'Geo'

param appServicePlanSku = {
  name: 'P1v3'
  capacity: 2
}

param migrateDatabaseAtStartup = false

param logRetentionInDays = 365
