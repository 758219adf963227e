using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace Store.Notifications.Data.Migrations
{
    /// <inheritdoc />
    public partial class CorrelationIdIndexes : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.CreateIndex(
                name: "ix_notifications_correlation_id_id",
                table: "notifications",
                columns: new[] { "correlation_id", "id" },
                descending: new[] { false, true });
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.DropIndex(
                name: "ix_notifications_correlation_id_id",
                table: "notifications");
        }
    }
}
