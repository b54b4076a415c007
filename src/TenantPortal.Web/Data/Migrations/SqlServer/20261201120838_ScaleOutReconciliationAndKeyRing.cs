using System;
using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace TenantPortal.Web.Data.Migrations.SqlServer
{
    /// <inheritdoc />
    public partial class ScaleOutReconciliationAndKeyRing : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.CreateTable(
                name: "DataProtectionKeys",
                columns: table => new
                {
                    Id = table.Column<int>(type: "int", nullable: false)
                        .Annotation("SqlServer:Identity", "1, 1"),
                    FriendlyName = table.Column<string>(type: "nvarchar(100)", maxLength: 100, nullable: true),
                    Xml = table.Column<string>(type: "nvarchar(max)", nullable: true)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_DataProtectionKeys", x => x.Id);
                });

            migrationBuilder.CreateTable(
                name: "FingerprintKeys",
                columns: table => new
                {
                    Id = table.Column<string>(type: "varchar(32)", unicode: false, maxLength: 32, nullable: false),
                    ProtectedKey = table.Column<string>(type: "varchar(256)", unicode: false, maxLength: 256, nullable: false),
                    CreatedAt = table.Column<DateTimeOffset>(type: "datetimeoffset", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_FingerprintKeys", x => x.Id);
                });

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

            migrationBuilder.CreateIndex(
                name: "IX_DataProtectionKeys_FriendlyName",
                table: "DataProtectionKeys",
                column: "FriendlyName",
                unique: true,
                filter: "[FriendlyName] IS NOT NULL");
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.DropTable(
                name: "DataProtectionKeys");

            migrationBuilder.DropTable(
                name: "FingerprintKeys");

            migrationBuilder.DropTable(
                name: "ReconciliationStates");

            migrationBuilder.DropIndex(
                name: "IX_AuditEvents_CorrelationId",
                table: "AuditEvents");
        }
    }
}
