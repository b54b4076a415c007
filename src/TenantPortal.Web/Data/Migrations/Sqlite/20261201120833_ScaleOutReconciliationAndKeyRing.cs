using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace TenantPortal.Web.Data.Migrations.Sqlite
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
                    Id = table.Column<int>(type: "INTEGER", nullable: false)
                        .Annotation("Sqlite:Autoincrement", true),
                    FriendlyName = table.Column<string>(type: "TEXT", maxLength: 100, nullable: true),
                    Xml = table.Column<string>(type: "TEXT", nullable: true)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_DataProtectionKeys", x => x.Id);
                });

            migrationBuilder.CreateTable(
                name: "FingerprintKeys",
                columns: table => new
                {
                    Id = table.Column<string>(type: "TEXT", unicode: false, maxLength: 32, nullable: false),
                    ProtectedKey = table.Column<string>(type: "TEXT", unicode: false, maxLength: 256, nullable: false),
                    CreatedAt = table.Column<long>(type: "INTEGER", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_FingerprintKeys", x => x.Id);
                });

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

            migrationBuilder.CreateIndex(
                name: "IX_DataProtectionKeys_FriendlyName",
                table: "DataProtectionKeys",
                column: "FriendlyName",
                unique: true);
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
