using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace Renewals.Data.Migrations.Sqlite
{
    /// <inheritdoc />
    public partial class EngineWrites : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {

        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {

        }
    }
}
