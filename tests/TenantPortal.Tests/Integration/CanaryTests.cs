using System.Text;
using Microsoft.AspNetCore.DataProtection;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using TenantPortal.Tests.TestHost;
using TenantPortal.Web.Data;
using TenantPortal.Web.Features.ApiKeys;
using TenantPortal.Web.Features.KeyHealth;
using TenantPortal.Web.SecretStore;

namespace TenantPortal.Tests.Integration;

/// <summary>Submits a unique value, then looks for it everywhere it must never be.</summary>
public sealed class CanaryTests : IDisposable
{
    private readonly PortalAppFactory _factory = new();
    private readonly string _canary = $"sk_live_CANARY_{Guid.NewGuid():N}";

    public void Dispose() => _factory.Dispose();

    [Fact]
    public async Task SubmittedValue_AppearsNowhereButEncryptedInTheStore()
    {
        using var client = _factory.CreateBrowserLikeClient();
        await PortalAppFactory.SignInAsync(client, "contoso-admin");
        using (var scope = _factory.Services.CreateScope())
        {
            var service = scope.ServiceProvider.GetRequiredService<ApiKeyService>();
            var stored = await service.SubmitApiKeyAsync(TestPersonas.ContosoAdmin, "contoso", new SecretValue(_canary), default);
            Assert.True(stored.Succeeded, stored.Message);
            // Refused values too: the message explains without echoing.
            var refused = await service.SubmitApiKeyAsync(TestPersonas.ContosoAdmin, "contoso", new SecretValue(_canary + " "), default);
            Assert.DoesNotContain(_canary, refused.Message, StringComparison.Ordinal);
            var foreign = await service.SubmitApiKeyAsync(TestPersonas.ContosoAdmin, "fabrikam", new SecretValue(_canary), default);
            Assert.DoesNotContain(_canary, foreign.Message, StringComparison.Ordinal);

            // Key health: the provider rejects the canary key (an incident: a notice, its deliveries, an audit row), and the page warns.
            var at = scope.ServiceProvider.GetRequiredService<TimeProvider>().GetUtcNow();
            var outcome = await scope.ServiceProvider.GetRequiredService<KeyUsageIngestion>().IngestAsync(Features.KeyHealth.KeyHealthTestData.Backend,
                new KeyUsageBatchReport(Guid.NewGuid(), 0, [new KeyUsageEntry("contoso", stored.Version!.Version, 3, at, 3, at.AddSeconds(-30), at)]), default);
            Assert.Equal(1, Assert.IsType<KeyUsageIngestOutcome.Applied>(outcome).Response.Accepted);
        }

        var html = System.Net.WebUtility.HtmlDecode(await client.GetStringAsync("/tenants/contoso/api-key"));
        Assert.Contains("••••", html, StringComparison.Ordinal);
        Assert.Contains(ApiKeyFingerprints.Prefix, html, StringComparison.Ordinal);
        Assert.Contains(_canary[^4..], html, StringComparison.Ordinal);
        Assert.DoesNotContain(_canary, html, StringComparison.Ordinal);
        Assert.Contains("The provider rejected this key 3 times since", html, StringComparison.Ordinal);

        // Every file the portal wrote: database (and its write-ahead log), local store, key ring. SQLite folds the -wal
        // file into the database and removes it when the last connection closes, so it is read first and the database
        // last: whatever a vanished log held is in the database by then.
        var files = Directory.GetFiles(_factory.DataDirectory, "*", SearchOption.AllDirectories)
            .OrderBy(f => f.EndsWith("tenantportal.db", StringComparison.Ordinal))
            .ToList();
        Assert.Contains(files, f => f.EndsWith("tenantportal.db", StringComparison.Ordinal));
        Assert.Contains(files, f => f.EndsWith("tenant-contoso-api-key.json", StringComparison.Ordinal));
        // The fingerprint's HMAC key is in no file, the database included (which holds it only protected by the key ring), nor in a log.
        string protectedKey;
        await using (var db = _factory.Services.GetRequiredService<IDbContextFactory<PortalDbContext>>().CreateDbContext())
        {
            protectedKey = (await db.FingerprintKeys.SingleAsync()).ProtectedKey;
        }

        var hmacKey = _factory.Services.GetRequiredService<IDataProtectionProvider>().CreateProtector(ApiKeyFingerprints.Purpose)
            .Unprotect(Convert.FromBase64String(protectedKey));
        string[] hmacKeyForms = [Convert.ToBase64String(hmacKey), Convert.ToHexString(hmacKey), Convert.ToHexStringLower(hmacKey)];
        foreach (var file in files)
        {
            var bytes = await ReadSharedAsync(file);
            if (bytes is null)
            {
                Assert.True(file.EndsWith("-wal", StringComparison.Ordinal) || file.EndsWith("-shm", StringComparison.Ordinal), $"{file} vanished");
                continue;
            }

            Assert.False(Contains(bytes, Encoding.UTF8.GetBytes(_canary)), $"{file} holds the value in UTF-8");
            Assert.False(Contains(bytes, Encoding.Unicode.GetBytes(_canary)), $"{file} holds the value in UTF-16");
            Assert.False(Contains(bytes, Encoding.UTF8.GetBytes(Convert.ToBase64String(Encoding.UTF8.GetBytes(_canary)))), $"{file} holds the value in base64");
            Assert.False(Contains(bytes, hmacKey), $"{file} holds the fingerprint key");
            Assert.DoesNotContain(hmacKeyForms, form => Contains(bytes, Encoding.UTF8.GetBytes(form)));
        }

        await using (var db = _factory.Services.GetRequiredService<IDbContextFactory<PortalDbContext>>().CreateDbContext())
        {
            Assert.Equal(1, await db.RotationNotices.CountAsync(n => n.Kind == Web.Features.Rotation.RotationNoticeKind.KeyRejected));
            var audit = await db.AuditEvents.AsNoTracking().ToListAsync();
            Assert.NotEmpty(audit);
            Assert.DoesNotContain(audit, e => System.Text.Json.JsonSerializer.Serialize(e).Contains(_canary, StringComparison.Ordinal));
        }

        var logText = _factory.AllLogText().ToList();
        Assert.NotEmpty(logText);
        Assert.DoesNotContain(logText, line => line.Contains(_canary, StringComparison.Ordinal));
        Assert.DoesNotContain(logText, line => hmacKeyForms.Any(form => line.Contains(form, StringComparison.Ordinal)));
    }

    private static async Task<byte[]?> ReadSharedAsync(string path)
    {
        FileStream stream;
        try
        {
            stream = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.ReadWrite | FileShare.Delete);
        }
        catch (FileNotFoundException)
        {
            return null;
        }

        await using var _ = stream;
        using var buffer = new MemoryStream();
        await stream.CopyToAsync(buffer);
        return buffer.ToArray();
    }

    private static bool Contains(byte[] haystack, byte[] needle) => haystack.AsSpan().IndexOf(needle) >= 0;
}
