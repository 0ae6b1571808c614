using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace Renewals.Data.Migrations.Postgres
{
    /// <inheritdoc />
    public partial class EngineWrites : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.AlterTable(
                name: "milestones")
                .Annotation("Npgsql:StorageParameter:autovacuum_vacuum_scale_factor", 0.0050000000000000001);
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.AlterTable(
                name: "milestones")
                .OldAnnotation("Npgsql:StorageParameter:autovacuum_vacuum_scale_factor", 0.0050000000000000001);
        }
    }
}
