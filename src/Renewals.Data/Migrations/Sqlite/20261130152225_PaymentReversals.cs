using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace Renewals.Data.Migrations.Sqlite
{
    /// <inheritdoc />
    public partial class PaymentReversals : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.AddColumn<string>(
                name: "dismiss_reason",
                table: "statement_lines",
                type: "TEXT",
                maxLength: 500,
                nullable: true);

            migrationBuilder.AddColumn<long>(
                name: "dismissed_at",
                table: "statement_lines",
                type: "INTEGER",
                nullable: true);

            migrationBuilder.AddColumn<string>(
                name: "dismissed_by",
                table: "statement_lines",
                type: "TEXT",
                maxLength: 100,
                nullable: true);

            migrationBuilder.AddColumn<string>(
                name: "reversal_reason",
                table: "payments",
                type: "TEXT",
                maxLength: 500,
                nullable: true);

            migrationBuilder.AddColumn<long>(
                name: "reversed_at",
                table: "payments",
                type: "INTEGER",
                nullable: true);

            migrationBuilder.AddColumn<string>(
                name: "reversed_by",
                table: "payments",
                type: "TEXT",
                maxLength: 100,
                nullable: true);
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.DropColumn(
                name: "dismiss_reason",
                table: "statement_lines");

            migrationBuilder.DropColumn(
                name: "dismissed_at",
                table: "statement_lines");

            migrationBuilder.DropColumn(
                name: "dismissed_by",
                table: "statement_lines");

            migrationBuilder.DropColumn(
                name: "reversal_reason",
                table: "payments");

            migrationBuilder.DropColumn(
                name: "reversed_at",
                table: "payments");

            migrationBuilder.DropColumn(
                name: "reversed_by",
                table: "payments");
        }
    }
}
