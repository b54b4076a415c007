using System;
using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace TenantPortal.Web.Data.Migrations.SqlServer
{
    /// <inheritdoc />
    public partial class RetiredTenantIdsAndAuditReason : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.AlterColumn<string>(
                name: "Reason",
                table: "AuditEvents",
                type: "nvarchar(500)",
                maxLength: 500,
                nullable: true,
                oldClrType: typeof(string),
                oldType: "nvarchar(200)",
                oldMaxLength: 200,
                oldNullable: true);

            migrationBuilder.CreateTable(
                name: "RetiredTenantIds",
                columns: table => new
                {
                    Id = table.Column<string>(type: "varchar(112)", unicode: false, maxLength: 112, nullable: false),
                    RenamedTo = table.Column<string>(type: "varchar(112)", unicode: false, maxLength: 112, nullable: true),
                    RetiredAt = table.Column<DateTimeOffset>(type: "datetimeoffset", nullable: false)
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

            migrationBuilder.AlterColumn<string>(
                name: "Reason",
                table: "AuditEvents",
                type: "nvarchar(200)",
                maxLength: 200,
                nullable: true,
                oldClrType: typeof(string),
                oldType: "nvarchar(500)",
                oldMaxLength: 500,
                oldNullable: true);
        }
    }
}
