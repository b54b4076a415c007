metadata name = 'TenantPortal private endpoint'
metadata description = 'A private endpoint for one sub-resource of a service (the vault, the SQL server), optionally registered in a private DNS zone.'

@export()
@description('A private endpoint in an existing subnet, optionally registered in an existing private DNS zone.')
type privateEndpointType = {
  @description('Required. Resource id of the subnet the private endpoint is placed in.')
  subnetResourceId: string

  @description('Optional. Resource id of the private DNS zone the endpoint registers in (e.g. the zone for "privatelink.vaultcore.azure.net"). Without it, DNS is yours to manage.')
  privateDnsZoneResourceId: string?
}

@description('Required. Name of the private endpoint.')
@minLength(2)
@maxLength(80)
param name string

@description('Required. Resource id of the service the endpoint connects to.')
param serviceResourceId string

@description('Required. The service\'s sub-resource (group id), e.g. "vault" or "sqlServer".')
@allowed([
  'vault'
  'sqlServer'
])
param groupId string

@description('Required. Where the endpoint goes.')
param privateEndpoint privateEndpointType

@description('Optional. Location of the endpoint (that of its virtual network).')
param location string = resourceGroup().location

@description('Optional. Tags of the resource.')
param tags object = {}

resource endpoint 'Microsoft.Network/privateEndpoints@2026-03-01' = {
  name: name
  location: location
  tags: tags
  properties: {
    subnet: {
      id: privateEndpoint.subnetResourceId
    }
    privateLinkServiceConnections: [
      {
        name: name
        properties: {
          privateLinkServiceId: serviceResourceId
          groupIds: [
            groupId
          ]
        }
      }
    ]
  }
}

resource dnsZoneGroup 'Microsoft.Network/privateEndpoints/privateDnsZoneGroups@2026-03-01' = if (!empty(privateEndpoint.?privateDnsZoneResourceId)) {
  parent: endpoint
  name: 'default'
  properties: {
    privateDnsZoneConfigs: [
      {
        name: 'default'
        properties: {
          privateDnsZoneId: privateEndpoint.?privateDnsZoneResourceId
        }
      }
    ]
  }
}

@description('The resource id of the private endpoint.')
output resourceId string = endpoint.id
