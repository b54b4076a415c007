using Microsoft.AspNetCore.Components;
using Microsoft.AspNetCore.Components.Authorization;
using Microsoft.Extensions.Localization;

namespace TenantPortal.Web.Features.Support;

/// <summary>
/// The list keeps its filter in the address (the dashboard links to it, and a filtered list can be shared); pages
/// are read with the cursor of the previous one, so going back is a stack of where each page started.
/// </summary>
public partial class RotationStatusPage
{
    private static readonly (string Key, string Label, int Days)[] DueWindows =
    [
        ("7d", "Due7d", 7),
        ("30d", "Due30d", 30),
        ("12w", "Due12w", 84),
    ];

    private RotationStatusFilter _filter = new();
    private List<RotationStatusCursor?> _starts = [null];
    private RotationStatusCursor? _next;
    private IReadOnlyList<TenantRotationRow> _rows = [];
    private int? _total;
    private bool _hasMore;
    private string? _problem;
    private bool _loading;
    private DateTimeOffset _at;

    [SupplyParameterFromQuery(Name = "status")]
    public string? Status { get; set; }

    [SupplyParameterFromQuery(Name = "dueFrom")]
    public string? DueFrom { get; set; }

    [SupplyParameterFromQuery(Name = "dueBefore")]
    public string? DueBefore { get; set; }

    [SupplyParameterFromQuery(Name = "q")]
    public string? Search { get; set; }

    [SupplyParameterFromQuery(Name = "sort")]
    public string? Sort { get; set; }

    [SupplyParameterFromQuery(Name = "desc")]
    public string? Descending { get; set; }

    [CascadingParameter]
    private Microsoft.AspNetCore.Http.HttpContext? HttpContext { get; set; }

    [CascadingParameter]
    private Task<AuthenticationState> AuthenticationState { get; set; } = default!;

    [Inject]
    private SupportService Support { get; set; } = default!;

    [Inject]
    private NavigationManager Navigation { get; set; } = default!;

    [Inject]
    private TimeProvider Time { get; set; } = default!;

    [Inject]
    private IStringLocalizer<RotationStatusPage> L { get; set; } = default!;

    private string MatchText => _problem is not null ? "" : _total switch
    {
        null => "",
        1 => L["OneMatch"],
        { } n when _hasMore => L["MoreThanMatch", n],
        { } n => L["ManyMatch", n],
    };

    /// <summary>Which preset window the filter is, "custom" for any other, "any" for none.</summary>
    private string DueWindowKey
    {
        get
        {
            if (!_filter.HasDueWindow)
            {
                return "any";
            }

            var today = Today;
            return DueWindows.FirstOrDefault(w => _filter.DueFrom == today && _filter.DueBefore == today.AddDays(w.Days + 1)).Key ?? "custom";
        }
    }

    private string CustomWindowLabel =>
        L["CustomWindow", _filter.DueFrom is { } f ? L["Date", f.UtcDateTime].Value : "…", _filter.DueBefore is { } b ? L["Date", b.UtcDateTime].Value : "…"];

    private DateTimeOffset Today => new(Time.GetUtcNow().UtcDateTime.Date, TimeSpan.Zero);

    protected override async Task OnParametersSetAsync()
    {
        var (filter, problem) = RotationStatusLinks.Parse(Status, DueFrom, DueBefore, Search, Sort, Descending);
        _filter = filter ?? new RotationStatusFilter();
        _starts = [null];
        if (problem is not null)
        {
            _problem = problem;
            _rows = [];
            _next = null;
            _total = null;
            return;
        }

        _total = null;
        await LoadAsync();
        if (_problem is null)
        {
            // After the rows: the count never holds the page up.
            var count = await Support.CountRotationStatusAsync((await AuthenticationState).User, _filter, CancellationToken.None);
            (_total, _hasMore) = (count?.Total, count?.HasMore ?? false);
        }
    }

    private async Task LoadAsync()
    {
        _loading = true;
        try
        {
            var user = (await AuthenticationState).User;
            var page = await Support.GetRotationStatusPageAsync(user, new RotationStatusQuery(_filter, After: _starts[^1]), CancellationToken.None);
            _at = Time.GetUtcNow();
            _rows = page?.Items ?? [];
            _next = page?.Next;
            _problem = page is null ? L["Refused"] : page.Problem;
        }
        finally
        {
            _loading = false;
        }
    }

    /// <summary>A changed filter goes into the address; the page reads it back from there and starts at the first page.</summary>
    private Task ApplyAsync(RotationStatusFilter filter)
    {
        Navigation.NavigateTo(RotationStatusLinks.List(filter), replace: true);
        return Task.CompletedTask;
    }

    private Task OnSearchAsync(string? search) => ApplyAsync(_filter with { Search = string.IsNullOrWhiteSpace(search) ? null : search });

    private Task OnDueWindowAsync(string? key)
    {
        var today = Today;
        var window = DueWindows.FirstOrDefault(w => w.Key == key);
        return key switch
        {
            "custom" => Task.CompletedTask,
            _ when window.Key is null => ApplyAsync(_filter with { DueFrom = null, DueBefore = null }),
            // Due on one of the next N days, today included; a due window only finds keyed tenants.
            _ => ApplyAsync(_filter with
            {
                DueFrom = today, DueBefore = today.AddDays(window.Days + 1),
                Status = _filter.Status is { } s && !TenantKeyStatuses.IsKeyed(s) ? null : _filter.Status,
            }),
        };
    }

    private async Task NextAsync()
    {
        if (_next is not null)
        {
            _starts.Add(_next);
            await LoadAsync();
        }
    }

    private async Task PreviousAsync()
    {
        if (_starts.Count > 1)
        {
            _starts.RemoveAt(_starts.Count - 1);
            await LoadAsync();
        }
    }

    private async Task FirstAsync()
    {
        _starts = [null];
        await LoadAsync();
    }
}
