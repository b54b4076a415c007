using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace TenantPortal.Web.Data.Migrations.Sqlite
{
    /// <inheritdoc />
    public partial class ReconciliationSchedule : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.CreateTable(
                name: "ReconciliationStates",
                columns: table => new
                {
                    Id = table.Column<int>(type: "INTEGER", nullable: false),
                    InDoubtCheckedFrom = table.Column<long>(type: "INTEGER", nullable: false),
                    SweepStartedAt = table.Column<long>(type: "INTEGER", nullable: false),
                    SweepInProgress = table.Column<bool>(type: "INTEGER", nullable: false),
                    SweepAfterTenantId = table.Column<string>(type: "TEXT", unicode: false, maxLength: 112, nullable: true),
                    LastSweepCompletedAt = table.Column<long>(type: "INTEGER", nullable: true),
                    SweepTenantsChecked = table.Column<int>(type: "INTEGER", nullable: false),
                    SweepVersionsRestored = table.Column<int>(type: "INTEGER", nullable: false),
                    SweepVersionsMissing = table.Column<int>(type: "INTEGER", nullable: false),
                    SweepTenantsFailed = table.Column<int>(type: "INTEGER", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_ReconciliationStates", x => x.Id);
                });

            migrationBuilder.CreateIndex(
                name: "IX_AuditEvents_CorrelationId",
                table: "AuditEvents",
                column: "CorrelationId");
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.DropTable(
                name: "ReconciliationStates");

            migrationBuilder.DropIndex(
                name: "IX_AuditEvents_CorrelationId",
                table: "AuditEvents");
        }
    }
}
