using System;
using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace TenantPortal.Web.Data.Migrations.SqlServer
{
    /// <inheritdoc />
    public partial class KeyHealth : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.CreateTable(
                name: "KeyUsageBatches",
                columns: table => new
                {
                    BatchId = table.Column<Guid>(type: "uniqueidentifier", nullable: false),
                    Client = table.Column<string>(type: "varchar(110)", unicode: false, maxLength: 110, nullable: false),
                    ReceivedAt = table.Column<DateTimeOffset>(type: "datetimeoffset", nullable: false),
                    ExpiresAt = table.Column<DateTimeOffset>(type: "datetimeoffset", nullable: false),
                    Entries = table.Column<int>(type: "int", nullable: false),
                    Accepted = table.Column<int>(type: "int", nullable: false),
                    Unknown = table.Column<int>(type: "int", nullable: false),
                    DroppedByReader = table.Column<long>(type: "bigint", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_KeyUsageBatches", x => x.BatchId);
                });

            migrationBuilder.CreateTable(
                name: "KeyUsages",
                columns: table => new
                {
                    ApiKeyVersionId = table.Column<long>(type: "bigint", nullable: false),
                    Uses = table.Column<long>(type: "bigint", nullable: false),
                    LastUsedAt = table.Column<DateTimeOffset>(type: "datetimeoffset", nullable: true),
                    Rejections = table.Column<long>(type: "bigint", nullable: false),
                    FirstRejectedAt = table.Column<DateTimeOffset>(type: "datetimeoffset", nullable: true),
                    LastRejectedAt = table.Column<DateTimeOffset>(type: "datetimeoffset", nullable: true),
                    LastReportedAt = table.Column<DateTimeOffset>(type: "datetimeoffset", nullable: false),
                    Revision = table.Column<long>(type: "bigint", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_KeyUsages", x => x.ApiKeyVersionId);
                    table.ForeignKey(
                        name: "FK_KeyUsages_ApiKeyVersions_ApiKeyVersionId",
                        column: x => x.ApiKeyVersionId,
                        principalTable: "ApiKeyVersions",
                        principalColumn: "Id",
                        onDelete: ReferentialAction.Cascade);
                });

            migrationBuilder.CreateIndex(
                name: "IX_KeyUsageBatches_ExpiresAt",
                table: "KeyUsageBatches",
                column: "ExpiresAt");
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.DropTable(
                name: "KeyUsageBatches");

            migrationBuilder.DropTable(
                name: "KeyUsages");
        }
    }
}
