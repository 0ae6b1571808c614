using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace Renewals.Data.Migrations.Sqlite
{
    /// <inheritdoc />
    public partial class SentMessageCopies : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.CreateTable(
                name: "sent_message_copies",
                columns: table => new
                {
                    outbox_id = table.Column<long>(type: "INTEGER", nullable: false),
                    subject = table.Column<string>(type: "TEXT", nullable: false),
                    text_body = table.Column<byte[]>(type: "BLOB", nullable: false),
                    html_body = table.Column<byte[]>(type: "BLOB", nullable: false),
                    attachments = table.Column<string>(type: "TEXT", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("pk_sent_message_copies", x => x.outbox_id);
                    table.ForeignKey(
                        name: "fk_sent_message_copies_outbox_outbox_id",
                        column: x => x.outbox_id,
                        principalTable: "outbox",
                        principalColumn: "id",
                        onDelete: ReferentialAction.Cascade);
                });
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.DropTable(
                name: "sent_message_copies");
        }
    }
}
