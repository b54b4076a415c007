using Microsoft.EntityFrameworkCore;
using TenantPortal.Tests.TestHost;
using TenantPortal.Web.Features.ApiKeys;
using TenantPortal.Web.Features.Notifications;
using TenantPortal.Web.Features.Rotation;
using TenantPortal.Web.Features.Tenants;

namespace TenantPortal.Benchmarks;

/// <summary>
/// The benchmark data generator: many tenants with their key versions, inserted in batches, then ANALYZE (fresh
/// statistics, as a long-running database would have).
/// </summary>
internal static class TenantFleet
{
    private const int Batch = 5000;

    private static readonly string[] First =
    [
        "Blue", "Northern", "Silver", "Red", "Green", "Golden", "Rapid", "Bright", "Quiet", "Grand", "Iron", "Crystal", "Ocean",
        "Summit", "Pioneer", "Atlas", "Cedar", "Harbor", "Maple", "Falcon", "Granite", "Aurora", "Delta", "Echo", "Lunar", "Solar",
        "Prairie", "Canyon", "Coastal", "Alpine", "Urban", "Royal", "Swift", "Noble", "Polar", "Amber", "Crimson", "Emerald", "Vivid",
        "Stellar", "Orbit", "Vertex", "Quantum", "Nimbus", "Zephyr", "Sakura", "Fuji", "Kyoto", "Osaka", "Nordic", "Baltic", "Andes",
        "Sierra", "Willow", "Birch", "Oak", "Pine", "Aspen", "Cobalt", "Onyx",
    ];

    private static readonly string[] Second =
    [
        "Logistics", "Analytics", "Systems", "Foods", "Energy", "Health", "Capital", "Media", "Robotics", "Textiles", "Freight",
        "Pharma", "Software", "Networks", "Retail", "Insurance", "Motors", "Airlines", "Studios", "Labs", "Holdings", "Ventures",
        "Partners", "Dynamics", "Solutions", "Works", "Trading", "Mining", "Marine", "Devices", "Security", "Payments", "Telecom",
        "Farms", "Brewing", "Clinics", "Hotels", "Games", "Print", "Optics", "Chemicals", "Steel", "Paper", "Water", "Wind", "Rail",
        "Air", "Bank", "Realty", "Learning", "Travel", "Fashion", "Audio", "Cloud", "Data", "Design", "Legal", "Medical", "Sports", "Toys",
    ];

    private static readonly string[] Suffix = ["Ltd", "Inc", "GmbH", "KK", "Group", "LLC", "SA", "AB"];

    /// <summary>
    /// The rotation monitor's fleet: every tenant has a current version, creation spread over the last 90 days so that
    /// due dates and reminders fall on every day. Ids <c>bench-000000</c>….
    /// </summary>
    public static async Task GenerateRotatingAsync(PortalServices portal, int tenants)
    {
        var leads = RotationPolicy.DefaultReminderLeadDays;
        var now = portal.Time.GetUtcNow();
        for (var start = 0; start < tenants; start += Batch)
        {
            await using var db = portal.CreateDbContext();
            db.ChangeTracker.AutoDetectChangesEnabled = false;
            for (var i = start; i < Math.Min(tenants, start + Batch); i++)
            {
                var id = $"bench-{i:000000}";
                var createdAt = now.AddMinutes(-(i * 90.0 * 24 * 60 / tenants)).AddMinutes(-1);
                db.Tenants.Add(new Tenant { Id = id, DisplayName = $"Bench {i:000000}", CreatedAt = createdAt });
                db.ApiKeyVersions.Add(Version(id, ApiKeyVersionStatus.Current, createdAt, now, leads, "bench"));
            }

            await db.SaveChangesAsync();
        }

        await AnalyzeAsync(portal);
    }

    /// <summary>
    /// The support console's fleet, mixed as a real one is: of every 100 tenants, 90 have a current key created over the
    /// last 120 days (so about a quarter are overdue, a quarter due soon, half active), 2 revoked theirs, 1 was
    /// offboarded and 7 never submitted one. A third of the keyed tenants have an older, superseded version; one
    /// version in 500 is missing from the store and one older version in 2,000 (about 17) enabled in the store though disabled here; every
    /// keyed tenant has a reminder notice with one e-mail delivery, one in 300 of them given up and one in 1,000 retrying.
    /// Names are realistic and shuffled against ids and due dates, so no order coincides with another.
    /// </summary>
    public static async Task<FleetFacts> GenerateMixedAsync(PortalServices portal, int tenants)
    {
        var leads = RotationPolicy.DefaultReminderLeadDays;
        var now = portal.Time.GetUtcNow();
        var random = new Random(20261125);
        var facts = new FleetFacts();
        for (var start = 0; start < tenants; start += Batch)
        {
            await using var db = portal.CreateDbContext();
            db.ChangeTracker.AutoDetectChangesEnabled = false;
            var notices = new List<(RotationNotice Notice, string TenantId, int Index)>();
            for (var i = start; i < Math.Min(tenants, start + Batch); i++)
            {
                var name = $"{First[random.Next(First.Length)]} {Second[random.Next(Second.Length)]} {Suffix[random.Next(Suffix.Length)]}";
                var id = $"{name.ToLowerInvariant().Replace(' ', '-')}-{i:x5}";
                var kind = (i * 7919) % 100;
                var createdAt = now.AddDays(-400).AddMinutes(i % 1440);
                var tenant = new Tenant { Id = id, DisplayName = name, CreatedAt = createdAt };
                tenant.Contacts.Add(new TenantContact { TenantId = id, Email = $"security@{id}.example" });
                db.Tenants.Add(tenant);
                facts.Sample(id, name);
                if (kind < 90)
                {
                    var currentAt = now.AddMinutes(-random.NextDouble() * 120 * 24 * 60);
                    var current = Version(id, ApiKeyVersionStatus.Current, currentAt, now, leads, Fingerprint(random));
                    if (i % 500 == 1)
                    {
                        current.MissingFromStoreSince = now.AddHours(-3);
                    }

                    db.ApiKeyVersions.Add(current);
                    if (i % 3 == 0)
                    {
                        var older = Version(id, ApiKeyVersionStatus.Superseded, currentAt.AddDays(-90), now, leads, Fingerprint(random));
                        older.DisabledInStoreAt = currentAt.AddDays(7);
                        older.StillEnabledInStoreSince = i % 2000 == 0 ? now.AddHours(-1) : null;
                        db.ApiKeyVersions.Add(older);
                    }

                    var notice = new RotationNotice
                    {
                        TenantId = id, StoreVersionId = current.StoreVersionId, Kind = RotationNoticeKind.Reminder, LeadDays = 30,
                        DueAt = current.ExpiresAt, CreatedAt = current.ExpiresAt!.Value.AddDays(-30),
                    };
                    db.RotationNotices.Add(notice);
                    notices.Add((notice, id, i));
                }
                else if (kind < 92)
                {
                    var revoked = Version(id, ApiKeyVersionStatus.Revoked, now.AddDays(-200 + (i % 150)), now, leads, Fingerprint(random));
                    revoked.DisabledInStoreAt = revoked.CreatedAt.AddDays(20);
                    revoked.RevokeReason = "Leaked in a support ticket";
                    db.ApiKeyVersions.Add(revoked);
                }
                else if (kind < 93)
                {
                    tenant.OffboardedAt = now.AddDays(-(i % 300));
                    tenant.OffboardReason = "Contract ended";
                    var disabled = Version(id, ApiKeyVersionStatus.Disabled, tenant.OffboardedAt.Value.AddDays(-50), now, leads, Fingerprint(random));
                    disabled.DisabledInStoreAt = tenant.OffboardedAt;
                    db.ApiKeyVersions.Add(disabled);
                }
            }

            await db.SaveChangesAsync();
            foreach (var (notice, tenantId, i) in notices)
            {
                var failed = i % 300 == 7;
                var retrying = i % 1000 == 11;
                db.NotificationDeliveries.Add(new NotificationDelivery
                {
                    NoticeId = notice.Id, TenantId = tenantId, Channel = NotificationChannel.Email, Target = $"security@{tenantId}.example",
                    CreatedAt = notice.CreatedAt, Attempts = failed ? 5 : retrying ? 2 : 1,
                    Status = failed ? NotificationDeliveryStatus.Failed : retrying ? NotificationDeliveryStatus.Pending : NotificationDeliveryStatus.Delivered,
                    LastAttemptAt = failed ? now.AddDays(-(i % 20)) : notice.CreatedAt,
                    NextAttemptAt = retrying ? now.AddMinutes(30) : null,
                    DeliveredAt = failed || retrying ? null : notice.CreatedAt,
                    LastError = failed ? "550 5.1.1 mailbox unavailable" : retrying ? "Connection refused" : null,
                });
            }

            await db.SaveChangesAsync();
        }

        await AnalyzeAsync(portal);
        return facts;
    }

    private static ApiKeyVersion Version(string tenantId, ApiKeyVersionStatus status, DateTimeOffset createdAt, DateTimeOffset now, IReadOnlyList<int> leads, string fingerprint)
    {
        var dueAt = createdAt.AddDays(RotationPolicy.DefaultIntervalDays);
        return new ApiKeyVersion
        {
            TenantId = tenantId,
            StoreVersionId = Guid.NewGuid().ToString("N"),
            Status = status,
            CreatedAt = createdAt,
            ExpiresAt = dueAt,
            DueSoonAt = RotationSchedule.DueSoonAt(dueAt, leads),
            NextNoticeAt = status == ApiKeyVersionStatus.Current ? RotationSchedule.NextNoticeAt(dueAt, leads, now) : null,
            StatusChangedAt = createdAt,
            CreatedByName = "Bench",
            MaskedHint = "••••",
            Fingerprint = fingerprint,
        };
    }

    private static string Fingerprint(Random random)
    {
        Span<byte> bytes = stackalloc byte[8];
        random.NextBytes(bytes);
        return ApiKeyFingerprints.Prefix + Convert.ToHexStringLower(bytes);
    }

    private static async Task AnalyzeAsync(PortalServices portal)
    {
        await using var db = portal.CreateDbContext();
        await db.Database.ExecuteSqlRawAsync("ANALYZE");
    }
}

/// <summary>A few generated tenants' ids and names, spread over the fleet, for the benchmarks' searches.</summary>
internal sealed class FleetFacts
{
    private readonly List<(string Id, string Name)> _samples = [];
    private int _seen;

    public IReadOnlyList<(string Id, string Name)> Samples => _samples;

    public void Sample(string id, string name)
    {
        if (_seen++ % 9973 == 0)
        {
            _samples.Add((id, name));
        }
    }
}
