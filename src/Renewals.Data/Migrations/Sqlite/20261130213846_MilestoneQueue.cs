using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace Renewals.Data.Migrations.Sqlite
{
    /// <inheritdoc />
    public partial class MilestoneQueue : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.DropIndex(
                name: "ix_milestones_pending_due_at_id",
                table: "milestones");

            migrationBuilder.DropIndex(
                name: "ix_milestones_pending_subscription_id_due_at",
                table: "milestones");

            migrationBuilder.CreateTable(
                name: "milestone_queue",
                columns: table => new
                {
                    milestone_id = table.Column<long>(type: "INTEGER", nullable: false),
                    subscription_id = table.Column<long>(type: "INTEGER", nullable: false),
                    due_at = table.Column<long>(type: "INTEGER", nullable: false),
                    kind = table.Column<int>(type: "INTEGER", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("pk_milestone_queue", x => x.milestone_id);
                    table.ForeignKey(
                        name: "fk_milestone_queue_milestones_milestone_id",
                        column: x => x.milestone_id,
                        principalTable: "milestones",
                        principalColumn: "id",
                        onDelete: ReferentialAction.Cascade);
                });

            // Today's pending milestones make the queue, before its indexes are built.
            migrationBuilder.Sql(
                "INSERT INTO milestone_queue (milestone_id, subscription_id, due_at, kind) " +
                "SELECT id, subscription_id, due_at, kind FROM milestones WHERE status = 0;");

            migrationBuilder.CreateIndex(
                name: "ix_milestone_queue_due_at_milestone_id",
                table: "milestone_queue",
                columns: new[] { "due_at", "milestone_id" });

            migrationBuilder.CreateIndex(
                name: "ix_milestone_queue_subscription_id_due_at",
                table: "milestone_queue",
                columns: new[] { "subscription_id", "due_at" });
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.DropTable(
                name: "milestone_queue");

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
    }
}
