using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace Renewals.Data.Migrations.Sqlite
{
    /// <inheritdoc />
    public partial class EngineQueue : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.DropIndex(
                name: "ix_milestones_status_due_at_id",
                table: "milestones");

            migrationBuilder.DropIndex(
                name: "ix_milestones_subscription_id_status_due_at",
                table: "milestones");

            migrationBuilder.CreateIndex(
                name: "ix_milestones_pending_due_at_id",
                table: "milestones",
                columns: new[] { "due_at", "id" },
                filter: "status = 0");

            migrationBuilder.CreateIndex(
                name: "ix_milestones_pending_subscription_id_due_at",
                table: "milestones",
                columns: new[] { "subscription_id", "due_at" },
                filter: "status = 0");
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.DropIndex(
                name: "ix_milestones_pending_due_at_id",
                table: "milestones");

            migrationBuilder.DropIndex(
                name: "ix_milestones_pending_subscription_id_due_at",
                table: "milestones");

            migrationBuilder.CreateIndex(
                name: "ix_milestones_status_due_at_id",
                table: "milestones",
                columns: new[] { "status", "due_at", "id" });

            migrationBuilder.CreateIndex(
                name: "ix_milestones_subscription_id_status_due_at",
                table: "milestones",
                columns: new[] { "subscription_id", "status", "due_at" });
        }
    }
}
