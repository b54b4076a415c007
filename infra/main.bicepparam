// Parameters for `azd up` (azd reads infra/main.bicepparam): a developer's own environment, named from the azd
// environment, with default resource names made unique per resource group. Shared environments deploy with
// environments/<env>.bicepparam instead. Set the ids with `azd env set <NAME> <value>`; none of them is a secret.
using 'main.bicep'

param environmentName = readEnvironmentVariable('TENANTPORTAL_ENVIRONMENT', 'dev')

param entraSignIn = {
  clientId: readEnvironmentVariable('TENANTPORTAL_ENTRA_CLIENT_ID')
}

param sqlAdministratorGroup = {
  login: readEnvironmentVariable('TENANTPORTAL_SQL_ADMIN_GROUP_NAME')
  objectId: readEnvironmentVariable('TENANTPORTAL_SQL_ADMIN_GROUP_ID')
}

param backendPrincipalId = readEnvironmentVariable('TENANTPORTAL_BACKEND_PRINCIPAL_ID')

param keyVaultNetwork = {
  publicNetworkAccess: 'Enabled'
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
