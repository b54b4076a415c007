using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace TenantPortal.Web.Data.Migrations.Sqlite
{
    /// <inheritdoc />
    public partial class RetiredTenantIdsAndAuditReason : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.CreateTable(
                name: "RetiredTenantIds",
                columns: table => new
                {
                    Id = table.Column<string>(type: "TEXT", unicode: false, maxLength: 112, nullable: false),
                    RenamedTo = table.Column<string>(type: "TEXT", unicode: false, maxLength: 112, nullable: true),
                    RetiredAt = table.Column<long>(type: "INTEGER", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_RetiredTenantIds", x => x.Id);
                });

            // Ids freed by renames before this table: a chain that outlived its tenant. Reserved too, as of its last record.
            migrationBuilder.Sql("""
                INSERT INTO RetiredTenantIds (Id, RenamedTo, RetiredAt)
                SELECT h.ChainId, NULL, COALESCE(
                    (SELECT MAX(e.OccurredAt) FROM AuditEvents e WHERE e.ChainId = h.ChainId),
                    (SELECT MAX(c.CreatedAt) FROM AuditCheckpoints c WHERE c.ChainId = h.ChainId))
                FROM AuditChainHeads h
                WHERE h.ChainId <> '#platform'
                  AND NOT EXISTS (SELECT 1 FROM Tenants t WHERE t.Id = h.ChainId)
                  AND (EXISTS (SELECT 1 FROM AuditEvents e WHERE e.ChainId = h.ChainId)
                    OR EXISTS (SELECT 1 FROM AuditCheckpoints c WHERE c.ChainId = h.ChainId));
                """);
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.DropTable(
                name: "RetiredTenantIds");
        }
    }
}
