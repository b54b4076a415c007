using System;
using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace TenantPortal.Web.Data.Migrations.SqlServer
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
                    Id = table.Column<int>(type: "int", nullable: false),
                    InDoubtCheckedFrom = table.Column<DateTimeOffset>(type: "datetimeoffset", nullable: false),
                    SweepStartedAt = table.Column<DateTimeOffset>(type: "datetimeoffset", nullable: false),
                    SweepInProgress = table.Column<bool>(type: "bit", nullable: false),
                    SweepAfterTenantId = table.Column<string>(type: "varchar(112)", unicode: false, maxLength: 112, nullable: true),
                    LastSweepCompletedAt = table.Column<DateTimeOffset>(type: "datetimeoffset", nullable: true),
                    SweepTenantsChecked = table.Column<int>(type: "int", nullable: false),
                    SweepVersionsRestored = table.Column<int>(type: "int", nullable: false),
                    SweepVersionsMissing = table.Column<int>(type: "int", nullable: false),
                    SweepTenantsFailed = table.Column<int>(type: "int", nullable: false)
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
