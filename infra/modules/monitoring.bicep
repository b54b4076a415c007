metadata name = 'TenantPortal monitoring'
metadata description = 'Log Analytics workspace and a workspace-based Application Insights component: where every other resource sends its logs.'

@description('Required. Name of the Log Analytics workspace.')
@minLength(4)
@maxLength(63)
param logAnalyticsWorkspaceName string

@description('Required. Name of the Application Insights component.')
@minLength(1)
@maxLength(255)
param applicationInsightsName string

@description('Optional. Location of the resources.')
param location string = resourceGroup().location

@description('Optional. Days the workspace keeps data (Key Vault and SQL audit events included).')
@minValue(30)
@maxValue(730)
param retentionInDays int = 90

@description('Optional. Tags of the resources.')
param tags object = {}

resource workspace 'Microsoft.OperationalInsights/workspaces@2026-03-01' = {
  name: logAnalyticsWorkspaceName
  location: location
  tags: tags
  properties: {
    sku: {
      name: 'PerGB2018'
    }
    retentionInDays: retentionInDays
    features: {
      enableLogAccessUsingOnlyResourcePermissions: true
    }
  }
}

resource applicationInsights 'Microsoft.Insights/components@2020-02-02' = {
  name: applicationInsightsName
  location: location
  tags: tags
  kind: 'web'
  properties: {
    Application_Type: 'web'
    WorkspaceResourceId: workspace.id
    IngestionMode: 'LogAnalytics'
  }
}

@description('The resource id of the Log Analytics workspace.')
output logAnalyticsWorkspaceResourceId string = workspace.id

@description('The resource id of the Application Insights component.')
output applicationInsightsResourceId string = applicationInsights.id
