using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace Store.Items.Data.Migrations
{
    /// <inheritdoc />
    public partial class OutboxOneRelayAtATime : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.DropIndex(
                name: "ix_outbox_messages_unsent_by_key",
                table: "outbox_messages");
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.CreateIndex(
                name: "ix_outbox_messages_unsent_by_key",
                table: "outbox_messages",
                columns: new[] { "ordering_key", "id" },
                filter: "sent_at IS NULL");
        }
    }
}
