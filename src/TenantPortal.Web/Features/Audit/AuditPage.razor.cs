using Microsoft.AspNetCore.Components;
using Microsoft.AspNetCore.Components.Authorization;
using MudBlazor;
using TenantPortal.Web.Infrastructure.Audit;

namespace TenantPortal.Web.Features.Audit;

public partial class AuditPage
{
    private static readonly string[] KnownActions = typeof(AuditActions).GetFields()
        .Where(f => f.IsLiteral).Select(f => (string)f.GetRawConstantValue()!).Order(StringComparer.Ordinal).ToArray();

    private MudDataGrid<AuditRow>? _grid;
    private string? _tenant;
    private DateTime? _from;
    private DateTime? _to;
    private string? _action;
    private AuditOutcome? _outcome;
    private string? _actor;
    private string? _ownTenant;
    private ChainVerification? _verification;
    private bool _hasMore;
    private string? _problem;

    [CascadingParameter]
    private Microsoft.AspNetCore.Http.HttpContext? HttpContext { get; set; }

    [CascadingParameter]
    private Task<AuthenticationState> AuthenticationState { get; set; } = default!;

    [Inject]
    private TenantPortal.Web.Features.ApiKeys.ApiKeyService ApiKeys { get; set; } = default!;

    [Inject]
    private NavigationManager Navigation { get; set; } = default!;

    /// <summary>The chain the Verify button checks: the filtered tenant, or a tenant admin's own.</summary>
    private string? VerifyTarget => _tenant ?? _ownTenant;

    protected override async Task OnInitializedAsync()
    {
        var user = (await AuthenticationState).User;
        var own = await ApiKeys.GetAdministeredTenantsAsync(user, CancellationToken.None);
        _ownTenant = own.Count == 1 ? own[0].Id : null;
    }

    private AuditFilter Filter => new(_tenant,
        _from is { } f ? new DateTimeOffset(DateTime.SpecifyKind(f.Date, DateTimeKind.Utc)) : null,
        _to is { } t ? new DateTimeOffset(DateTime.SpecifyKind(t.Date.AddDays(1), DateTimeKind.Utc)) : null,
        _action, _outcome, _actor);

    private async Task<GridData<AuditRow>> LoadAsync(GridState<AuditRow> state, CancellationToken cancellationToken)
    {
        var sort = state.SortDefinitions.FirstOrDefault();
        var query = new AuditQuery(state.Page, state.PageSize, Filter,
            sort?.SortBy switch
            {
                nameof(AuditRow.TenantId) => AuditSort.TenantId,
                nameof(AuditRow.Action) => AuditSort.Action,
                nameof(AuditRow.Outcome) => AuditSort.Outcome,
                _ => AuditSort.OccurredAt,
            },
            sort?.Descending ?? true);
        var user = (await AuthenticationState).User;
        var page = await Audit.GetPageAsync(user, query, cancellationToken);
        if (_hasMore != (page?.HasMore ?? false) || _problem != page?.Problem)
        {
            _hasMore = page?.HasMore ?? false;
            _problem = page?.Problem;
            StateHasChanged();
        }

        return new GridData<AuditRow> { Items = page?.Items ?? [], TotalItems = page?.TotalCount ?? 0 };
    }

    private async Task SetAsync(Action change)
    {
        change();
        _verification = null;
        if (_grid is not null)
        {
            await _grid.ReloadServerData();
        }
    }

    private async Task VerifyAsync()
    {
        if (VerifyTarget is { } chain)
        {
            var user = (await AuthenticationState).User;
            _verification = await Audit.VerifyAsync(user, chain, CancellationToken.None);
        }
    }

    private string ExportLink(string path)
    {
        var f = Filter;
        var query = new Dictionary<string, object?>
        {
            ["tenant"] = f.TenantId,
            ["from"] = f.From?.ToString("O"),
            ["to"] = f.To?.ToString("O"),
            ["action"] = f.Action,
            ["outcome"] = f.Outcome?.ToString(),
            ["actor"] = f.Actor,
        };
        return Navigation.GetUriWithQueryParameters(path, query);
    }

    private string OutcomeText(AuditOutcome outcome) => L[$"Outcome{outcome}"];

    private static string? Blank(string? value) => string.IsNullOrWhiteSpace(value) ? null : value.Trim();
}
