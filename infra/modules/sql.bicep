metadata name = 'TenantPortal Azure SQL'
metadata description = 'Logical server with Microsoft Entra-only authentication and auditing to Log Analytics, and the portal\'s database.'

import { privateEndpointType } from 'private-endpoint.bicep'

@export()
@description('The Microsoft Entra group that administers the server. There is no SQL login at all.')
type sqlAdministratorGroupType = {
  @description('Required. Display name of the group (shown as the server\'s Entra admin).')
  login: string

  @description('Required. Object id of the group.')
  @minLength(36)
  @maxLength(36)
  objectId: string
}

@export()
@description('The database\'s service objective.')
type sqlDatabaseSkuType = {
  @description('Required. SKU name, e.g. "Basic", "S0", "GP_Gen5".')
  name: string

  @description('Required. Tier, e.g. "Basic", "Standard", "GeneralPurpose".')
  tier: string

  @description('Optional. vCore family for vCore SKUs, e.g. "Gen5".')
  family: string?

  @description('Optional. DTUs or vCores.')
  capacity: int?
}

@export()
@description('Who may reach the server over the network. Sign-in is Microsoft Entra only either way.')
type sqlNetworkType = {
  @description('Required. "Enabled": public endpoint, filtered by the server firewall. "Disabled": private endpoint only.')
  publicNetworkAccess: ('Enabled' | 'Disabled')

  @description('Optional. Adds the firewall rule that lets Azure services (the web app without VNet integration) in. Only meaningful with public access.')
  allowAzureServices: bool?

  @description('Optional. A private endpoint for the server.')
  privateEndpoint: privateEndpointType?
}

@description('Required. Name of the logical server, globally unique.')
@minLength(1)
@maxLength(63)
param serverName string

@description('Required. Name of the portal\'s database.')
@minLength(1)
@maxLength(128)
param databaseName string

@description('Required. The Entra group that administers the server.')
param administratorGroup sqlAdministratorGroupType

@description('Required. Resource id of the Log Analytics workspace that receives the audit events.')
param logAnalyticsWorkspaceResourceId string

@description('Optional. The database\'s service objective.')
param databaseSku sqlDatabaseSkuType = {
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
param backupStorageRedundancy string = 'Geo'

@description('Optional. Network access to the server.')
param network sqlNetworkType = {
  publicNetworkAccess: 'Enabled'
  allowAzureServices: true
}

@description('Optional. Location of the resources.')
param location string = resourceGroup().location

@description('Optional. Tags of the resources.')
param tags object = {}

resource server 'Microsoft.Sql/servers@2025-01-01' = {
  name: serverName
  location: location
  tags: tags
  properties: {
    version: '12.0'
    minimalTlsVersion: '1.2'
    publicNetworkAccess: network.publicNetworkAccess
    restrictOutboundNetworkAccess: 'Disabled'
    administrators: {
      administratorType: 'ActiveDirectory'
      azureADOnlyAuthentication: true
      principalType: 'Group'
      login: administratorGroup.login
      sid: administratorGroup.objectId
      tenantId: subscription().tenantId
    }
  }
}

resource allowAzureServices 'Microsoft.Sql/servers/firewallRules@2025-01-01' = if (network.publicNetworkAccess == 'Enabled' && (network.?allowAzureServices ?? false)) {
  parent: server
  // The documented special rule: 0.0.0.0 - 0.0.0.0 admits connections that originate inside Azure.
  name: 'AllowAllWindowsAzureIps'
  properties: {
    startIpAddress: '0.0.0.0'
    endIpAddress: '0.0.0.0'
  }
}

resource database 'Microsoft.Sql/servers/databases@2025-01-01' = {
  parent: server
  name: databaseName
  location: location
  tags: tags
  sku: databaseSku
  properties: {
    requestedBackupStorageRedundancy: backupStorageRedundancy
    zoneRedundant: false
  }
}

resource auditing 'Microsoft.Sql/servers/auditingSettings@2025-01-01' = {
  parent: server
  name: 'default'
  properties: {
    state: 'Enabled'
    isAzureMonitorTargetEnabled: true
  }
}

// Server audit events reach Azure Monitor through the master database's diagnostic setting.
resource master 'Microsoft.Sql/servers/databases@2025-01-01' existing = {
  parent: server
  name: 'master'
}

#disable-next-line use-recent-api-versions // 2021-05-01-preview is the newest diagnosticSettings version; the only GA one (2016-09-01) is the legacy 'service' setting
resource auditLogs 'Microsoft.Insights/diagnosticSettings@2021-05-01-preview' = {
  name: 'audit-to-log-analytics'
  scope: master
  properties: {
    workspaceId: logAnalyticsWorkspaceResourceId
    logs: [
      {
        category: 'SQLSecurityAuditEvents'
        enabled: true
      }
    ]
  }
  dependsOn: [
    auditing
  ]
}

module privateEndpoint 'private-endpoint.bicep' = if (network.?privateEndpoint != null) {
  name: '${deployment().name}-pe'
  params: {
    name: 'pe-${serverName}'
    serviceResourceId: server.id
    groupId: 'sqlServer'
    privateEndpoint: network.?privateEndpoint!
    location: location
    tags: tags
  }
}

@description('The resource id of the logical server.')
output serverResourceId string = server.id

@description('The server\'s fully qualified domain name, e.g. <name>.database.windows.net.')
output serverFullyQualifiedDomainName string = server.properties.fullyQualifiedDomainName

@description('The resource id of the database.')
output databaseResourceId string = database.id

@description('The name of the database.')
output databaseName string = database.name
