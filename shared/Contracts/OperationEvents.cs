namespace Store.Contracts;

/// <summary>An admin moved the messages of <c>Queue</c>'s _error queue back to it, to be consumed again.</summary>
public sealed record ErrorMessagesReplayed(string Queue, int Count) : IntegrationEvent;
