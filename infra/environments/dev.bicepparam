// Development: public endpoints (RBAC and Entra-only SQL still apply), small SKUs, migrations at start-up.
// Tenant-specific ids come from the environment (see ../README.md); none of them is a secret.
using '../main.bicep'

param environmentName = 'dev'

param resourceNames = {
  logAnalyticsWorkspace: 'log-tenantportal-dev'
  applicationInsights: 'appi-tenantportal-dev'
  keyVault: 'kv-tenantportal-dev'
  sqlServer: 'sql-tenantportal-dev'
  sqlDatabase: 'tenantportal'
  appServicePlan: 'asp-tenantportal-dev'
  webApp: 'app-tenantportal-dev'
}

param entraSignIn = {
  clientId: readEnvironmentVariable('TENANTPORTAL_ENTRA_CLIENT_ID')
}

param sqlAdministratorGroup = {
  login: 'sg-tenantportal-dev-sql-admins'
  objectId: readEnvironmentVariable('TENANTPORTAL_SQL_ADMIN_GROUP_ID')
}

param backendPrincipalId = readEnvironmentVariable('TENANTPORTAL_BACKEND_PRINCIPAL_ID')

param keyVaultNetwork = {
  publicNetworkAccess: 'Enabled'
}

param sqlNetwork = {
  publicNetworkAccess: 'Enabled'
  allowAzureServices: true
}

param sqlDatabaseSku = {
  name: 'Basic'
  tier: 'Basic'
}

param sqlBackupStorageRedundancy = 'Local'

param appServicePlanSku = {
  name: 'B1'
  capacity: 1
}

param migrateDatabaseAtStartup = true

param logRetentionInDays = 30
