using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace Renewals.Data.Migrations.Sqlite
{
    /// <inheritdoc />
    public partial class CustomerStory : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.DropIndex(
                name: "ix_purchase_orders_account_id",
                table: "purchase_orders");

            migrationBuilder.AddColumn<string>(
                name: "new_to_customer",
                table: "subscriptions",
                type: "TEXT",
                maxLength: 1000,
                nullable: true);

            migrationBuilder.AddColumn<string>(
                name: "currency",
                table: "products",
                type: "TEXT",
                maxLength: 3,
                nullable: true);

            migrationBuilder.AddColumn<decimal>(
                name: "yearly_unit_price",
                table: "products",
                type: "TEXT",
                precision: 18,
                scale: 2,
                nullable: true);

            migrationBuilder.AddColumn<long>(
                name: "credit_note_id",
                table: "outbox",
                type: "INTEGER",
                nullable: true);

            migrationBuilder.AlterColumn<long>(
                name: "milestone_id",
                table: "invoices",
                type: "INTEGER",
                nullable: true,
                oldClrType: typeof(long),
                oldType: "INTEGER");

            migrationBuilder.AddColumn<long>(
                name: "replaces_invoice_id",
                table: "invoices",
                type: "INTEGER",
                nullable: true);

            migrationBuilder.AddColumn<string>(
                name: "letter_file",
                table: "cancellation_notices",
                type: "TEXT",
                maxLength: 300,
                nullable: true);

            migrationBuilder.AddColumn<long>(
                name: "closed_at",
                table: "advisor_tasks",
                type: "INTEGER",
                nullable: true);

            migrationBuilder.AddColumn<string>(
                name: "details",
                table: "advisor_tasks",
                type: "TEXT",
                maxLength: 1000,
                nullable: true);

            migrationBuilder.AddColumn<string>(
                name: "outcome",
                table: "advisor_tasks",
                type: "TEXT",
                maxLength: 2000,
                nullable: true);

            migrationBuilder.AddColumn<string>(
                name: "billing_address",
                table: "accounts",
                type: "TEXT",
                maxLength: 500,
                nullable: true);

            migrationBuilder.AddColumn<string>(
                name: "vat_number",
                table: "accounts",
                type: "TEXT",
                maxLength: 32,
                nullable: true);

            migrationBuilder.CreateTable(
                name: "credit_note_sequences",
                columns: table => new
                {
                    year = table.Column<int>(type: "INTEGER", nullable: false),
                    last_number = table.Column<int>(type: "INTEGER", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("pk_credit_note_sequences", x => x.year);
                });

            migrationBuilder.CreateTable(
                name: "credit_notes",
                columns: table => new
                {
                    id = table.Column<long>(type: "INTEGER", nullable: false)
                        .Annotation("Sqlite:Autoincrement", true),
                    number = table.Column<string>(type: "TEXT", maxLength: 32, nullable: false),
                    account_id = table.Column<long>(type: "INTEGER", nullable: false),
                    subscription_id = table.Column<long>(type: "INTEGER", nullable: false),
                    invoice_id = table.Column<long>(type: "INTEGER", nullable: false),
                    issued_on = table.Column<string>(type: "TEXT", maxLength: 10, nullable: false),
                    currency = table.Column<string>(type: "TEXT", maxLength: 3, nullable: false),
                    net = table.Column<decimal>(type: "TEXT", precision: 18, scale: 2, nullable: false),
                    vat_rate = table.Column<decimal>(type: "TEXT", precision: 5, scale: 4, nullable: false),
                    total = table.Column<decimal>(type: "TEXT", precision: 18, scale: 2, nullable: false),
                    bill_to_contact_id = table.Column<long>(type: "INTEGER", nullable: false),
                    reason = table.Column<string>(type: "TEXT", maxLength: 300, nullable: false),
                    created_at = table.Column<long>(type: "INTEGER", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("pk_credit_notes", x => x.id);
                    table.ForeignKey(
                        name: "fk_credit_notes_accounts_account_id",
                        column: x => x.account_id,
                        principalTable: "accounts",
                        principalColumn: "id",
                        onDelete: ReferentialAction.Cascade);
                    table.ForeignKey(
                        name: "fk_credit_notes_contacts_bill_to_contact_id",
                        column: x => x.bill_to_contact_id,
                        principalTable: "contacts",
                        principalColumn: "id",
                        onDelete: ReferentialAction.Cascade);
                    table.ForeignKey(
                        name: "fk_credit_notes_invoices_invoice_id",
                        column: x => x.invoice_id,
                        principalTable: "invoices",
                        principalColumn: "id",
                        onDelete: ReferentialAction.Cascade);
                });

            migrationBuilder.CreateIndex(
                name: "ix_review_meetings_advisor_id",
                table: "review_meetings",
                column: "advisor_id");

            migrationBuilder.CreateIndex(
                name: "ix_review_meetings_advisor_task_id",
                table: "review_meetings",
                column: "advisor_task_id");

            migrationBuilder.CreateIndex(
                name: "ix_review_meetings_contact_id",
                table: "review_meetings",
                column: "contact_id");

            migrationBuilder.CreateIndex(
                name: "ix_purchase_orders_account_id_number",
                table: "purchase_orders",
                columns: new[] { "account_id", "number" },
                unique: true);

            migrationBuilder.CreateIndex(
                name: "ix_outbox_account_id",
                table: "outbox",
                column: "account_id");

            migrationBuilder.CreateIndex(
                name: "ix_outbox_meeting_id",
                table: "outbox",
                column: "meeting_id");

            migrationBuilder.CreateIndex(
                name: "ix_invoices_replaces_invoice_id",
                table: "invoices",
                column: "replaces_invoice_id");

            migrationBuilder.CreateIndex(
                name: "ix_credit_notes_account_id",
                table: "credit_notes",
                column: "account_id");

            migrationBuilder.CreateIndex(
                name: "ix_credit_notes_bill_to_contact_id",
                table: "credit_notes",
                column: "bill_to_contact_id");

            migrationBuilder.CreateIndex(
                name: "ix_credit_notes_invoice_id",
                table: "credit_notes",
                column: "invoice_id",
                unique: true);

            migrationBuilder.CreateIndex(
                name: "ix_credit_notes_number",
                table: "credit_notes",
                column: "number",
                unique: true);

            migrationBuilder.AddForeignKey(
                name: "fk_invoices_invoices_replaces_invoice_id",
                table: "invoices",
                column: "replaces_invoice_id",
                principalTable: "invoices",
                principalColumn: "id");

            migrationBuilder.AddForeignKey(
                name: "fk_review_meetings_accounts_account_id",
                table: "review_meetings",
                column: "account_id",
                principalTable: "accounts",
                principalColumn: "id",
                onDelete: ReferentialAction.Cascade);

            migrationBuilder.AddForeignKey(
                name: "fk_review_meetings_advisor_tasks_advisor_task_id",
                table: "review_meetings",
                column: "advisor_task_id",
                principalTable: "advisor_tasks",
                principalColumn: "id");

            migrationBuilder.AddForeignKey(
                name: "fk_review_meetings_advisors_advisor_id",
                table: "review_meetings",
                column: "advisor_id",
                principalTable: "advisors",
                principalColumn: "id",
                onDelete: ReferentialAction.Cascade);

            migrationBuilder.AddForeignKey(
                name: "fk_review_meetings_contacts_contact_id",
                table: "review_meetings",
                column: "contact_id",
                principalTable: "contacts",
                principalColumn: "id",
                onDelete: ReferentialAction.Cascade);
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.DropForeignKey(
                name: "fk_invoices_invoices_replaces_invoice_id",
                table: "invoices");

            migrationBuilder.DropForeignKey(
                name: "fk_review_meetings_accounts_account_id",
                table: "review_meetings");

            migrationBuilder.DropForeignKey(
                name: "fk_review_meetings_advisor_tasks_advisor_task_id",
                table: "review_meetings");

            migrationBuilder.DropForeignKey(
                name: "fk_review_meetings_advisors_advisor_id",
                table: "review_meetings");

            migrationBuilder.DropForeignKey(
                name: "fk_review_meetings_contacts_contact_id",
                table: "review_meetings");

            migrationBuilder.DropTable(
                name: "credit_note_sequences");

            migrationBuilder.DropTable(
                name: "credit_notes");

            migrationBuilder.DropIndex(
                name: "ix_review_meetings_advisor_id",
                table: "review_meetings");

            migrationBuilder.DropIndex(
                name: "ix_review_meetings_advisor_task_id",
                table: "review_meetings");

            migrationBuilder.DropIndex(
                name: "ix_review_meetings_contact_id",
                table: "review_meetings");

            migrationBuilder.DropIndex(
                name: "ix_purchase_orders_account_id_number",
                table: "purchase_orders");

            migrationBuilder.DropIndex(
                name: "ix_outbox_account_id",
                table: "outbox");

            migrationBuilder.DropIndex(
                name: "ix_outbox_meeting_id",
                table: "outbox");

            migrationBuilder.DropIndex(
                name: "ix_invoices_replaces_invoice_id",
                table: "invoices");

            migrationBuilder.DropColumn(
                name: "new_to_customer",
                table: "subscriptions");

            migrationBuilder.DropColumn(
                name: "currency",
                table: "products");

            migrationBuilder.DropColumn(
                name: "yearly_unit_price",
                table: "products");

            migrationBuilder.DropColumn(
                name: "credit_note_id",
                table: "outbox");

            migrationBuilder.DropColumn(
                name: "replaces_invoice_id",
                table: "invoices");

            migrationBuilder.DropColumn(
                name: "letter_file",
                table: "cancellation_notices");

            migrationBuilder.DropColumn(
                name: "closed_at",
                table: "advisor_tasks");

            migrationBuilder.DropColumn(
                name: "details",
                table: "advisor_tasks");

            migrationBuilder.DropColumn(
                name: "outcome",
                table: "advisor_tasks");

            migrationBuilder.DropColumn(
                name: "billing_address",
                table: "accounts");

            migrationBuilder.DropColumn(
                name: "vat_number",
                table: "accounts");

            migrationBuilder.AlterColumn<long>(
                name: "milestone_id",
                table: "invoices",
                type: "INTEGER",
                nullable: false,
                defaultValue: 0L,
                oldClrType: typeof(long),
                oldType: "INTEGER",
                oldNullable: true);

            migrationBuilder.CreateIndex(
                name: "ix_purchase_orders_account_id",
                table: "purchase_orders",
                column: "account_id");
        }
    }
}
