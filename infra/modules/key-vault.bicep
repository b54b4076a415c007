metadata name = 'TenantPortal Key Vault'
metadata description = 'The environment\'s vault for tenants\' API keys: Azure RBAC only, soft delete and purge protection, AuditEvent logs to Log Analytics, public access filtered or off.'

import { privateEndpointType } from 'private-endpoint.bicep'

@export()
@description('Who may reach the vault over the network. Rights are Azure RBAC either way.')
type keyVaultNetworkType = {
  @description('Required. "Enabled": reachable from public networks, filtered by the rules below when there are any. "Disabled": private endpoint only.')
  publicNetworkAccess: ('Enabled' | 'Disabled')

  @description('Optional. Public IPv4 addresses or CIDR ranges allowed in (e.g. an operator network). With any rule, everything else is denied; without rules, public access is open (RBAC still applies).')
  allowedIpRanges: string[]?

  @description('Optional. Resource ids of subnets allowed in through a Microsoft.KeyVault service endpoint (e.g. the web app\'s integration subnet).')
  allowedSubnetResourceIds: string[]?

  @description('Optional. A private endpoint for the vault.')
  privateEndpoint: privateEndpointType?
}

@description('Required. Name of the vault, globally unique; one vault per environment.')
@minLength(3)
@maxLength(24)
param name string

@description('Required. Resource id of the Log Analytics workspace that receives the vault\'s AuditEvent logs.')
param logAnalyticsWorkspaceResourceId string

@description('Optional. Network access to the vault.')
param network keyVaultNetworkType = {
  publicNetworkAccess: 'Disabled'
}

@description('Optional. Location of the resources.')
param location string = resourceGroup().location

@description('Optional. Tags of the resources.')
param tags object = {}

var ipRules = network.?allowedIpRanges ?? []
var subnetRules = network.?allowedSubnetResourceIds ?? []

resource vault 'Microsoft.KeyVault/vaults@2026-05-15' = {
  name: name
  location: location
  tags: tags
  properties: {
    tenantId: subscription().tenantId
    sku: {
      family: 'A'
      name: 'standard'
    }
    enableRbacAuthorization: true
    enableSoftDelete: true
    softDeleteRetentionInDays: 90
    enablePurgeProtection: true
    enabledForDeployment: false
    enabledForTemplateDeployment: false
    enabledForDiskEncryption: false
    publicNetworkAccess: network.publicNetworkAccess
    networkAcls: {
      // Nothing here relies on "trusted Microsoft services"; App Service is not one of them anyway.
      bypass: 'None'
      defaultAction: network.publicNetworkAccess == 'Disabled' || !empty(ipRules) || !empty(subnetRules)
        ? 'Deny'
        : 'Allow'
      ipRules: [for range in ipRules: { value: range }]
      virtualNetworkRules: [for subnetId in subnetRules: { id: subnetId, ignoreMissingVnetServiceEndpoint: false }]
    }
  }
}

#disable-next-line use-recent-api-versions // 2021-05-01-preview is the newest diagnosticSettings version; the only GA one (2016-09-01) is the legacy 'service' setting
resource auditLogs 'Microsoft.Insights/diagnosticSettings@2021-05-01-preview' = {
  name: 'audit-to-log-analytics'
  scope: vault
  properties: {
    workspaceId: logAnalyticsWorkspaceResourceId
    logs: [
      {
        category: 'AuditEvent'
        enabled: true
      }
    ]
    metrics: [
      {
        category: 'AllMetrics'
        enabled: true
      }
    ]
  }
}

module privateEndpoint 'private-endpoint.bicep' = if (network.?privateEndpoint != null) {
  name: '${deployment().name}-pe'
  params: {
    name: 'pe-${name}'
    serviceResourceId: vault.id
    groupId: 'vault'
    privateEndpoint: network.?privateEndpoint!
    location: location
    tags: tags
  }
}

@description('The resource id of the vault.')
output resourceId string = vault.id

@description('The name of the vault.')
output name string = vault.name

@description('The vault\'s URI, e.g. https://<name>.vault.azure.net/.')
output uri string = vault.properties.vaultUri
