using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace TenantPortal.Web.Data.Migrations.Sqlite
{
    /// <inheritdoc />
    public partial class KeyLockAndStoreDrift : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.AddColumn<long>(
                name: "KeyLockExpiresAt",
                table: "Tenants",
                type: "INTEGER",
                nullable: true);

            migrationBuilder.AddColumn<string>(
                name: "KeyLockHolder",
                table: "Tenants",
                type: "TEXT",
                unicode: false,
                maxLength: 200,
                nullable: true);

            migrationBuilder.AddColumn<long>(
                name: "StillEnabledInStoreSince",
                table: "ApiKeyVersions",
                type: "INTEGER",
                nullable: true);
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.DropColumn(
                name: "KeyLockExpiresAt",
                table: "Tenants");

            migrationBuilder.DropColumn(
                name: "KeyLockHolder",
                table: "Tenants");

            migrationBuilder.DropColumn(
                name: "StillEnabledInStoreSince",
                table: "ApiKeyVersions");
        }
    }
}
