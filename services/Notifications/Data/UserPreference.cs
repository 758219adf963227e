namespace Store.Notifications.Data;

/// <summary>A user's e-mail choice as the last UserSettingsChanged said (no row: notifications are on).</summary>
public sealed class UserPreference
{
    public int UserId { get; set; }
    public bool EmailNotifications { get; set; }

    /// <summary>When the choice was made (the event's occurred_at): an older event arriving late does not overwrite a newer one.</summary>
    public DateTimeOffset ChangedAt { get; set; }
}
