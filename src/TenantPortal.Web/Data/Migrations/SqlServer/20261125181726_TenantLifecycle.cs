using System;
using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace TenantPortal.Web.Data.Migrations.SqlServer
{
    /// <inheritdoc />
    public partial class TenantLifecycle : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.AddColumn<int>(
                name: "GracePeriodDays",
                table: "Tenants",
                type: "int",
                nullable: false,
                defaultValue: 7);

            migrationBuilder.AddColumn<string>(
                name: "OffboardReason",
                table: "Tenants",
                type: "nvarchar(500)",
                maxLength: 500,
                nullable: true);

            migrationBuilder.AddColumn<DateTimeOffset>(
                name: "OffboardedAt",
                table: "Tenants",
                type: "datetimeoffset",
                nullable: true);

            migrationBuilder.AddColumn<int>(
                name: "Probe_ExpectedStatus",
                table: "Tenants",
                type: "int",
                nullable: true);

            migrationBuilder.AddColumn<string>(
                name: "Probe_HeaderName",
                table: "Tenants",
                type: "varchar(100)",
                unicode: false,
                maxLength: 100,
                nullable: true);

            migrationBuilder.AddColumn<string>(
                name: "Probe_HeaderPrefix",
                table: "Tenants",
                type: "nvarchar(50)",
                maxLength: 50,
                nullable: true);

            migrationBuilder.AddColumn<string>(
                name: "Probe_Method",
                table: "Tenants",
                type: "varchar(8)",
                unicode: false,
                maxLength: 8,
                nullable: true);

            migrationBuilder.AddColumn<string>(
                name: "Probe_Url",
                table: "Tenants",
                type: "nvarchar(500)",
                maxLength: 500,
                nullable: true);

            migrationBuilder.AddColumn<string>(
                name: "ReminderLeadDays",
                table: "Tenants",
                type: "nvarchar(200)",
                maxLength: 200,
                nullable: false,
                defaultValue: "[30,14,7,1]");

            migrationBuilder.AddColumn<string>(
                name: "WebhookSigningKeyProtected",
                table: "Tenants",
                type: "varchar(512)",
                unicode: false,
                maxLength: 512,
                nullable: true);

            migrationBuilder.AddColumn<string>(
                name: "WebhookUrl",
                table: "Tenants",
                type: "nvarchar(500)",
                maxLength: 500,
                nullable: true);

            migrationBuilder.AddColumn<DateTimeOffset>(
                name: "DisabledInStoreAt",
                table: "ApiKeyVersions",
                type: "datetimeoffset",
                nullable: true);

            migrationBuilder.AddColumn<DateTimeOffset>(
                name: "GraceEndsAt",
                table: "ApiKeyVersions",
                type: "datetimeoffset",
                nullable: true);

            migrationBuilder.AddColumn<DateTimeOffset>(
                name: "NextNoticeAt",
                table: "ApiKeyVersions",
                type: "datetimeoffset",
                nullable: true);

            migrationBuilder.AddColumn<string>(
                name: "RevokeReason",
                table: "ApiKeyVersions",
                type: "nvarchar(500)",
                maxLength: 500,
                nullable: true);

            migrationBuilder.CreateTable(
                name: "Leases",
                columns: table => new
                {
                    Name = table.Column<string>(type: "varchar(64)", unicode: false, maxLength: 64, nullable: false),
                    Holder = table.Column<string>(type: "varchar(200)", unicode: false, maxLength: 200, nullable: false),
                    ExpiresAt = table.Column<DateTimeOffset>(type: "datetimeoffset", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_Leases", x => x.Name);
                });

            migrationBuilder.CreateTable(
                name: "PlatformSettings",
                columns: table => new
                {
                    Id = table.Column<int>(type: "int", nullable: false),
                    DefaultRotationIntervalDays = table.Column<int>(type: "int", nullable: false),
                    MaxRotationIntervalDays = table.Column<int>(type: "int", nullable: false),
                    ReminderLeadDays = table.Column<string>(type: "nvarchar(200)", maxLength: 200, nullable: false),
                    GracePeriodDays = table.Column<int>(type: "int", nullable: false),
                    ProbeAllowedHosts = table.Column<string>(type: "nvarchar(500)", maxLength: 500, nullable: false),
                    UpdatedAt = table.Column<DateTimeOffset>(type: "datetimeoffset", nullable: true)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_PlatformSettings", x => x.Id);
                });

            migrationBuilder.CreateTable(
                name: "RotationNotices",
                columns: table => new
                {
                    Id = table.Column<long>(type: "bigint", nullable: false)
                        .Annotation("SqlServer:Identity", "1, 1"),
                    TenantId = table.Column<string>(type: "varchar(112)", unicode: false, maxLength: 112, nullable: false),
                    StoreVersionId = table.Column<string>(type: "varchar(64)", unicode: false, maxLength: 64, nullable: false),
                    Kind = table.Column<string>(type: "varchar(24)", unicode: false, maxLength: 24, nullable: false),
                    LeadDays = table.Column<int>(type: "int", nullable: false),
                    DueAt = table.Column<DateTimeOffset>(type: "datetimeoffset", nullable: true),
                    CreatedAt = table.Column<DateTimeOffset>(type: "datetimeoffset", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_RotationNotices", x => x.Id);
                });

            migrationBuilder.CreateTable(
                name: "TenantContacts",
                columns: table => new
                {
                    Id = table.Column<long>(type: "bigint", nullable: false)
                        .Annotation("SqlServer:Identity", "1, 1"),
                    TenantId = table.Column<string>(type: "varchar(112)", unicode: false, maxLength: 112, nullable: false),
                    Email = table.Column<string>(type: "nvarchar(254)", maxLength: 254, nullable: false),
                    Language = table.Column<string>(type: "varchar(8)", unicode: false, maxLength: 8, nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_TenantContacts", x => x.Id);
                    table.ForeignKey(
                        name: "FK_TenantContacts_Tenants_TenantId",
                        column: x => x.TenantId,
                        principalTable: "Tenants",
                        principalColumn: "Id",
                        onDelete: ReferentialAction.Cascade);
                });

            migrationBuilder.CreateTable(
                name: "NotificationDeliveries",
                columns: table => new
                {
                    Id = table.Column<long>(type: "bigint", nullable: false)
                        .Annotation("SqlServer:Identity", "1, 1"),
                    NoticeId = table.Column<long>(type: "bigint", nullable: false),
                    TenantId = table.Column<string>(type: "varchar(112)", unicode: false, maxLength: 112, nullable: false),
                    Channel = table.Column<string>(type: "varchar(16)", unicode: false, maxLength: 16, nullable: false),
                    Target = table.Column<string>(type: "nvarchar(254)", maxLength: 254, nullable: false),
                    Language = table.Column<string>(type: "varchar(8)", unicode: false, maxLength: 8, nullable: false),
                    Status = table.Column<string>(type: "varchar(16)", unicode: false, maxLength: 16, nullable: false),
                    Attempts = table.Column<int>(type: "int", nullable: false),
                    CreatedAt = table.Column<DateTimeOffset>(type: "datetimeoffset", nullable: false),
                    NextAttemptAt = table.Column<DateTimeOffset>(type: "datetimeoffset", nullable: true),
                    LastAttemptAt = table.Column<DateTimeOffset>(type: "datetimeoffset", nullable: true),
                    LastStatusCode = table.Column<int>(type: "int", nullable: true),
                    LastError = table.Column<string>(type: "nvarchar(500)", maxLength: 500, nullable: true),
                    DeliveredAt = table.Column<DateTimeOffset>(type: "datetimeoffset", nullable: true)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_NotificationDeliveries", x => x.Id);
                    table.ForeignKey(
                        name: "FK_NotificationDeliveries_RotationNotices_NoticeId",
                        column: x => x.NoticeId,
                        principalTable: "RotationNotices",
                        principalColumn: "Id",
                        onDelete: ReferentialAction.Restrict);
                });

            migrationBuilder.CreateIndex(
                name: "IX_Tenants_OffboardedAt",
                table: "Tenants",
                column: "OffboardedAt");

            migrationBuilder.CreateIndex(
                name: "IX_ApiKeyVersions_GraceEndsAt",
                table: "ApiKeyVersions",
                column: "GraceEndsAt");

            migrationBuilder.CreateIndex(
                name: "IX_ApiKeyVersions_NextNoticeAt",
                table: "ApiKeyVersions",
                column: "NextNoticeAt");

            migrationBuilder.CreateIndex(
                name: "IX_NotificationDeliveries_NoticeId",
                table: "NotificationDeliveries",
                column: "NoticeId");

            migrationBuilder.CreateIndex(
                name: "IX_NotificationDeliveries_Status_NextAttemptAt",
                table: "NotificationDeliveries",
                columns: new[] { "Status", "NextAttemptAt" });

            migrationBuilder.CreateIndex(
                name: "IX_NotificationDeliveries_TenantId_CreatedAt",
                table: "NotificationDeliveries",
                columns: new[] { "TenantId", "CreatedAt" });

            migrationBuilder.CreateIndex(
                name: "IX_RotationNotices_TenantId_CreatedAt",
                table: "RotationNotices",
                columns: new[] { "TenantId", "CreatedAt" });

            migrationBuilder.CreateIndex(
                name: "IX_RotationNotices_TenantId_StoreVersionId_Kind_LeadDays",
                table: "RotationNotices",
                columns: new[] { "TenantId", "StoreVersionId", "Kind", "LeadDays" },
                unique: true);

            migrationBuilder.CreateIndex(
                name: "IX_TenantContacts_TenantId_Email",
                table: "TenantContacts",
                columns: new[] { "TenantId", "Email" },
                unique: true);
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.DropTable(
                name: "Leases");

            migrationBuilder.DropTable(
                name: "NotificationDeliveries");

            migrationBuilder.DropTable(
                name: "PlatformSettings");

            migrationBuilder.DropTable(
                name: "TenantContacts");

            migrationBuilder.DropTable(
                name: "RotationNotices");

            migrationBuilder.DropIndex(
                name: "IX_Tenants_OffboardedAt",
                table: "Tenants");

            migrationBuilder.DropIndex(
                name: "IX_ApiKeyVersions_GraceEndsAt",
                table: "ApiKeyVersions");

            migrationBuilder.DropIndex(
                name: "IX_ApiKeyVersions_NextNoticeAt",
                table: "ApiKeyVersions");

            migrationBuilder.DropColumn(
                name: "GracePeriodDays",
                table: "Tenants");

            migrationBuilder.DropColumn(
                name: "OffboardReason",
                table: "Tenants");

            migrationBuilder.DropColumn(
                name: "OffboardedAt",
                table: "Tenants");

            migrationBuilder.DropColumn(
                name: "Probe_ExpectedStatus",
                table: "Tenants");

            migrationBuilder.DropColumn(
                name: "Probe_HeaderName",
                table: "Tenants");

            migrationBuilder.DropColumn(
                name: "Probe_HeaderPrefix",
                table: "Tenants");

            migrationBuilder.DropColumn(
                name: "Probe_Method",
                table: "Tenants");

            migrationBuilder.DropColumn(
                name: "Probe_Url",
                table: "Tenants");

            migrationBuilder.DropColumn(
                name: "ReminderLeadDays",
                table: "Tenants");

            migrationBuilder.DropColumn(
                name: "WebhookSigningKeyProtected",
                table: "Tenants");

            migrationBuilder.DropColumn(
                name: "WebhookUrl",
                table: "Tenants");

            migrationBuilder.DropColumn(
                name: "DisabledInStoreAt",
                table: "ApiKeyVersions");

            migrationBuilder.DropColumn(
                name: "GraceEndsAt",
                table: "ApiKeyVersions");

            migrationBuilder.DropColumn(
                name: "NextNoticeAt",
                table: "ApiKeyVersions");

            migrationBuilder.DropColumn(
                name: "RevokeReason",
                table: "ApiKeyVersions");
        }
    }
}
