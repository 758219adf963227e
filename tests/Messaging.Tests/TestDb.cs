using Microsoft.EntityFrameworkCore;
using Store.Contracts;
using Store.Testing;

namespace Store.Messaging.Tests;

/// <summary>A service's database in miniature: one table of its own, the outbox and the inbox.</summary>
public sealed class TestDb(DbContextOptions<TestDb> options) : DbContext(options)
{
    public DbSet<Note> Notes => Set<Note>();

    /// <summary>What the test consumer writes, once per message it handles.</summary>
    public DbSet<NoteCopy> Copies => Set<NoteCopy>();

    protected override void OnModelCreating(ModelBuilder modelBuilder)
    {
        // One copy per event; a note id below 1 breaks the check, which is how a test makes a poison message.
        modelBuilder.Entity<NoteCopy>(copy =>
        {
            copy.HasIndex(c => c.EventId).IsUnique();
            copy.ToTable(table => table.HasCheckConstraint("ck_copies_note_id_positive", "note_id > 0"));
        });
        modelBuilder.AddOutbox();
    }
}

public sealed class Note
{
    public int Id { get; set; }
    public required string Key { get; set; }
    public int Sequence { get; set; }
}

public sealed class NoteCopy
{
    public int Id { get; set; }
    public Guid EventId { get; set; }
    public int NoteId { get; set; }
}

/// <summary>The event the test service publishes: note <see cref="Sequence"/> of stream <see cref="Key"/> was written.</summary>
public sealed record NoteWritten(int NoteId, string Key, int Sequence) : IntegrationEvent
{
    public static NoteWritten For(Note note, string? correlationId = null) =>
        new NoteWritten(note.Id, note.Key, note.Sequence).Sent(7, "tester", correlationId);
}
