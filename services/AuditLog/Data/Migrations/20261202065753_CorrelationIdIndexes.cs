using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace Store.AuditLog.Data.Migrations
{
    /// <inheritdoc />
    public partial class CorrelationIdIndexes : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.CreateIndex(
                name: "ix_audit_entries_correlation_id_occurred_at",
                table: "audit_entries",
                columns: new[] { "correlation_id", "occurred_at", "id" },
                descending: new[] { false, true, true });
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.DropIndex(
                name: "ix_audit_entries_correlation_id_occurred_at",
                table: "audit_entries");
        }
    }
}
