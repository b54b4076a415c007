namespace TenantPortal.Tests.Infra;

/// <summary>
/// One build of infra/ shared by the Infra tests. The Bicep CLI is CPU-heavy for a few seconds: these tests run on
/// their own, after the parallel ones, so that they never starve the timing-sensitive tests (retries and timeouts
/// against the Key Vault fake).
/// </summary>
[CollectionDefinition(Name, DisableParallelization = true)]
public sealed class BicepCliRuns : ICollectionFixture<InfraBuild>
{
    public const string Name = "Bicep CLI";
}
