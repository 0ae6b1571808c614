using Microsoft.EntityFrameworkCore.Migrations;
using NodaTime;
using Npgsql.EntityFrameworkCore.PostgreSQL.Metadata;

#nullable disable

namespace Renewals.Data.Migrations.Postgres
{
    /// <inheritdoc />
    public partial class AdoptionReviews : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.CreateTable(
                name: "adoption_reviews",
                columns: table => new
                {
                    id = table.Column<long>(type: "bigint", nullable: false)
                        .Annotation("Npgsql:ValueGenerationStrategy", NpgsqlValueGenerationStrategy.IdentityByDefaultColumn),
                    meeting_id = table.Column<long>(type: "bigint", nullable: false),
                    account_id = table.Column<long>(type: "bigint", nullable: false),
                    held = table.Column<bool>(type: "boolean", nullable: false),
                    recorded_at = table.Column<Instant>(type: "timestamp with time zone", nullable: false),
                    recorded_by = table.Column<string>(type: "character varying(100)", maxLength: 100, nullable: false),
                    tools_used = table.Column<string>(type: "character varying(2000)", maxLength: 2000, nullable: true),
                    resources_known = table.Column<string>(type: "character varying(2000)", maxLength: 2000, nullable: true),
                    next_steps = table.Column<string>(type: "character varying(2000)", maxLength: 2000, nullable: true)
                },
                constraints: table =>
                {
                    table.PrimaryKey("pk_adoption_reviews", x => x.id);
                    table.ForeignKey(
                        name: "fk_adoption_reviews_accounts_account_id",
                        column: x => x.account_id,
                        principalTable: "accounts",
                        principalColumn: "id",
                        onDelete: ReferentialAction.Cascade);
                    table.ForeignKey(
                        name: "fk_adoption_reviews_review_meetings_meeting_id",
                        column: x => x.meeting_id,
                        principalTable: "review_meetings",
                        principalColumn: "id",
                        onDelete: ReferentialAction.Cascade);
                });

            migrationBuilder.CreateTable(
                name: "adoption_review_topics",
                columns: table => new
                {
                    id = table.Column<long>(type: "bigint", nullable: false)
                        .Annotation("Npgsql:ValueGenerationStrategy", NpgsqlValueGenerationStrategy.IdentityByDefaultColumn),
                    adoption_review_id = table.Column<long>(type: "bigint", nullable: false),
                    product_id = table.Column<long>(type: "bigint", nullable: true),
                    product_family_id = table.Column<long>(type: "bigint", nullable: true)
                },
                constraints: table =>
                {
                    table.PrimaryKey("pk_adoption_review_topics", x => x.id);
                    table.ForeignKey(
                        name: "fk_adoption_review_topics_adoption_reviews_adoption_review_id",
                        column: x => x.adoption_review_id,
                        principalTable: "adoption_reviews",
                        principalColumn: "id",
                        onDelete: ReferentialAction.Cascade);
                    table.ForeignKey(
                        name: "fk_adoption_review_topics_product_families_product_family_id",
                        column: x => x.product_family_id,
                        principalTable: "product_families",
                        principalColumn: "id");
                    table.ForeignKey(
                        name: "fk_adoption_review_topics_products_product_id",
                        column: x => x.product_id,
                        principalTable: "products",
                        principalColumn: "id");
                });

            migrationBuilder.CreateIndex(
                name: "ix_adoption_review_topics_adoption_review_id",
                table: "adoption_review_topics",
                column: "adoption_review_id");

            migrationBuilder.CreateIndex(
                name: "ix_adoption_review_topics_product_family_id",
                table: "adoption_review_topics",
                column: "product_family_id");

            migrationBuilder.CreateIndex(
                name: "ix_adoption_review_topics_product_id",
                table: "adoption_review_topics",
                column: "product_id");

            migrationBuilder.CreateIndex(
                name: "ix_adoption_reviews_account_id",
                table: "adoption_reviews",
                column: "account_id");

            migrationBuilder.CreateIndex(
                name: "ix_adoption_reviews_meeting_id",
                table: "adoption_reviews",
                column: "meeting_id",
                unique: true);
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.DropTable(
                name: "adoption_review_topics");

            migrationBuilder.DropTable(
                name: "adoption_reviews");
        }
    }
}
