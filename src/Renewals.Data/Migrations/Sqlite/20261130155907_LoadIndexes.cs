using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace Renewals.Data.Migrations.Sqlite
{
    /// <inheritdoc />
    public partial class LoadIndexes : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.CreateIndex(
                name: "ix_advisor_tasks_account_id_kind_status",
                table: "advisor_tasks",
                columns: new[] { "account_id", "kind", "status" });
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.DropIndex(
                name: "ix_advisor_tasks_account_id_kind_status",
                table: "advisor_tasks");
        }
    }
}
