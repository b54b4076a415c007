using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace TenantPortal.Web.Data.Migrations.Sqlite
{
    /// <inheritdoc />
    public partial class KeyHealthGrace : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.AddColumn<bool>(
                name: "KeepPreviousWhileInUse",
                table: "PlatformSettings",
                type: "INTEGER",
                nullable: false,
                defaultValue: false);

            migrationBuilder.AddColumn<long>(
                name: "IncidentEndedAt",
                table: "KeyUsages",
                type: "INTEGER",
                nullable: true);

            migrationBuilder.AddColumn<long>(
                name: "IncidentRejections",
                table: "KeyUsages",
                type: "INTEGER",
                nullable: false,
                defaultValue: 0L);

            migrationBuilder.AddColumn<long>(
                name: "IncidentStartedAt",
                table: "KeyUsages",
                type: "INTEGER",
                nullable: true);

            migrationBuilder.AddColumn<int>(
                name: "Incidents",
                table: "KeyUsages",
                type: "INTEGER",
                nullable: false,
                defaultValue: 0);

            migrationBuilder.AddColumn<int>(
                name: "NotifiedIncidents",
                table: "KeyUsages",
                type: "INTEGER",
                nullable: false,
                defaultValue: 0);

            migrationBuilder.CreateIndex(
                name: "IX_KeyUsages_IncidentStartedAt",
                table: "KeyUsages",
                column: "IncidentStartedAt",
                filter: "[IncidentStartedAt] IS NOT NULL AND [IncidentEndedAt] IS NULL");
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.DropIndex(
                name: "IX_KeyUsages_IncidentStartedAt",
                table: "KeyUsages");

            migrationBuilder.DropColumn(
                name: "KeepPreviousWhileInUse",
                table: "PlatformSettings");

            migrationBuilder.DropColumn(
                name: "IncidentEndedAt",
                table: "KeyUsages");

            migrationBuilder.DropColumn(
                name: "IncidentRejections",
                table: "KeyUsages");

            migrationBuilder.DropColumn(
                name: "IncidentStartedAt",
                table: "KeyUsages");

            migrationBuilder.DropColumn(
                name: "Incidents",
                table: "KeyUsages");

            migrationBuilder.DropColumn(
                name: "NotifiedIncidents",
                table: "KeyUsages");
        }
    }
}
