using System.Security.Claims;
using System.Security.Cryptography;
using System.Text;
using Microsoft.EntityFrameworkCore;
using TenantPortal.Web.Auth;
using TenantPortal.Web.Features.ApiKeys;
using TenantPortal.Web.Infrastructure.Audit;
using TenantPortal.Web.SecretStore;

namespace TenantPortal.Web.Features.Support;

/// <summary>A key version whose fingerprint is the pasted key's.</summary>
public sealed record KeyLookupMatch(
    string TenantId,
    string TenantName,
    string Version,
    ApiKeyVersionStatus VersionStatus,
    DateTimeOffset StoredAt,
    TenantKeyStatus TenantStatus)
{
    public string ShortVersion => Version.Length > 8 ? Version[..8] : Version;

    /// <summary>Matched on the unsalted fingerprint of a version stored before fingerprints were keyed.</summary>
    public bool Legacy { get; init; }
}

/// <summary>The pasted key's fingerprint and the versions that have it, or why the lookup did not run.</summary>
public sealed record KeyLookupResult(string? Fingerprint, IReadOnlyList<KeyLookupMatch> Matches, string? Problem)
{
    public static KeyLookupResult Refused(string problem) => new(null, [], problem);
}

public sealed partial class SupportService
{
    /// <summary>
    /// "Whose key is this?": the keyed fingerprint of a leaked key and the tenants' versions that have it. The value is
    /// used for the fingerprint and nothing else (never stored, logged or returned). Each lookup is audited with the
    /// fingerprint only — on each matched tenant's chain, else on the platform's — before its result is returned: a
    /// lookup that cannot be audited shows nothing. Null when the user may not look keys up.
    /// </summary>
    public async Task<KeyLookupResult?> LookUpKeyAsync(ClaimsPrincipal user, SecretValue value, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(value);
        if (!await IsStaffAsync(user, SupportAuditActions.KeyLookup, "key lookup", cancellationToken))
        {
            return null;
        }

        // A stored key never starts or ends with white space (submits refuse it), so a key copied out of a log with its
        // line break is looked up without it.
        var key = new SecretValue(value.Expose().Trim());
        if (key.Length == 0)
        {
            return KeyLookupResult.Refused(texts["PasteKey"]);
        }

        if (Encoding.UTF8.GetByteCount(key.Expose()) > ApiKeyValueRules.MaxBytes)
        {
            return KeyLookupResult.Refused(texts["KeyTooLong", ApiKeyValueRules.MaxBytes]);
        }

        if (key.Expose().Any(char.IsControl))
        {
            return KeyLookupResult.Refused(texts["KeyControlChar"]);
        }

        string fingerprint;
        try
        {
            fingerprint = await fingerprints.ComputeAsync(key, cancellationToken);
        }
        catch (FingerprintKeyUnavailableException)
        {
            return KeyLookupResult.Refused(texts["FingerprintKeyUnreadable"]);
        }

        var legacy = LegacyFingerprint(key);
        var now = time.GetUtcNow();
        await using var db = contexts.CreateDbContext();
        var found = await db.ApiKeyVersions.AsNoTracking()
            .Where(v => v.Fingerprint == fingerprint || v.Fingerprint == legacy)
            .Join(db.Tenants, v => v.TenantId, t => t.Id, (v, t) => new { Version = v, t.DisplayName, t.OffboardedAt })
            .OrderBy(m => m.Version.TenantId).ThenByDescending(m => m.Version.CreatedAt)
            .Take(50)
            .ToListAsync(cancellationToken);

        var tenantIds = found.Select(m => m.Version.TenantId).Distinct().ToList();
        var states = tenantIds.Count == 0 ? [] : await db.ApiKeyVersions.AsNoTracking()
            .Where(v => tenantIds.Contains(v.TenantId) && (v.Status == ApiKeyVersionStatus.Current || v.Status == ApiKeyVersionStatus.Revoked))
            .Select(v => new KeyState(v.TenantId, v.Status, v.ExpiresAt, v.DueSoonAt))
            .ToListAsync(cancellationToken);

        var matches = found.Select(m =>
        {
            var current = states.FirstOrDefault(s => s.TenantId == m.Version.TenantId && s.Status == ApiKeyVersionStatus.Current);
            var status = TenantKeyStatuses.Of(m.OffboardedAt is not null, current is not null, current?.ExpiresAt, current?.DueSoonAt,
                states.Any(s => s.TenantId == m.Version.TenantId && s.Status == ApiKeyVersionStatus.Revoked), now);
            return new KeyLookupMatch(m.Version.TenantId, m.DisplayName, m.Version.StoreVersionId, m.Version.Status, m.Version.CreatedAt, status)
            {
                Legacy = m.Version.Fingerprint == legacy,
            };
        }).ToList();

        var actor = PortalActor.From(user);
        var correlationId = AuditTrail.NewCorrelationId();
        try
        {
            if (matches.Count == 0)
            {
                await audit.AppendAsync(audit.Create(actor, SupportAuditActions.KeyLookup, AuditOutcome.Succeeded, tenantId: null, correlationId,
                    reason: $"Fingerprint {fingerprint}: no tenant's key version has it"), cancellationToken);
            }

            foreach (var match in matches)
            {
                await audit.AppendAsync(audit.Create(actor, SupportAuditActions.KeyLookup, AuditOutcome.Succeeded, match.TenantId, correlationId,
                    Web.SecretStore.SecretName.ForTenant(match.TenantId).Value, match.Version,
                    reason: $"Fingerprint {fingerprint} is version {match.ShortVersion}'s ({match.VersionStatus}{(match.Legacy ? ", legacy fingerprint" : "")})"),
                    cancellationToken);
            }
        }
        catch (AuditUnavailableException)
        {
            return KeyLookupResult.Refused(texts["LookupAuditDown"]);
        }

        return new KeyLookupResult(fingerprint, matches, null);
    }

    private sealed record KeyState(string TenantId, ApiKeyVersionStatus Status, DateTimeOffset? ExpiresAt, DateTimeOffset? DueSoonAt);

    /// <summary>How versions were fingerprinted before fingerprints were keyed (<see cref="ApiKeyFingerprints.IsLegacy"/>): matched, never recorded.</summary>
    private static string LegacyFingerprint(SecretValue value)
    {
        var bytes = Encoding.UTF8.GetBytes(value.Expose());
        try
        {
            return Convert.ToHexStringLower(SHA256.HashData(bytes).AsSpan(0, 8));
        }
        finally
        {
            CryptographicOperations.ZeroMemory(bytes);
        }
    }
}
