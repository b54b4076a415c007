using System.Runtime.Versioning;
using Microsoft.AspNetCore.DataProtection;
using Microsoft.EntityFrameworkCore;
using TenantPortal.Tests.TestHost;
using TenantPortal.Web.Features.ApiKeys;
using TenantPortal.Web.SecretStore;

namespace TenantPortal.Tests.Infrastructure.Files;

/// <summary>
/// What the portal writes to disk on the embedded defaults (the database, the local store's secrets, the key ring) is
/// readable by the portal's own OS user only: files 0600, folders 0700, whatever the process's umask.
/// </summary>
[UnsupportedOSPlatform("windows")]
public sealed class PrivateFilesTests
{
    private const UnixFileMode OwnerOnlyFile = UnixFileMode.UserRead | UnixFileMode.UserWrite;
    private const UnixFileMode OwnerOnlyFolder = UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute;

    [UnixFact]
    public async Task EmbeddedDefaults_CreateTheirFilesOwnerOnly_InOwnerOnlyFolders()
    {
        var root = TempDirectory.Create();
        var appData = Path.Combine(root, "app-data");
        try
        {
            await using (var portal = await PortalServices.StartAsync(settings: new Dictionary<string, string?> { ["AppData:Path"] = appData }))
            {
                var stored = await portal.Get<ApiKeyService>().SubmitApiKeyAsync(
                    TestPersonas.ContosoAdmin, "contoso", new SecretValue("sk_live_file_mode_test_0001"), default);
                Assert.Equal(KeyChangeOutcome.Done, stored.Outcome);
                portal.Get<IDataProtectionProvider>().CreateProtector("PrivateFilesTests").Protect("cookie");
                await using var db = portal.CreateDbContext();
                // Held open until the checks are done: another test's SqliteConnection.ClearAllPools() (process-wide)
                // would otherwise close the last connection, and SQLite removes the log with it.
                await db.Database.OpenConnectionAsync();
                Assert.True(await db.Tenants.AnyAsync());

                Assert.Equal(OwnerOnlyFolder, File.GetUnixFileMode(appData));
                Assert.Equal(OwnerOnlyFolder, File.GetUnixFileMode(Path.Combine(appData, "secrets")));
                Assert.Equal(OwnerOnlyFolder, File.GetUnixFileMode(Path.Combine(appData, "keys")));
                var secretFile = Assert.Single(Directory.GetFiles(Path.Combine(appData, "secrets")));
                Assert.Equal(OwnerOnlyFile, File.GetUnixFileMode(secretFile));
                var keyFiles = Directory.GetFiles(Path.Combine(appData, "keys"));
                Assert.NotEmpty(keyFiles);
                Assert.All(keyFiles, f => Assert.Equal(OwnerOnlyFile, File.GetUnixFileMode(f)));
                var database = Path.Combine(appData, "tenantportal.db");
                Assert.Equal(OwnerOnlyFile, File.GetUnixFileMode(database));
                // Write-ahead logging: SQLite gives the log and its index the database file's mode.
                Assert.True(File.Exists(database + "-wal"));
                Assert.Equal(OwnerOnlyFile, File.GetUnixFileMode(database + "-wal"));
                Assert.Equal(OwnerOnlyFile, File.GetUnixFileMode(database + "-shm"));
            }
        }
        finally
        {
            Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
            TempDirectory.Delete(root);
        }
    }
}
