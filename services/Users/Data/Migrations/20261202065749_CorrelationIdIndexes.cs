using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace Store.Users.Data.Migrations
{
    /// <inheritdoc />
    public partial class CorrelationIdIndexes : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.CreateIndex(
                name: "ix_outbox_messages_correlation_id",
                table: "outbox_messages",
                column: "correlation_id");
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.DropIndex(
                name: "ix_outbox_messages_correlation_id",
                table: "outbox_messages");
        }
    }
}
