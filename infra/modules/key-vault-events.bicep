metadata name = 'TenantPortal Key Vault events'
metadata description = 'An Event Grid system topic on the vault and one subscription that delivers its secret events to the portal, which reconciles just the tenant named. Delivery is Entra-protected.'

@description('Required. Name of the Key Vault (in this resource group) whose events are delivered.')
@minLength(3)
@maxLength(24)
param keyVaultName string

@description('Required. The portal\'s HTTPS endpoint for the events (https://<host>/api/events/key-vault).')
@minLength(9)
param endpointUrl string

@description('Required. The provider\'s own Entra tenant, where Event Grid gets its token for the portal.')
@minLength(36)
@maxLength(36)
param entraTenantId string

@description('Required. Application ID URI (or client id) of the portal\'s app registration: the audience of Event Grid\'s token.')
@minLength(1)
param entraApplicationIdOrUri string

@description('Optional. Location of the system topic (the vault\'s region).')
param location string = resourceGroup().location

@description('Optional. Tags of the system topic.')
param tags object = {}

resource vault 'Microsoft.KeyVault/vaults@2026-05-15' existing = {
  name: keyVaultName
}

resource topic 'Microsoft.EventGrid/systemTopics@2025-02-15' = {
  name: '${keyVaultName}-events'
  location: location
  tags: tags
  properties: {
    source: vault.id
    topicType: 'Microsoft.KeyVault.vaults'
  }
}

resource subscription 'Microsoft.EventGrid/systemTopics/eventSubscriptions@2025-02-15' = {
  parent: topic
  name: 'portal-reconcile-tenant'
  properties: {
    eventDeliverySchema: 'EventGridSchema'
    destination: {
      endpointType: 'WebHook'
      properties: {
        // Event Grid treats a webhook URL as secret because it may carry a key; this one carries none (delivery is Entra-protected).
        #disable-next-line use-secure-value-for-secure-inputs
        endpointUrl: endpointUrl
        azureActiveDirectoryTenantId: entraTenantId
        azureActiveDirectoryApplicationIdOrUri: entraApplicationIdOrUri
        maxEventsPerBatch: 10
        preferredBatchSizeInKilobytes: 64
      }
    }
    filter: {
      includedEventTypes: [
        'Microsoft.KeyVault.SecretNewVersionCreated'
        'Microsoft.KeyVault.SecretNearExpiry'
        'Microsoft.KeyVault.SecretExpired'
      ]
      subjectBeginsWith: 'tenant-'
      subjectEndsWith: '-api-key'
    }
    retryPolicy: {
      maxDeliveryAttempts: 30
      eventTimeToLiveInMinutes: 1440
    }
  }
}

@description('The resource id of the Event Grid system topic.')
output systemTopicResourceId string = topic.id
