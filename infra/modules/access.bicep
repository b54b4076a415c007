metadata name = 'TenantPortal access'
metadata description = 'Who may do what: the portal writes tenants\' keys but cannot read them (custom role), the backend reads them but cannot write (Key Vault Secrets User).'

@description('Required. Name of the vault the roles are assigned on.')
param keyVaultName string

@description('Required. Name of the portal\'s web app; it keys the portal\'s role assignments, so that their names are known before the deployment runs (precise what-if).')
param portalWebAppName string

@description('Required. Object (principal) id of the portal\'s system-assigned managed identity.')
param portalPrincipalId string

@description('Required. Object (principal) id of the SaaS backend\'s identity (a managed identity or service principal) that reads keys through TenantPortal.KeyReader.')
param backendPrincipalId string

@description('Optional. Name of the portal\'s custom role. Role names are unique in the whole Entra tenant, hence the resource group in the default.')
@minLength(1)
@maxLength(128)
param portalRoleName string = 'Tenant API Key Writer (${resourceGroup().name})'

// Built-in roles: https://learn.microsoft.com/azure/role-based-access-control/built-in-roles
var keyVaultSecretsUserRoleId = '4633458b-17de-408a-b874-0445c86b69e6'

resource vault 'Microsoft.KeyVault/vaults@2026-05-15' existing = {
  name: keyVaultName
}

resource portalRole 'Microsoft.Authorization/roleDefinitions@2022-04-01' = {
  name: guid(resourceGroup().id, 'Tenant API Key Writer')
  properties: {
    roleName: portalRoleName
    description: 'TenantPortal: create secret versions, update their attributes and read their metadata. Never read a value.'
    type: 'CustomRole'
    assignableScopes: [
      resourceGroup().id
    ]
    permissions: [
      {
        actions: []
        notActions: []
        dataActions: [
          'Microsoft.KeyVault/vaults/secrets/setSecret/action'
          'Microsoft.KeyVault/vaults/secrets/update/action'
          'Microsoft.KeyVault/vaults/secrets/readMetadata/action'
        ]
        notDataActions: []
      }
    ]
  }
}

// The subscription-level id is the form role assignments always accept, whatever scope the definition was deployed at.
var portalRoleDefinitionId = subscriptionResourceId('Microsoft.Authorization/roleDefinitions', portalRole.name)

resource portalWritesKeys 'Microsoft.Authorization/roleAssignments@2022-04-01' = {
  name: guid(vault.id, portalWebAppName, portalRoleDefinitionId)
  scope: vault
  properties: {
    roleDefinitionId: portalRoleDefinitionId
    principalId: portalPrincipalId
    principalType: 'ServicePrincipal'
    description: 'TenantPortal web app: write-only access to tenants\' API keys.'
  }
}

resource backendReadsKeys 'Microsoft.Authorization/roleAssignments@2022-04-01' = {
  name: guid(vault.id, backendPrincipalId, keyVaultSecretsUserRoleId)
  scope: vault
  properties: {
    roleDefinitionId: subscriptionResourceId('Microsoft.Authorization/roleDefinitions', keyVaultSecretsUserRoleId)
    principalId: backendPrincipalId
    principalType: 'ServicePrincipal'
    description: 'SaaS backend (TenantPortal.KeyReader): read-only access to tenants\' API keys.'
  }
}

@description('The resource id of the portal\'s custom role definition.')
output portalRoleDefinitionId string = portalRoleDefinitionId
