using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace Store.Items.Data.Migrations
{
    /// <inheritdoc />
    public partial class HotStockUpdates : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.DropIndex(
                name: "ix_items_stock",
                table: "items");

            migrationBuilder.AlterTable(
                name: "items")
                .Annotation("Npgsql:StorageParameter:fillfactor", 80);
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.AlterTable(
                name: "items")
                .OldAnnotation("Npgsql:StorageParameter:fillfactor", 80);

            migrationBuilder.CreateIndex(
                name: "ix_items_stock",
                table: "items",
                column: "stock");
        }
    }
}
