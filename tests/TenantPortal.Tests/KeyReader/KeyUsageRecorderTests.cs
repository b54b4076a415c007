using Microsoft.Extensions.Time.Testing;
using TenantPortal.KeyReader;

namespace TenantPortal.Tests.KeyReader;

/// <summary>The counting table alone, on a fake clock: harvests, retirement of idle cells, the cap on rejection-only cells.</summary>
public sealed class KeyUsageRecorderTests
{
    private static readonly DateTimeOffset Start = new(2026, 11, 30, 9, 0, 0, TimeSpan.Zero);
    private readonly FakeTimeProvider _time = new(Start);

    [Fact]
    public void Harvest_TakesWhatWasCountedOnce_ThenRetiresTheIdleCell()
    {
        var recorder = new KeyUsageRecorder(_time, maxUncachedCells: 10);
        var cell = recorder.CellFor("contoso", "v1");
        cell.RecordUse(_time.GetTimestamp());
        _time.Advance(TimeSpan.FromSeconds(7));
        cell.RecordUse(_time.GetTimestamp());
        recorder.RecordRejection("contoso", "v1");
        _time.Advance(TimeSpan.FromSeconds(3));

        var first = Assert.Single(recorder.Harvest());
        var second = recorder.Harvest();

        Assert.Equal(new KeyUsageSample("contoso", "v1", 2, Start.AddSeconds(7), 1, Start.AddSeconds(7), Start.AddSeconds(7)), first);
        Assert.Empty(second);
        Assert.True(cell.Retired);
        Assert.Equal(0, recorder.Count);
        Assert.NotSame(cell, recorder.CellFor("contoso", "v1"));
    }

    [Fact]
    public void RecordRejection_TableFullOfOtherVersions_RefusedAndCounted_CachedVersionsStillGetCells()
    {
        var recorder = new KeyUsageRecorder(_time, maxUncachedCells: 2);

        var counted = new[] { recorder.RecordRejection("contoso", "a"), recorder.RecordRejection("contoso", "b"), recorder.RecordRejection("contoso", "c"), recorder.RecordRejection("contoso", "a") };
        var cached = recorder.CellFor("fabrikam", "v9");

        Assert.Equal([true, true, false, true], counted);
        Assert.Equal(1, recorder.TakeRefused());
        Assert.Equal(0, recorder.TakeRefused());
        Assert.False(cached.Retired);
        Assert.Equal(3, recorder.Count);
        Assert.Equal(["a:2", "b:1"], recorder.Harvest().Select(s => $"{s.Version}:{s.Rejections}").Order(StringComparer.Ordinal));
    }
}
