using TenantPortal.Tests.TestHost;
using TenantPortal.Web.Features.Rotation;

namespace TenantPortal.Tests.Features.Rotation;

public sealed class RotationPolicyRulesTests
{
    [Fact]
    public void Validate_EachProblem_IsNamedInTheCallersLanguage()
    {
        var interval = new RotationPolicy(400, [30], 7);
        var lead = new RotationPolicy(90, [90], 7);
        var twice = new RotationPolicy(90, [7, 7], 7);
        var grace = new RotationPolicy(90, [30], 91);

        Assert.Equal("The rotation interval must be between 1 and 365 days; 400 is not.", RotationPolicyRules.Validate(interval, 365));
        Assert.Equal("Each reminder lead time must be at least 1 day and shorter than the 90-day interval; 90 is not.", RotationPolicyRules.Validate(lead, 365));
        Assert.Equal("Each reminder lead time may appear only once.", RotationPolicyRules.Validate(twice, 365));
        Assert.Equal("The grace period must be between 0 and 90 days; 91 is not.", RotationPolicyRules.Validate(grace, 365));
        Assert.Null(RotationPolicyRules.Validate(RotationPolicy.Default, 365));

        using var japanese = UiCulture.Use("ja");
        Assert.Equal("ローテーション間隔は1日から365日の間で指定してください（400は範囲外です）。", RotationPolicyRules.Validate(interval, 365));
        Assert.Equal("リマインダーの日数は1日以上、間隔の90日未満にしてください（90は範囲外です）。", RotationPolicyRules.Validate(lead, 365));
        Assert.Equal("同じリマインダーの日数は一度だけ指定してください。", RotationPolicyRules.Validate(twice, 365));
        Assert.Equal("猶予期間は0日から90日の間で指定してください（91は範囲外です）。", RotationPolicyRules.Validate(grace, 365));
    }
}
