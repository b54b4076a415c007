using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace TenantPortal.Web.Data.Migrations.Sqlite
{
    /// <inheritdoc />
    public partial class SupportConsoleIndexes : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.DropIndex(
                name: "IX_Tenants_DisplayName",
                table: "Tenants");

            migrationBuilder.DropIndex(
                name: "IX_Tenants_OffboardedAt",
                table: "Tenants");

            migrationBuilder.AlterColumn<string>(
                name: "DisplayName",
                table: "Tenants",
                type: "TEXT",
                maxLength: 200,
                nullable: false,
                collation: "NOCASE",
                oldClrType: typeof(string),
                oldType: "TEXT",
                oldMaxLength: 200);

            migrationBuilder.CreateIndex(
                name: "IX_Tenants_DisplayName_Id",
                table: "Tenants",
                columns: new[] { "DisplayName", "Id" });

            migrationBuilder.CreateIndex(
                name: "IX_Tenants_OffboardedAt",
                table: "Tenants",
                column: "OffboardedAt",
                filter: "[OffboardedAt] IS NOT NULL");

            migrationBuilder.CreateIndex(
                name: "IX_NotificationDeliveries_Status_LastAttemptAt",
                table: "NotificationDeliveries",
                columns: new[] { "Status", "LastAttemptAt" });

            migrationBuilder.CreateIndex(
                name: "IX_AuditEvents_ActorTenantId_Action_OccurredAt",
                table: "AuditEvents",
                columns: new[] { "ActorTenantId", "Action", "OccurredAt" });

            migrationBuilder.CreateIndex(
                name: "IX_AuditEvents_TenantId_Outcome_OccurredAt",
                table: "AuditEvents",
                columns: new[] { "TenantId", "Outcome", "OccurredAt" });

            migrationBuilder.CreateIndex(
                name: "IX_ApiKeyVersions_CreatedAt",
                table: "ApiKeyVersions",
                column: "CreatedAt");

            migrationBuilder.CreateIndex(
                name: "IX_ApiKeyVersions_CurrentDue",
                table: "ApiKeyVersions",
                columns: new[] { "ExpiresAt", "TenantId", "DueSoonAt" },
                filter: "[Status] = 'Current'");

            migrationBuilder.CreateIndex(
                name: "IX_ApiKeyVersions_Fingerprint",
                table: "ApiKeyVersions",
                column: "Fingerprint");

            migrationBuilder.CreateIndex(
                name: "IX_ApiKeyVersions_MissingFromStoreSince",
                table: "ApiKeyVersions",
                column: "MissingFromStoreSince",
                filter: "[MissingFromStoreSince] IS NOT NULL");

            migrationBuilder.CreateIndex(
                name: "IX_ApiKeyVersions_Revoked",
                table: "ApiKeyVersions",
                column: "TenantId",
                filter: "[Status] = 'Revoked'");

            migrationBuilder.CreateIndex(
                name: "IX_ApiKeyVersions_StillEnabledInStoreSince",
                table: "ApiKeyVersions",
                column: "StillEnabledInStoreSince",
                filter: "[StillEnabledInStoreSince] IS NOT NULL");
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.DropIndex(
                name: "IX_Tenants_DisplayName_Id",
                table: "Tenants");

            migrationBuilder.DropIndex(
                name: "IX_Tenants_OffboardedAt",
                table: "Tenants");

            migrationBuilder.DropIndex(
                name: "IX_NotificationDeliveries_Status_LastAttemptAt",
                table: "NotificationDeliveries");

            migrationBuilder.DropIndex(
                name: "IX_AuditEvents_ActorTenantId_Action_OccurredAt",
                table: "AuditEvents");

            migrationBuilder.DropIndex(
                name: "IX_AuditEvents_TenantId_Outcome_OccurredAt",
                table: "AuditEvents");

            migrationBuilder.DropIndex(
                name: "IX_ApiKeyVersions_CreatedAt",
                table: "ApiKeyVersions");

            migrationBuilder.DropIndex(
                name: "IX_ApiKeyVersions_CurrentDue",
                table: "ApiKeyVersions");

            migrationBuilder.DropIndex(
                name: "IX_ApiKeyVersions_Fingerprint",
                table: "ApiKeyVersions");

            migrationBuilder.DropIndex(
                name: "IX_ApiKeyVersions_MissingFromStoreSince",
                table: "ApiKeyVersions");

            migrationBuilder.DropIndex(
                name: "IX_ApiKeyVersions_Revoked",
                table: "ApiKeyVersions");

            migrationBuilder.DropIndex(
                name: "IX_ApiKeyVersions_StillEnabledInStoreSince",
                table: "ApiKeyVersions");

            migrationBuilder.AlterColumn<string>(
                name: "DisplayName",
                table: "Tenants",
                type: "TEXT",
                maxLength: 200,
                nullable: false,
                oldClrType: typeof(string),
                oldType: "TEXT",
                oldMaxLength: 200,
                oldCollation: "NOCASE");

            migrationBuilder.CreateIndex(
                name: "IX_Tenants_DisplayName",
                table: "Tenants",
                column: "DisplayName");

            migrationBuilder.CreateIndex(
                name: "IX_Tenants_OffboardedAt",
                table: "Tenants",
                column: "OffboardedAt");
        }
    }
}
