using Microsoft.EntityFrameworkCore.Migrations;
using NodaTime;

#nullable disable

namespace Renewals.Data.Migrations.Postgres
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
                type: "character varying(500)",
                maxLength: 500,
                nullable: true);

            migrationBuilder.AddColumn<Instant>(
                name: "dismissed_at",
                table: "statement_lines",
                type: "timestamp with time zone",
                nullable: true);

            migrationBuilder.AddColumn<string>(
                name: "dismissed_by",
                table: "statement_lines",
                type: "character varying(100)",
                maxLength: 100,
                nullable: true);

            migrationBuilder.AddColumn<string>(
                name: "reversal_reason",
                table: "payments",
                type: "character varying(500)",
                maxLength: 500,
                nullable: true);

            migrationBuilder.AddColumn<Instant>(
                name: "reversed_at",
                table: "payments",
                type: "timestamp with time zone",
                nullable: true);

            migrationBuilder.AddColumn<string>(
                name: "reversed_by",
                table: "payments",
                type: "character varying(100)",
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
