using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace Renewals.Data.Migrations.Sqlite
{
    /// <inheritdoc />
    public partial class Newsletter : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.CreateTable(
                name: "newsletter_consents",
                columns: table => new
                {
                    id = table.Column<long>(type: "INTEGER", nullable: false)
                        .Annotation("Sqlite:Autoincrement", true),
                    contact_id = table.Column<long>(type: "INTEGER", nullable: false),
                    subscribed = table.Column<bool>(type: "INTEGER", nullable: false),
                    at = table.Column<long>(type: "INTEGER", nullable: false),
                    source = table.Column<string>(type: "TEXT", maxLength: 16, nullable: false),
                    actor = table.Column<string>(type: "TEXT", maxLength: 256, nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("pk_newsletter_consents", x => x.id);
                    table.ForeignKey(
                        name: "fk_newsletter_consents_contacts_contact_id",
                        column: x => x.contact_id,
                        principalTable: "contacts",
                        principalColumn: "id",
                        onDelete: ReferentialAction.Cascade);
                });

            migrationBuilder.CreateTable(
                name: "newsletter_issues",
                columns: table => new
                {
                    id = table.Column<long>(type: "INTEGER", nullable: false)
                        .Annotation("Sqlite:Autoincrement", true),
                    subject_en = table.Column<string>(type: "TEXT", maxLength: 200, nullable: false),
                    subject_fr = table.Column<string>(type: "TEXT", maxLength: 200, nullable: false),
                    markdown_en = table.Column<string>(type: "TEXT", maxLength: 20000, nullable: false),
                    markdown_fr = table.Column<string>(type: "TEXT", maxLength: 20000, nullable: false),
                    scheduled_at = table.Column<long>(type: "INTEGER", nullable: true),
                    queued_at = table.Column<long>(type: "INTEGER", nullable: true),
                    created_at = table.Column<long>(type: "INTEGER", nullable: false),
                    created_by = table.Column<string>(type: "TEXT", maxLength: 256, nullable: false),
                    updated_at = table.Column<long>(type: "INTEGER", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("pk_newsletter_issues", x => x.id);
                });

            migrationBuilder.CreateTable(
                name: "newsletter_deliveries",
                columns: table => new
                {
                    id = table.Column<long>(type: "INTEGER", nullable: false)
                        .Annotation("Sqlite:Autoincrement", true),
                    issue_id = table.Column<long>(type: "INTEGER", nullable: false),
                    contact_id = table.Column<long>(type: "INTEGER", nullable: false),
                    outbox_message_id = table.Column<long>(type: "INTEGER", nullable: false),
                    language = table.Column<string>(type: "TEXT", maxLength: 2, nullable: false),
                    token = table.Column<string>(type: "TEXT", maxLength: 64, nullable: false),
                    queued_at = table.Column<long>(type: "INTEGER", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("pk_newsletter_deliveries", x => x.id);
                    table.ForeignKey(
                        name: "fk_newsletter_deliveries_contacts_contact_id",
                        column: x => x.contact_id,
                        principalTable: "contacts",
                        principalColumn: "id",
                        onDelete: ReferentialAction.Cascade);
                    table.ForeignKey(
                        name: "fk_newsletter_deliveries_newsletter_issues_issue_id",
                        column: x => x.issue_id,
                        principalTable: "newsletter_issues",
                        principalColumn: "id",
                        onDelete: ReferentialAction.Cascade);
                    table.ForeignKey(
                        name: "fk_newsletter_deliveries_outbox_outbox_message_id",
                        column: x => x.outbox_message_id,
                        principalTable: "outbox",
                        principalColumn: "id",
                        onDelete: ReferentialAction.Cascade);
                });

            migrationBuilder.CreateIndex(
                name: "ix_newsletter_consents_contact_id_id",
                table: "newsletter_consents",
                columns: new[] { "contact_id", "id" });

            migrationBuilder.CreateIndex(
                name: "ix_newsletter_deliveries_contact_id",
                table: "newsletter_deliveries",
                column: "contact_id");

            migrationBuilder.CreateIndex(
                name: "ix_newsletter_deliveries_issue_id_contact_id",
                table: "newsletter_deliveries",
                columns: new[] { "issue_id", "contact_id" },
                unique: true);

            migrationBuilder.CreateIndex(
                name: "ix_newsletter_deliveries_outbox_message_id",
                table: "newsletter_deliveries",
                column: "outbox_message_id");

            migrationBuilder.CreateIndex(
                name: "ix_newsletter_deliveries_token",
                table: "newsletter_deliveries",
                column: "token",
                unique: true);

            migrationBuilder.CreateIndex(
                name: "ix_newsletter_issues_scheduled_at",
                table: "newsletter_issues",
                column: "scheduled_at");
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.DropTable(
                name: "newsletter_consents");

            migrationBuilder.DropTable(
                name: "newsletter_deliveries");

            migrationBuilder.DropTable(
                name: "newsletter_issues");
        }
    }
}
