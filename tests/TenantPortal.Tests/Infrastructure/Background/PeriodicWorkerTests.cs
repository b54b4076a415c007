using TenantPortal.Web.Infrastructure.Background;
using System.Threading.Channels;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Testing;
using Microsoft.Extensions.Time.Testing;

namespace TenantPortal.Tests.Infrastructure.Background;

/// <summary>
/// The shared loop on a fake clock. Every wait is on a signal (a pass ending, a timer being armed), never on real
/// time, and the clock is only moved once the timer it should fire exists.
/// </summary>
public sealed class PeriodicWorkerTests : IAsyncLifetime
{
    private static readonly DateTimeOffset StartTime = new(2026, 11, 25, 9, 0, 0, TimeSpan.Zero);
    private static readonly TimeSpan TestInterval = TimeSpan.FromMinutes(10);
    private static readonly TimeSpan Tick = TimeSpan.FromMilliseconds(1);
    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(30);

    private readonly ArmedTimeProvider _time = new();
    private readonly FakeLogger _logger = new();
    private readonly ServiceProvider _services = new ServiceCollection().AddScoped<PassScope>().BuildServiceProvider();
    private readonly List<TestWorker> _workers = [];

    public Task InitializeAsync() => Task.CompletedTask;

    public async Task DisposeAsync()
    {
        foreach (var worker in _workers)
        {
            await worker.StopAsync(CancellationToken.None);
            worker.Dispose();
        }

        await _services.DisposeAsync();
    }

    [Fact]
    public async Task RunsOnceAtStart_ThenEveryInterval()
    {
        var worker = await StartAsync(new TestWorker(this));
        Assert.True(await worker.WaitForPassEndAsync());

        _time.Advance(TestInterval - Tick);
        Assert.Equal(1, worker.Passes);
        _time.Advance(Tick);
        Assert.True(await worker.WaitForPassEndAsync());
        _time.Advance(TestInterval);
        Assert.True(await worker.WaitForPassEndAsync());

        Assert.Equal(3, worker.Passes);
        Assert.Empty(_logger.Collector.GetSnapshot());
    }

    [Fact]
    public async Task NotRunAtStart_FirstPassWaitsAFullInterval()
    {
        var worker = await StartAsync(new TestWorker(this) { StartsAtOnce = false });
        await _time.WaitForTimerAsync();

        _time.Advance(TestInterval - Tick);
        Assert.Equal(0, worker.Passes);
        _time.Advance(Tick);
        Assert.True(await worker.WaitForPassEndAsync());

        Assert.Equal(1, worker.Passes);
    }

    [Fact]
    public async Task EachPass_GetsItsOwnScope_DisposedBeforeTheNextPass()
    {
        var scopes = new List<PassScope>();
        var worker = await StartAsync(new TestWorker(this)
        {
            Pass = (_, services, _) =>
            {
                scopes.Add(services.GetRequiredService<PassScope>());
                return Task.CompletedTask;
            },
        });
        Assert.True(await worker.WaitForPassEndAsync());

        _time.Advance(TestInterval);
        Assert.True(await worker.WaitForPassEndAsync());

        Assert.Equal(2, scopes.Count);
        Assert.NotSame(scopes[0], scopes[1]);
        Assert.True(scopes[0].Disposed);
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public async Task AFailingPass_IsLogged_AndTheNextPassStillRuns(bool timeoutInsideThePass)
    {
        Exception failure = timeoutInsideThePass ? new OperationCanceledException("A call inside the pass timed out") : new InvalidOperationException("The job failed");
        var worker = await StartAsync(new TestWorker(this) { Pass = (n, _, _) => n == 1 ? Task.FromException(failure) : Task.CompletedTask });
        Assert.True(await worker.WaitForPassEndAsync());

        _time.Advance(TestInterval);
        Assert.True(await worker.WaitForPassEndAsync());

        var logged = Assert.Single(_logger.Collector.GetSnapshot());
        Assert.Equal(LogLevel.Error, logged.Level);
        Assert.Same(failure, logged.Exception);
        Assert.Equal(2, worker.Passes);
        Assert.False(worker.ExecuteTask!.IsCompleted);
    }

    [Fact]
    public async Task Disabled_NeverRuns()
    {
        var worker = await StartAsync(new TestWorker(this) { IsEnabled = false });
        await worker.ExecuteTask!.WaitAsync(Patience);

        _time.Advance(TestInterval * 3);

        Assert.Equal(0, worker.Passes);
        Assert.Equal(0, _time.TimersCreated);
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public async Task Stopping_CancelsThePassInFlight_AndNoPassFollows(bool wakeable)
    {
        var sawCancellation = false;
        var worker = await StartAsync(new TestWorker(this)
        {
            WakeUpHook = wakeable ? new SemaphoreSlim(0).WaitAsync : null,
            Pass = async (_, _, cancellationToken) =>
            {
                try
                {
                    await new TaskCompletionSource().Task.WaitAsync(cancellationToken);
                }
                catch (OperationCanceledException)
                {
                    sawCancellation = cancellationToken.IsCancellationRequested;
                    throw;
                }
            },
        });
        Assert.True(await worker.WaitForPassStartAsync());

        await worker.StopAsync(CancellationToken.None).WaitAsync(Patience);
        _time.Advance(TestInterval * 2);

        Assert.True(sawCancellation);
        Assert.True(worker.ExecuteTask!.IsCanceled);
        Assert.Equal(1, worker.Passes);
        Assert.Empty(_logger.Collector.GetSnapshot());
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public async Task Stopping_BetweenPasses_EndsTheLoop(bool wakeable)
    {
        var worker = await StartAsync(new TestWorker(this) { WakeUpHook = wakeable ? new SemaphoreSlim(0).WaitAsync : null });
        Assert.True(await worker.WaitForPassEndAsync());
        await _time.WaitForTimerAsync();

        await worker.StopAsync(CancellationToken.None).WaitAsync(Patience);
        _time.Advance(TestInterval * 2);

        Assert.True(worker.ExecuteTask!.IsCompleted);
        Assert.False(worker.ExecuteTask.IsFaulted);
        Assert.Equal(1, worker.Passes);
        Assert.Empty(_logger.Collector.GetSnapshot());
    }

    [Fact]
    public async Task WakeUp_RunsAPassAtOnce_AndTheIntervalCountsFromThatPass()
    {
        using var wake = new SemaphoreSlim(0);
        var worker = await StartAsync(new TestWorker(this) { WakeUpHook = wake.WaitAsync });
        Assert.True(await worker.WaitForPassEndAsync());
        await _time.WaitForTimerAsync();
        _time.Advance(TestInterval / 2);

        wake.Release();
        Assert.True(await worker.WaitForPassEndAsync());
        await _time.WaitForTimerAsync();
        // A full interval after the start-up pass, but only half one after the woken pass.
        _time.Advance(TestInterval / 2);
        Assert.Equal(2, worker.Passes);
        _time.Advance(TestInterval / 2);
        Assert.True(await worker.WaitForPassEndAsync());

        Assert.Equal(3, worker.Passes);
    }

    [Fact]
    public async Task WakeUpDuringAPass_RunsAnotherPassRightAfterIt()
    {
        using var wake = new SemaphoreSlim(0);
        var worker = await StartAsync(new TestWorker(this)
        {
            WakeUpHook = wake.WaitAsync,
            Pass = (n, _, _) =>
            {
                if (n == 1)
                {
                    wake.Release();
                }

                return Task.CompletedTask;
            },
        });

        Assert.True(await worker.WaitForPassEndAsync());
        Assert.True(await worker.WaitForPassEndAsync());

        Assert.Equal(2, worker.Passes);
        Assert.Equal(StartTime, _time.GetUtcNow());
    }

    [Fact]
    public async Task CountingFromPassEnd_ALongPass_PushesTheNextOneAFullIntervalAfterItsEnd()
    {
        var firstPassTakes = TestInterval * 3 / 2;
        var worker = await StartAsync(new TestWorker(this)
        {
            FromPassEnd = true,
            Pass = (n, _, ct) => n == 1 ? Task.Delay(firstPassTakes, _time, ct) : Task.CompletedTask,
        });
        Assert.True(await worker.WaitForPassStartAsync());
        await _time.WaitForTimerAsync();
        _time.Advance(firstPassTakes);
        Assert.True(await worker.WaitForPassEndAsync());
        await _time.WaitForTimerAsync();

        // A fixed beat would have run at once (two beats passed during the first pass); this waits a whole interval.
        _time.Advance(TestInterval - Tick);
        Assert.Equal(1, worker.Passes);
        _time.Advance(Tick);
        Assert.True(await worker.WaitForPassEndAsync());

        Assert.Equal(2, worker.Passes);
    }

    private async Task<TestWorker> StartAsync(TestWorker worker)
    {
        _workers.Add(worker);
        await worker.StartAsync(CancellationToken.None);
        return worker;
    }

    private sealed class TestWorker(PeriodicWorkerTests test)
        : PeriodicWorker(test._services.GetRequiredService<IServiceScopeFactory>(), test._time, test._logger)
    {
        private readonly SemaphoreSlim _passStarted = new(0);
        private readonly SemaphoreSlim _passEnded = new(0);
        private int _passes;

        public bool IsEnabled { get; init; } = true;

        public bool StartsAtOnce { get; init; } = true;

        public Func<CancellationToken, Task>? WakeUpHook { get; init; }

        public bool FromPassEnd { get; init; }

        /// <summary>What pass n (from 1) does.</summary>
        public Func<int, IServiceProvider, CancellationToken, Task> Pass { get; init; } = (_, _, _) => Task.CompletedTask;

        public int Passes => Volatile.Read(ref _passes);

        protected override bool Enabled => IsEnabled;

        protected override TimeSpan Interval => TestInterval;

        protected override bool RunsAtStart => StartsAtOnce;

        protected override Func<CancellationToken, Task>? WakeUp => WakeUpHook;

        protected override bool CountsIntervalFromPassEnd => FromPassEnd || WakeUpHook is not null;

        public Task<bool> WaitForPassStartAsync() => _passStarted.WaitAsync(Patience);

        /// <summary>Released when a pass returns or throws, before the worker handles what it threw.</summary>
        public Task<bool> WaitForPassEndAsync() => _passEnded.WaitAsync(Patience);

        protected override async Task RunOnceAsync(IServiceProvider scopedServices, CancellationToken cancellationToken)
        {
            var n = Interlocked.Increment(ref _passes);
            _passStarted.Release();
            try
            {
                await Pass(n, scopedServices, cancellationToken);
            }
            finally
            {
                _passEnded.Release();
            }
        }

        public override void Dispose()
        {
            base.Dispose();
            _passStarted.Dispose();
            _passEnded.Dispose();
        }
    }

    /// <summary>Tells the test when the worker has armed a timer, so moving the clock cannot race the worker.</summary>
    private sealed class ArmedTimeProvider() : FakeTimeProvider(StartTime)
    {
        private readonly Channel<bool> _armed = Channel.CreateUnbounded<bool>();
        private int _created;

        public int TimersCreated => Volatile.Read(ref _created);

        public async Task WaitForTimerAsync() => await _armed.Reader.ReadAsync().AsTask().WaitAsync(Patience);

        public override ITimer CreateTimer(TimerCallback callback, object? state, TimeSpan dueTime, TimeSpan period)
        {
            var timer = base.CreateTimer(callback, state, dueTime, period);
            Interlocked.Increment(ref _created);
            _armed.Writer.TryWrite(true);
            return timer;
        }
    }

    private sealed class PassScope : IAsyncDisposable
    {
        public bool Disposed { get; private set; }

        public ValueTask DisposeAsync()
        {
            Disposed = true;
            return ValueTask.CompletedTask;
        }
    }
}
