using Microsoft.EntityFrameworkCore.Migrations;
using NodaTime;
using Npgsql.EntityFrameworkCore.PostgreSQL.Metadata;

#nullable disable

namespace Renewals.Data.Migrations.Postgres
{
    /// <inheritdoc />
    public partial class Conference : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.CreateTable(
                name: "conference_events",
                columns: table => new
                {
                    id = table.Column<long>(type: "bigint", nullable: false)
                        .Annotation("Npgsql:ValueGenerationStrategy", NpgsqlValueGenerationStrategy.IdentityByDefaultColumn),
                    name = table.Column<string>(type: "character varying(200)", maxLength: 200, nullable: false),
                    city = table.Column<string>(type: "character varying(100)", maxLength: 100, nullable: false),
                    venue_name = table.Column<string>(type: "character varying(200)", maxLength: 200, nullable: false),
                    venue_address = table.Column<string>(type: "character varying(500)", maxLength: 500, nullable: false),
                    time_zone_id = table.Column<string>(type: "character varying(64)", maxLength: 64, nullable: false),
                    starts_on = table.Column<LocalDate>(type: "date", nullable: false),
                    ends_on = table.Column<LocalDate>(type: "date", nullable: false),
                    created_at = table.Column<Instant>(type: "timestamp with time zone", nullable: false),
                    updated_at = table.Column<Instant>(type: "timestamp with time zone", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("pk_conference_events", x => x.id);
                });

            migrationBuilder.CreateTable(
                name: "conference_invitations",
                columns: table => new
                {
                    id = table.Column<long>(type: "bigint", nullable: false)
                        .Annotation("Npgsql:ValueGenerationStrategy", NpgsqlValueGenerationStrategy.IdentityByDefaultColumn),
                    event_id = table.Column<long>(type: "bigint", nullable: false),
                    account_id = table.Column<long>(type: "bigint", nullable: false),
                    contact_id = table.Column<long>(type: "bigint", nullable: false),
                    language = table.Column<string>(type: "character varying(2)", maxLength: 2, nullable: false),
                    sent_at = table.Column<Instant>(type: "timestamp with time zone", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("pk_conference_invitations", x => x.id);
                    table.ForeignKey(
                        name: "fk_conference_invitations_accounts_account_id",
                        column: x => x.account_id,
                        principalTable: "accounts",
                        principalColumn: "id",
                        onDelete: ReferentialAction.Cascade);
                    table.ForeignKey(
                        name: "fk_conference_invitations_conference_events_event_id",
                        column: x => x.event_id,
                        principalTable: "conference_events",
                        principalColumn: "id",
                        onDelete: ReferentialAction.Cascade);
                    table.ForeignKey(
                        name: "fk_conference_invitations_contacts_contact_id",
                        column: x => x.contact_id,
                        principalTable: "contacts",
                        principalColumn: "id",
                        onDelete: ReferentialAction.Cascade);
                });

            migrationBuilder.CreateTable(
                name: "conference_slots",
                columns: table => new
                {
                    id = table.Column<long>(type: "bigint", nullable: false)
                        .Annotation("Npgsql:ValueGenerationStrategy", NpgsqlValueGenerationStrategy.IdentityByDefaultColumn),
                    event_id = table.Column<long>(type: "bigint", nullable: false),
                    advisor_id = table.Column<long>(type: "bigint", nullable: false),
                    start = table.Column<LocalDateTime>(type: "timestamp without time zone", nullable: false),
                    duration_minutes = table.Column<int>(type: "integer", nullable: false),
                    created_at = table.Column<Instant>(type: "timestamp with time zone", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("pk_conference_slots", x => x.id);
                    table.ForeignKey(
                        name: "fk_conference_slots_advisors_advisor_id",
                        column: x => x.advisor_id,
                        principalTable: "advisors",
                        principalColumn: "id",
                        onDelete: ReferentialAction.Cascade);
                    table.ForeignKey(
                        name: "fk_conference_slots_conference_events_event_id",
                        column: x => x.event_id,
                        principalTable: "conference_events",
                        principalColumn: "id",
                        onDelete: ReferentialAction.Cascade);
                });

            migrationBuilder.CreateTable(
                name: "conference_meetings",
                columns: table => new
                {
                    id = table.Column<long>(type: "bigint", nullable: false)
                        .Annotation("Npgsql:ValueGenerationStrategy", NpgsqlValueGenerationStrategy.IdentityByDefaultColumn),
                    event_id = table.Column<long>(type: "bigint", nullable: false),
                    slot_id = table.Column<long>(type: "bigint", nullable: false),
                    held_slot_id = table.Column<long>(type: "bigint", nullable: true),
                    advisor_id = table.Column<long>(type: "bigint", nullable: false),
                    account_id = table.Column<long>(type: "bigint", nullable: false),
                    contact_id = table.Column<long>(type: "bigint", nullable: false),
                    status = table.Column<int>(type: "integer", nullable: false),
                    uid = table.Column<string>(type: "character varying(100)", maxLength: 100, nullable: false),
                    requested_at = table.Column<Instant>(type: "timestamp with time zone", nullable: false),
                    answered_at = table.Column<Instant>(type: "timestamp with time zone", nullable: true)
                },
                constraints: table =>
                {
                    table.PrimaryKey("pk_conference_meetings", x => x.id);
                    table.ForeignKey(
                        name: "fk_conference_meetings_accounts_account_id",
                        column: x => x.account_id,
                        principalTable: "accounts",
                        principalColumn: "id",
                        onDelete: ReferentialAction.Cascade);
                    table.ForeignKey(
                        name: "fk_conference_meetings_advisors_advisor_id",
                        column: x => x.advisor_id,
                        principalTable: "advisors",
                        principalColumn: "id",
                        onDelete: ReferentialAction.Cascade);
                    table.ForeignKey(
                        name: "fk_conference_meetings_conference_events_event_id",
                        column: x => x.event_id,
                        principalTable: "conference_events",
                        principalColumn: "id",
                        onDelete: ReferentialAction.Cascade);
                    table.ForeignKey(
                        name: "fk_conference_meetings_conference_slots_held_slot_id",
                        column: x => x.held_slot_id,
                        principalTable: "conference_slots",
                        principalColumn: "id");
                    table.ForeignKey(
                        name: "fk_conference_meetings_conference_slots_slot_id",
                        column: x => x.slot_id,
                        principalTable: "conference_slots",
                        principalColumn: "id",
                        onDelete: ReferentialAction.Cascade);
                    table.ForeignKey(
                        name: "fk_conference_meetings_contacts_contact_id",
                        column: x => x.contact_id,
                        principalTable: "contacts",
                        principalColumn: "id",
                        onDelete: ReferentialAction.Cascade);
                });

            migrationBuilder.CreateIndex(
                name: "ix_conference_events_starts_on",
                table: "conference_events",
                column: "starts_on");

            migrationBuilder.CreateIndex(
                name: "ix_conference_invitations_account_id",
                table: "conference_invitations",
                column: "account_id");

            migrationBuilder.CreateIndex(
                name: "ix_conference_invitations_contact_id",
                table: "conference_invitations",
                column: "contact_id");

            migrationBuilder.CreateIndex(
                name: "ix_conference_invitations_event_id_account_id",
                table: "conference_invitations",
                columns: new[] { "event_id", "account_id" });

            migrationBuilder.CreateIndex(
                name: "ix_conference_invitations_event_id_contact_id",
                table: "conference_invitations",
                columns: new[] { "event_id", "contact_id" },
                unique: true);

            migrationBuilder.CreateIndex(
                name: "ix_conference_meetings_account_id",
                table: "conference_meetings",
                column: "account_id");

            migrationBuilder.CreateIndex(
                name: "ix_conference_meetings_advisor_id",
                table: "conference_meetings",
                column: "advisor_id");

            migrationBuilder.CreateIndex(
                name: "ix_conference_meetings_contact_id",
                table: "conference_meetings",
                column: "contact_id");

            migrationBuilder.CreateIndex(
                name: "ix_conference_meetings_event_id_account_id",
                table: "conference_meetings",
                columns: new[] { "event_id", "account_id" });

            migrationBuilder.CreateIndex(
                name: "ix_conference_meetings_event_id_advisor_id",
                table: "conference_meetings",
                columns: new[] { "event_id", "advisor_id" });

            migrationBuilder.CreateIndex(
                name: "ix_conference_meetings_held_slot_id",
                table: "conference_meetings",
                column: "held_slot_id",
                unique: true);

            migrationBuilder.CreateIndex(
                name: "ix_conference_meetings_slot_id",
                table: "conference_meetings",
                column: "slot_id");

            migrationBuilder.CreateIndex(
                name: "ix_conference_meetings_uid",
                table: "conference_meetings",
                column: "uid",
                unique: true);

            migrationBuilder.CreateIndex(
                name: "ix_conference_slots_advisor_id",
                table: "conference_slots",
                column: "advisor_id");

            migrationBuilder.CreateIndex(
                name: "ix_conference_slots_event_id_advisor_id_start",
                table: "conference_slots",
                columns: new[] { "event_id", "advisor_id", "start" },
                unique: true);
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.DropTable(
                name: "conference_invitations");

            migrationBuilder.DropTable(
                name: "conference_meetings");

            migrationBuilder.DropTable(
                name: "conference_slots");

            migrationBuilder.DropTable(
                name: "conference_events");
        }
    }
}
