using System.Collections.Concurrent;

namespace TenantPortal.KeyReader;

/// <summary>
/// The usage counts per tenant and version, in memory. A cached version holds its cell, so a cache hit counts without
/// a lookup; a rejection looks its cell up. Cells idle for a whole interval leave the table (a cached version takes a
/// fresh one at its next use), so the table holds what was used lately, not every version ever served; cells made by
/// rejections alone are capped.
/// </summary>
internal sealed class KeyUsageRecorder(TimeProvider time, int maxUncachedCells)
{
    private readonly ConcurrentDictionary<(string TenantId, string Version), KeyUsageCell> _cells = new();
    private readonly List<KeyUsageCell> _retiring = [];
    private int _cellCount;
    private long _refused;

    /// <summary>Rejections not counted because the table was full (reported to the portal as dropped).</summary>
    public long TakeRefused() => Interlocked.Exchange(ref _refused, 0);

    /// <summary>The live cell of a version the cache serves; made when missing, whatever the cap (one per cached tenant).</summary>
    public KeyUsageCell CellFor(string tenantId, string version)
    {
        var key = (tenantId, version);
        while (true)
        {
            if (_cells.TryGetValue(key, out var cell))
            {
                if (!cell.Retired)
                {
                    return cell;
                }

                Remove(cell);
                continue;
            }

            var fresh = new KeyUsageCell(tenantId, version);
            if (_cells.TryAdd(key, fresh))
            {
                Interlocked.Increment(ref _cellCount);
                return fresh;
            }
        }
    }

    /// <summary>False when the rejection was not counted: no cell for the version and the table full of others.</summary>
    public bool RecordRejection(string tenantId, string version)
    {
        var at = time.GetUtcNow();
        while (true)
        {
            if (!_cells.TryGetValue((tenantId, version), out var cell))
            {
                if (Volatile.Read(ref _cellCount) >= maxUncachedCells)
                {
                    Interlocked.Increment(ref _refused);
                    return false;
                }

                cell = CellFor(tenantId, version);
            }

            lock (cell)
            {
                // A cell retired meanwhile is not harvested again: count in a live one.
                if (!cell.Retired)
                {
                    cell.RecordRejection(at);
                    return true;
                }
            }

            Remove(cell);
        }
    }

    /// <summary>
    /// Takes what every cell counted since the last harvest. A cell with nothing since the last harvest (idle for a whole
    /// interval) is retired; it is harvested once more at the next harvest, for a use that raced its retirement.
    /// Called by one thread at a time (the sender's).
    /// </summary>
    public List<KeyUsageSample> Harvest()
    {
        var now = time.GetTimestamp();
        var utcNow = time.GetUtcNow();
        var samples = new List<KeyUsageSample>();
        foreach (var cell in _retiring)
        {
            if (cell.Harvest(time, now, utcNow) is { } late)
            {
                samples.Add(late);
            }
        }

        _retiring.Clear();
        foreach (var (_, cell) in _cells)
        {
            if (cell.Harvest(time, now, utcNow) is { } sample)
            {
                samples.Add(sample);
                continue;
            }

            lock (cell)
            {
                cell.Retired = true;
            }

            Remove(cell);
            _retiring.Add(cell);
        }

        return samples;
    }

    /// <summary>Cells in the table (for tests).</summary>
    internal int Count => Volatile.Read(ref _cellCount);

    private void Remove(KeyUsageCell cell)
    {
        if (_cells.TryRemove(new KeyValuePair<(string, string), KeyUsageCell>((cell.TenantId, cell.Version), cell)))
        {
            Interlocked.Decrement(ref _cellCount);
        }
    }
}
