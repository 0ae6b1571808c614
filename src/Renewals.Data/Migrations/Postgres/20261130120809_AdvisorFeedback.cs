using Microsoft.EntityFrameworkCore.Migrations;
using NodaTime;
using Npgsql.EntityFrameworkCore.PostgreSQL.Metadata;

#nullable disable

namespace Renewals.Data.Migrations.Postgres
{
    /// <inheritdoc />
    public partial class AdvisorFeedback : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.CreateTable(
                name: "feedback_surveys",
                columns: table => new
                {
                    id = table.Column<long>(type: "bigint", nullable: false)
                        .Annotation("Npgsql:ValueGenerationStrategy", NpgsqlValueGenerationStrategy.IdentityByDefaultColumn),
                    interaction = table.Column<string>(type: "character varying(16)", maxLength: 16, nullable: false),
                    review_meeting_id = table.Column<long>(type: "bigint", nullable: true),
                    advisor_task_id = table.Column<long>(type: "bigint", nullable: true),
                    advisor_id = table.Column<long>(type: "bigint", nullable: false),
                    account_id = table.Column<long>(type: "bigint", nullable: false),
                    contact_id = table.Column<long>(type: "bigint", nullable: false),
                    token_hash = table.Column<string>(type: "character varying(64)", maxLength: 64, nullable: false),
                    language = table.Column<string>(type: "character varying(2)", maxLength: 2, nullable: false),
                    sent_at = table.Column<Instant>(type: "timestamp with time zone", nullable: false),
                    expires_at = table.Column<Instant>(type: "timestamp with time zone", nullable: false),
                    answered_at = table.Column<Instant>(type: "timestamp with time zone", nullable: true)
                },
                constraints: table =>
                {
                    table.PrimaryKey("pk_feedback_surveys", x => x.id);
                    table.ForeignKey(
                        name: "fk_feedback_surveys_accounts_account_id",
                        column: x => x.account_id,
                        principalTable: "accounts",
                        principalColumn: "id",
                        onDelete: ReferentialAction.Cascade);
                    table.ForeignKey(
                        name: "fk_feedback_surveys_advisor_tasks_advisor_task_id",
                        column: x => x.advisor_task_id,
                        principalTable: "advisor_tasks",
                        principalColumn: "id");
                    table.ForeignKey(
                        name: "fk_feedback_surveys_advisors_advisor_id",
                        column: x => x.advisor_id,
                        principalTable: "advisors",
                        principalColumn: "id",
                        onDelete: ReferentialAction.Cascade);
                    table.ForeignKey(
                        name: "fk_feedback_surveys_contacts_contact_id",
                        column: x => x.contact_id,
                        principalTable: "contacts",
                        principalColumn: "id",
                        onDelete: ReferentialAction.Cascade);
                    table.ForeignKey(
                        name: "fk_feedback_surveys_review_meetings_review_meeting_id",
                        column: x => x.review_meeting_id,
                        principalTable: "review_meetings",
                        principalColumn: "id");
                });

            migrationBuilder.CreateTable(
                name: "advisor_feedback",
                columns: table => new
                {
                    id = table.Column<long>(type: "bigint", nullable: false)
                        .Annotation("Npgsql:ValueGenerationStrategy", NpgsqlValueGenerationStrategy.IdentityByDefaultColumn),
                    survey_id = table.Column<long>(type: "bigint", nullable: true),
                    advisor_id = table.Column<long>(type: "bigint", nullable: false),
                    account_id = table.Column<long>(type: "bigint", nullable: false),
                    contact_id = table.Column<long>(type: "bigint", nullable: true),
                    source = table.Column<string>(type: "character varying(16)", maxLength: 16, nullable: false),
                    useful = table.Column<bool>(type: "boolean", nullable: false),
                    rating = table.Column<int>(type: "integer", nullable: false),
                    comment = table.Column<string>(type: "character varying(1000)", maxLength: 1000, nullable: true),
                    given_at = table.Column<Instant>(type: "timestamp with time zone", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("pk_advisor_feedback", x => x.id);
                    table.ForeignKey(
                        name: "fk_advisor_feedback_accounts_account_id",
                        column: x => x.account_id,
                        principalTable: "accounts",
                        principalColumn: "id",
                        onDelete: ReferentialAction.Cascade);
                    table.ForeignKey(
                        name: "fk_advisor_feedback_advisors_advisor_id",
                        column: x => x.advisor_id,
                        principalTable: "advisors",
                        principalColumn: "id",
                        onDelete: ReferentialAction.Cascade);
                    table.ForeignKey(
                        name: "fk_advisor_feedback_contacts_contact_id",
                        column: x => x.contact_id,
                        principalTable: "contacts",
                        principalColumn: "id");
                    table.ForeignKey(
                        name: "fk_advisor_feedback_feedback_surveys_survey_id",
                        column: x => x.survey_id,
                        principalTable: "feedback_surveys",
                        principalColumn: "id");
                });

            migrationBuilder.CreateIndex(
                name: "ix_advisor_feedback_account_id_given_at",
                table: "advisor_feedback",
                columns: new[] { "account_id", "given_at" });

            migrationBuilder.CreateIndex(
                name: "ix_advisor_feedback_advisor_id_given_at",
                table: "advisor_feedback",
                columns: new[] { "advisor_id", "given_at" });

            migrationBuilder.CreateIndex(
                name: "ix_advisor_feedback_contact_id",
                table: "advisor_feedback",
                column: "contact_id");

            migrationBuilder.CreateIndex(
                name: "ix_advisor_feedback_survey_id",
                table: "advisor_feedback",
                column: "survey_id",
                unique: true);

            migrationBuilder.CreateIndex(
                name: "ix_feedback_surveys_account_id",
                table: "feedback_surveys",
                column: "account_id");

            migrationBuilder.CreateIndex(
                name: "ix_feedback_surveys_advisor_id_sent_at",
                table: "feedback_surveys",
                columns: new[] { "advisor_id", "sent_at" });

            migrationBuilder.CreateIndex(
                name: "ix_feedback_surveys_advisor_task_id",
                table: "feedback_surveys",
                column: "advisor_task_id",
                unique: true);

            migrationBuilder.CreateIndex(
                name: "ix_feedback_surveys_contact_id",
                table: "feedback_surveys",
                column: "contact_id");

            migrationBuilder.CreateIndex(
                name: "ix_feedback_surveys_review_meeting_id",
                table: "feedback_surveys",
                column: "review_meeting_id",
                unique: true);

            migrationBuilder.CreateIndex(
                name: "ix_feedback_surveys_token_hash",
                table: "feedback_surveys",
                column: "token_hash",
                unique: true);
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.DropTable(
                name: "advisor_feedback");

            migrationBuilder.DropTable(
                name: "feedback_surveys");
        }
    }
}
