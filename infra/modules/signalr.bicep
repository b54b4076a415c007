metadata name = 'TenantPortal Azure SignalR Service'
metadata description = 'Optional SignalR Service that carries the Blazor Server circuits when the portal scales out; access by managed identity only.'

@export()
@description('The SignalR Service unit size.')
type signalRSkuType = {
  @description('Required. SKU name.')
  name: ('Standard_S1' | 'Premium_P1')

  @description('Optional. Units (1,000 concurrent connections each).')
  @minValue(1)
  @maxValue(100)
  capacity: int?
}

@description('Required. Name of the SignalR Service, globally unique.')
@minLength(3)
@maxLength(63)
param name string

@description('Optional. SKU and units.')
param sku signalRSkuType = {
  name: 'Standard_S1'
  capacity: 1
}

@description('Optional. Location of the resource.')
param location string = resourceGroup().location

@description('Optional. Tags of the resource.')
param tags object = {}

resource signalR 'Microsoft.SignalRService/signalR@2024-03-01' = {
  name: name
  location: location
  tags: tags
  kind: 'SignalR'
  sku: {
    name: sku.name
    capacity: sku.?capacity ?? 1
  }
  properties: {
    features: [
      {
        flag: 'ServiceMode'
        value: 'Default'
      }
    ]
    // Access keys off: the web app connects with its managed identity ("SignalR App Server").
    disableLocalAuth: true
    disableAadAuth: false
    publicNetworkAccess: 'Enabled'
    tls: {
      clientCertEnabled: false
    }
  }
}

@description('The resource id of the SignalR Service.')
output resourceId string = signalR.id

@description('The name of the SignalR Service.')
output name string = signalR.name

@description('The host name clients and servers connect to.')
output hostName string = signalR.properties.hostName
