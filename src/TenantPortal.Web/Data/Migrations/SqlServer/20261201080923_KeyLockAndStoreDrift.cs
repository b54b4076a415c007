using System;
using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace TenantPortal.Web.Data.Migrations.SqlServer
{
    /// <inheritdoc />
    public partial class KeyLockAndStoreDrift : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.AddColumn<DateTimeOffset>(
                name: "KeyLockExpiresAt",
                table: "Tenants",
                type: "datetimeoffset",
                nullable: true);

            migrationBuilder.AddColumn<string>(
                name: "KeyLockHolder",
                table: "Tenants",
                type: "varchar(200)",
                unicode: false,
                maxLength: 200,
                nullable: true);

            migrationBuilder.AddColumn<DateTimeOffset>(
                name: "StillEnabledInStoreSince",
                table: "ApiKeyVersions",
                type: "datetimeoffset",
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
