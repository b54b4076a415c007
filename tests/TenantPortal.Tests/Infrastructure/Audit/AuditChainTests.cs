using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using TenantPortal.Tests.TestHost;
using TenantPortal.Web.Auth;
using TenantPortal.Web.Features.ApiKeys;
using TenantPortal.Web.Infrastructure.Audit;
using TenantPortal.Web.SecretStore;

namespace TenantPortal.Tests.Infrastructure.Audit;

public sealed class AuditChainTests : IAsyncLifetime
{
    private PortalServices _portal = null!;

    private AuditVerifier Verifier => _portal.Get<AuditVerifier>();

    public async Task InitializeAsync()
    {
        _portal = await PortalServices.StartAsync();
        var keys = _portal.Get<ApiKeyService>();
        for (var i = 0; i < 3; i++)
        {
            _portal.Time.Advance(TimeSpan.FromHours(1));
            await keys.SubmitApiKeyAsync(TestPersonas.ContosoAdmin, "contoso", new SecretValue($"sk_live_chain_test_{i:0000000}"), default);
        }
    }

    public async Task DisposeAsync() => await _portal.DisposeAsync();

    [Fact]
    public async Task AppendAsync_LinksEveryEventToThePreviousOneInItsTenantsChain()
    {
        await using var db = _portal.CreateDbContext();
        var chain = await db.AuditEvents.Where(e => e.ChainId == "contoso").OrderBy(e => e.Sequence).ToListAsync();

        Assert.Equal(6, chain.Count);
        Assert.Equal(Enumerable.Range(1, 6).Select(i => (long)i), chain.Select(e => e.Sequence));
        Assert.Equal(AuditChains.Genesis, chain[0].PreviousHash);
        for (var i = 1; i < chain.Count; i++)
        {
            Assert.Equal(chain[i - 1].Hash, chain[i].PreviousHash);
        }

        Assert.True((await Verifier.VerifyAsync("contoso", default)).IsIntact);
    }

    [Fact]
    public async Task AppendAsync_EventsWithoutATenant_GoToThePlatformChain()
    {
        await _portal.Get<ApiKeyService>().SubmitApiKeyAsync(TestPersonas.ContosoAdmin, "no-such-tenant", new SecretValue("sk_live_x_000000000001"), default);

        await using var db = _portal.CreateDbContext();
        var denied = await db.AuditEvents.SingleAsync(e => e.Outcome == AuditOutcome.Denied);
        Assert.Equal(AuditChains.Platform, denied.ChainId);
        Assert.Equal("no-such-tenant", denied.TenantId);
    }

    [Fact]
    public async Task AppendAsync_ParallelWritersOnOneChain_KeepItGaplessAndIntact()
    {
        var writers = Enumerable.Range(0, 40).Select(async i =>
        {
            using var scope = _portal.Services.CreateScope();
            var audit = scope.ServiceProvider.GetRequiredService<AuditTrail>();
            await audit.AppendAsync(audit.Create(PortalActor.System, "Test.Parallel", AuditOutcome.Succeeded, "fabrikam", reason: $"writer {i}"), default);
        });

        await Task.WhenAll(writers);

        var result = await Verifier.VerifyAsync("fabrikam", default);
        Assert.True(result.IsIntact, result.Problem);
        Assert.Equal(40, result.EventsChecked);
    }

    [Theory]
    [InlineData("contoso", 7)]
    [InlineData("a-new-chain", 1)]
    public async Task ChainAsync_SeveralEventsInOneContext_LinkThroughTheHeadThatContextHolds(string chainId, long firstSequence)
    {
        var audit = _portal.Get<AuditTrail>();
        await using (var db = _portal.CreateDbContext())
        {
            for (var i = 0; i < 3; i++)
            {
                await AuditTrail.ChainAsync(db, audit.Create(PortalActor.System, "Test.Batch", AuditOutcome.Succeeded, null, chainId: chainId), default);
            }

            await db.SaveChangesAsync();
        }

        var result = await Verifier.VerifyAsync(chainId, default);
        Assert.True(result.IsIntact, result.Problem);
        Assert.Equal(firstSequence + 2, result.EventsChecked);
    }

    [Fact]
    public async Task SaveChanges_ChangingOrDeletingAnAuditRow_IsRefused()
    {
        await using var db = _portal.CreateDbContext();
        var row = await db.AuditEvents.FirstAsync();

        db.Entry(row).Property(e => e.Reason).CurrentValue = "rewritten";
        var update = await Assert.ThrowsAsync<InvalidOperationException>(() => db.SaveChangesAsync());
        db.ChangeTracker.Clear();
        db.AuditEvents.Remove(await db.AuditEvents.FirstAsync());
        var delete = await Assert.ThrowsAsync<InvalidOperationException>(() => db.SaveChangesAsync());

        Assert.Contains("append-only", update.Message, StringComparison.Ordinal);
        Assert.Contains("append-only", delete.Message, StringComparison.Ordinal);
    }

    public static TheoryData<string, string, long, string, string> Tampering => new()
    {
        {
            "edit", "UPDATE AuditEvents SET Reason = 'nothing to see' WHERE ChainId = 'contoso' AND Sequence = 3", 3,
            "Event 3 was changed after it was written: its hash does not match its content.",
            "イベント 3 は書き込み後に変更されています。ハッシュが内容と一致しません。"
        },
        {
            "delete", "DELETE FROM AuditEvents WHERE ChainId = 'contoso' AND Sequence = 2", 2,
            "Event 2 is missing: the chain jumps to 3.",
            "イベント 2 がありません。チェーンはイベント 3 に飛んでいます。"
        },
        {
            "delete the end", "DELETE FROM AuditEvents WHERE ChainId = 'contoso' AND Sequence = 6", 6,
            "The chain ends at event 5 but its head records event 6: events were removed from the end.",
            "チェーンはイベント 5 で終わっていますが、チェーンのヘッドにはイベント 6 が記録されています。末尾のイベントが削除されています。"
        },
        {
            // The inserted row links to event 3 but carries event 3's hash, not its own.
            "insert",
            "UPDATE AuditEvents SET Sequence = Sequence + 100 WHERE ChainId = 'contoso' AND Sequence >= 4; " +
            "UPDATE AuditEvents SET Sequence = Sequence - 99 WHERE ChainId = 'contoso' AND Sequence >= 104; " +
            "INSERT INTO AuditEvents (OccurredAt, ActorRole, Action, Outcome, CorrelationId, ChainId, Sequence, PreviousHash, Hash, TenantId) " +
            "SELECT OccurredAt, ActorRole, 'ApiKey.Submit', 'Succeeded', CorrelationId, 'contoso', 4, Hash, Hash, 'contoso' FROM AuditEvents WHERE ChainId = 'contoso' AND Sequence = 3",
            4,
            "Event 4 was changed after it was written: its hash does not match its content.",
            "イベント 4 は書き込み後に変更されています。ハッシュが内容と一致しません。"
        },
        {
            "reorder",
            "UPDATE AuditEvents SET Sequence = -1 WHERE ChainId = 'contoso' AND Sequence = 4; " +
            "UPDATE AuditEvents SET Sequence = 4 WHERE ChainId = 'contoso' AND Sequence = 5; " +
            "UPDATE AuditEvents SET Sequence = 5 WHERE ChainId = 'contoso' AND Sequence = -1",
            4,
            "Event 4 does not link to the event before it (inserted, removed or reordered rows).",
            "イベント 4 が直前のイベントにつながっていません (行が挿入、削除、または並べ替えられています)。"
        },
    };

    [Theory]
    [MemberData(nameof(Tampering))]
    public async Task VerifyAsync_TamperedDirectlyInTheDatabase_NamesTheFirstBrokenLink_InEnglishForTheRecordAndInTheReadersLanguage(
        string kind, string sql, long firstBroken, string english, string japanese)
    {
        await using (var db = _portal.CreateDbContext())
        {
            await db.Database.ExecuteSqlRawAsync(sql);
        }

        // Verified under Japanese: the recorded problem stays English whatever the caller's language.
        ChainVerification result;
        using (UiCulture.Use("ja"))
        {
            result = await Verifier.VerifyAsync("contoso", default);
            Assert.Equal(japanese, result.ProblemText());
        }

        Assert.False(result.IsIntact, kind);
        Assert.Equal(firstBroken, result.FirstBrokenSequence);
        Assert.Equal(english, result.Problem);
        using (UiCulture.Use("en"))
        {
            Assert.Equal(english, result.ProblemText());
        }
    }
}
