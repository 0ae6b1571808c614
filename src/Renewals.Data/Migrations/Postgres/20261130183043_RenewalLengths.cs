using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace Renewals.Data.Migrations.Postgres
{
    /// <inheritdoc />
    public partial class RenewalLengths : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.AddColumn<string>(
                name: "renewal_lengths",
                table: "subscriptions",
                type: "text",
                nullable: true);

            migrationBuilder.AddColumn<string>(
                name: "renewal_years",
                table: "policies",
                type: "text",
                nullable: false,
                defaultValue: "");

            migrationBuilder.AddColumn<int>(
                name: "renewal_years",
                table: "amendments",
                type: "integer",
                nullable: false,
                defaultValue: 1);

            migrationBuilder.UpdateData(
                table: "policies",
                keyColumn: "id",
                keyValue: 1L,
                column: "renewal_years",
                value: "1");
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.DropColumn(
                name: "renewal_lengths",
                table: "subscriptions");

            migrationBuilder.DropColumn(
                name: "renewal_years",
                table: "policies");

            migrationBuilder.DropColumn(
                name: "renewal_years",
                table: "amendments");
        }
    }
}
