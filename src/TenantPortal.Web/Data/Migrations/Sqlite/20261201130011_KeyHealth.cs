using System;
using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace TenantPortal.Web.Data.Migrations.Sqlite
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
                    BatchId = table.Column<Guid>(type: "TEXT", nullable: false),
                    Client = table.Column<string>(type: "TEXT", unicode: false, maxLength: 110, nullable: false),
                    ReceivedAt = table.Column<long>(type: "INTEGER", nullable: false),
                    ExpiresAt = table.Column<long>(type: "INTEGER", nullable: false),
                    Entries = table.Column<int>(type: "INTEGER", nullable: false),
                    Accepted = table.Column<int>(type: "INTEGER", nullable: false),
                    Unknown = table.Column<int>(type: "INTEGER", nullable: false),
                    DroppedByReader = table.Column<long>(type: "INTEGER", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_KeyUsageBatches", x => x.BatchId);
                });

            migrationBuilder.CreateTable(
                name: "KeyUsages",
                columns: table => new
                {
                    ApiKeyVersionId = table.Column<long>(type: "INTEGER", nullable: false),
                    Uses = table.Column<long>(type: "INTEGER", nullable: false),
                    LastUsedAt = table.Column<long>(type: "INTEGER", nullable: true),
                    Rejections = table.Column<long>(type: "INTEGER", nullable: false),
                    FirstRejectedAt = table.Column<long>(type: "INTEGER", nullable: true),
                    LastRejectedAt = table.Column<long>(type: "INTEGER", nullable: true),
                    LastReportedAt = table.Column<long>(type: "INTEGER", nullable: false),
                    Revision = table.Column<long>(type: "INTEGER", nullable: false)
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
