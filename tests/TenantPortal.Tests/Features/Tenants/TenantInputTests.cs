using Microsoft.EntityFrameworkCore;
using TenantPortal.Tests.TestHost;
using TenantPortal.Web.Features.Rotation;
using TenantPortal.Web.Features.Tenants;
using TenantPortal.Web.Infrastructure.Audit;

namespace TenantPortal.Tests.Features.Tenants;

/// <summary>
/// What people type for a tenant — its display name, its contacts' addresses, an offboarding reason, a search — holds
/// no control character and no direction mark, and stays within a limit the message states; nothing is cut.
/// </summary>
public sealed class TenantInputTests : IAsyncLifetime
{
    private const string DirectionMark = "contains an invisible character that changes the direction of text";
    private static readonly Guid AcmeTid = Guid.Parse("ac3e0000-0000-4000-8000-000000000020");
    private PortalServices _portal = null!;

    private TenantService Tenants => _portal.Get<TenantService>();

    public async Task InitializeAsync() => _portal = await PortalServices.StartAsync();

    public async Task DisposeAsync() => await _portal.DisposeAsync();

    private static TenantInput Acme(string name = "Acme Corp", string email = "ops@acme.example") =>
        new("acme", name, [AcmeTid.ToString()], [new ContactInput(email, "en")], RotationPolicy.Default);

    [Theory]
    [InlineData("Acme \u202Eproc", $"The display name {DirectionMark} (U+202E), which can make it read differently than it is stored: remove it.")]
    [InlineData("Acme\u200E Corp", $"The display name {DirectionMark} (U+200E), which can make it read differently than it is stored: remove it.")]
    [InlineData("Acme\u061C Corp", $"The display name {DirectionMark} (U+061C), which can make it read differently than it is stored: remove it.")]
    [InlineData("Acme\nCorp", "The display name contains a control character (U+000A): remove it.")]
    [InlineData("Acme\u0085Corp", "The display name contains a control character (U+0085): remove it.")]
    public async Task Onboard_DisplayNameWithAControlCharacterOrDirectionMark_IsRefused(string name, string expected)
    {
        var result = await Tenants.OnboardAsync(TestPersonas.PlatformAdmin, Acme(name: name), default);

        Assert.Equal(TenantChangeOutcome.Invalid, result.Outcome);
        Assert.Equal(expected, result.Message);
        Assert.Null(await Tenants.GetAsync(TestPersonas.PlatformAdmin, "acme", default));
    }

    [Fact]
    public async Task Onboard_DisplayNameLongerThanItsLimit_IsRefusedWithTheLimit_AndAtTheLimitKeptWhole()
    {
        var tooLong = await Tenants.OnboardAsync(TestPersonas.PlatformAdmin, Acme(name: new string('a', 201)), default);
        Assert.Equal("The display name can have at most 200 characters (201 given).", tooLong.Message);

        var saved = await Tenants.OnboardAsync(TestPersonas.PlatformAdmin, Acme(name: new string('a', 200)), default);
        Assert.True(saved.Succeeded, saved.Message);
        Assert.Equal(new string('a', 200), (await Tenants.GetAsync(TestPersonas.PlatformAdmin, "acme", default))!.DisplayName);
    }

    [Fact]
    public async Task Update_DisplayNameWithADirectionMark_IsRefusedAndKeepsTheOldName()
    {
        await Tenants.OnboardAsync(TestPersonas.PlatformAdmin, Acme(), default);

        var result = await Tenants.UpdateAsync(TestPersonas.PlatformAdmin, "acme", Acme(name: "Acme \u2067Corp"), default);

        Assert.Equal(TenantChangeOutcome.Invalid, result.Outcome);
        Assert.Equal($"The display name {DirectionMark} (U+2067), which can make it read differently than it is stored: remove it.", result.Message);
        Assert.Equal("Acme Corp", (await Tenants.GetAsync(TestPersonas.PlatformAdmin, "acme", default))!.DisplayName);
    }

    [Theory]
    [InlineData("ops\u202E@acme.example", $"An e-mail address {DirectionMark} (U+202E), which can make it read differently than it is stored: remove it.")]
    [InlineData("ops@acme.example\u2069", $"An e-mail address {DirectionMark} (U+2069), which can make it read differently than it is stored: remove it.")]
    [InlineData("ops\u0000@acme.example", "An e-mail address contains a control character (U+0000): remove it.")]
    public async Task ContactAddressWithAControlCharacterOrDirectionMark_IsRefused_AtOnboardingAndByTheTenantAdmin(string email, string expected)
    {
        var onboard = await Tenants.OnboardAsync(TestPersonas.PlatformAdmin, Acme(email: email), default);
        var contacts = await Tenants.UpdateContactsAsync(TestPersonas.ContosoAdmin, "contoso", [new(email, "en")], default);

        Assert.Equal(TenantChangeOutcome.Invalid, onboard.Outcome);
        Assert.Equal(expected, onboard.Message);
        Assert.Equal(TenantChangeOutcome.Invalid, contacts.Outcome);
        Assert.Equal(expected, contacts.Message);
        Assert.Empty((await Tenants.GetAsync(TestPersonas.ContosoAdmin, "contoso", default))!.Contacts);
    }

    [Fact]
    public async Task ContactAddressLongerThanItsLimit_IsRefusedWithTheLimit()
    {
        var email = new string('a', 64) + "@" + new string('b', 186) + ".com";
        Assert.Equal(255, email.Length);

        var result = await Tenants.UpdateContactsAsync(TestPersonas.ContosoAdmin, "contoso", [new(email, "en")], default);

        Assert.Equal("An e-mail address can have at most 254 characters (255 given).", result.Message);
    }

    [Fact]
    public async Task Offboard_ReasonOfTheFullStatedLength_IsAuditedWhole_AndOneCharacterMoreIsRefused()
    {
        var reason = "Contract ended.\r\n" + new string('x', 500 - 17);
        Assert.Equal(Tenant.OffboardReasonMaxLength, reason.Length);

        var tooLong = await Tenants.OffboardAsync(TestPersonas.PlatformAdmin, "contoso", "Contoso Ltd", reason + "y", default);
        Assert.Equal(TenantChangeOutcome.Invalid, tooLong.Outcome);
        Assert.Equal("The reason can have at most 500 characters (501 given).", tooLong.Message);

        var result = await Tenants.OffboardAsync(TestPersonas.PlatformAdmin, "contoso", "Contoso Ltd", reason, default);

        Assert.True(result.Succeeded, result.Message);
        Assert.Equal(reason, (await Tenants.GetAsync(TestPersonas.PlatformAdmin, "contoso", default))!.OffboardReason);
        await using var db = _portal.CreateDbContext();
        Assert.Equal([reason, reason], await db.AuditEvents.Where(e => e.Action == AuditActions.TenantOffboard).OrderBy(e => e.Id).Select(e => e.Reason).ToListAsync());
    }

    [Theory]
    [InlineData("Contract \u202Edne", $"The reason {DirectionMark} (U+202E), which can make it read differently than it is stored: remove it.")]
    [InlineData("Contract\u001B[31m ended", "The reason contains a control character (U+001B): remove it.")]
    public async Task Offboard_ReasonWithAControlCharacterOrDirectionMark_IsRefusedAndNothingChanges(string reason, string expected)
    {
        var result = await Tenants.OffboardAsync(TestPersonas.PlatformAdmin, "contoso", "Contoso Ltd", reason, default);

        Assert.Equal(TenantChangeOutcome.Invalid, result.Outcome);
        Assert.Equal(expected, result.Message);
        Assert.Null((await Tenants.GetAsync(TestPersonas.PlatformAdmin, "contoso", default))!.OffboardedAt);
    }

    [Fact]
    public async Task List_SearchLongerThanItsLimit_IsRefusedWithTheLimit_AndAtTheLimitRuns()
    {
        var refused = await Tenants.ListAsync(TestPersonas.PlatformAdmin, new TenantListQuery(0, 10, new string('c', 101)), default);
        var atLimit = await Tenants.ListAsync(TestPersonas.PlatformAdmin, new TenantListQuery(0, 10, new string('c', 100)), default);
        var mark = await Tenants.ListAsync(TestPersonas.PlatformAdmin, new TenantListQuery(0, 10, "con\u202Etoso"), default);

        Assert.Equal("The search can have at most 100 characters (101 given).", refused!.Problem);
        Assert.Empty(refused.Items);
        Assert.Null(atLimit!.Problem);
        Assert.Equal($"The search {DirectionMark} (U+202E), which can make it read differently than it is stored: remove it.", mark!.Problem);
    }
}
