using System.Globalization;
using System.Text.RegularExpressions;

namespace Store.Security.Tests;

/// <summary>What an input must get: a 4xx problem, a 2xx, or either (the contract does not say, but never a 5xx).</summary>
public enum Outcome { Rejected, Accepted, Either }

/// <summary>A JSON value as sent (<see cref="Json"/>, raw text) and, for a string, the text it stands for (null when it is not valid Unicode).</summary>
public sealed record Value(string Name, string Json, ValueKind Kind, string? Text = null);

public enum ValueKind { Text, Number, Flag, Null, Other }

/// <summary>The odd values every field of every body gets, and the rules that say which a field takes.</summary>
public static class InputCatalog
{
    public static readonly string[] SqlLooking = ["' OR 1=1 --", "\"; DROP TABLE items; --", "%", "_", "\\", "%_\\%'", "Robert'); DROP TABLE users;--", "1; SELECT pg_sleep(5)"];

    /// <summary>Strings that are legal text, however odd: they must round-trip unchanged where a field takes them.</summary>
    public static readonly (string Name, string Text)[] OddText =
    [
        ("RTL override", "abc\u202edef"),
        ("zero-width", "a\u200bb\ufeffc"),
        ("4-byte emoji", "lamp \U0001F600 \U0001F9E8"),
        ("combining marks", "e\u0301\u0301\u0301"),
        ("control characters", "a\u0001\u001fb"),
        ("header injection", "Lamp\r\nBcc: victim@example.com"),
        ("e-mail with a stray bracket", "p1@example.com>"),
        ("markup", "<script>alert(1)</script>"),
        ("digits", "12"),
    ];

    public static IEnumerable<Value> BodyValues()
    {
        foreach (var sql in SqlLooking)
            yield return Str($"SQL {sql}", sql);
        foreach (var (name, text) in OddText)
            yield return Str(name, text);
        yield return new Value("NUL inside", "\"a\\u0000b\"", ValueKind.Text, "a\0b");
        yield return new Value("NUL only", "\"\\u0000\"", ValueKind.Text, "\0");
        yield return new Value("lone high surrogate", "\"a\\ud800b\"", ValueKind.Text);
        yield return new Value("lone low surrogate", "\"\\udc00\"", ValueKind.Text);
        yield return new Value("reversed surrogate pair", "\"\\ude00\\ud83d\"", ValueKind.Text);
        yield return Str("escaped emoji", "\U0001F600");
        yield return Str("empty", "");
        yield return Str("blank", "   ");
        yield return Str("31 characters", new string('t', 31));
        yield return Str("101 characters", new string('n', 101));
        yield return Str("10000 characters", new string('x', 10_000));
        foreach (var number in new[]
                 {
                     "0", "-1", "1.5", "0.001", "2147483648", "9223372036854775808", "-9223372036854775809", "1e400", "-1e400",
                     "0.1234567890123456789012345678901234567890", "1234567890123456789012345678901234567890.5", "1000000.01", "-0",
                 })
            yield return new Value($"number {number}", number, ValueKind.Number);
        yield return new Value("true", "true", ValueKind.Flag);
        yield return new Value("null", "null", ValueKind.Null);
        yield return new Value("empty array", "[]", ValueKind.Other);
        yield return new Value("array of null", "[null]", ValueKind.Other);
        yield return new Value("object", "{}", ValueKind.Other);
        yield return new Value("deeply nested", new string('[', 200) + new string(']', 200), ValueKind.Other);
        yield return new Value("NaN", "NaN", ValueKind.Other);
        yield return new Value("single quotes", "'x'", ValueKind.Other);
    }

    private static Value Str(string name, string text) => new(name, System.Text.Json.JsonSerializer.Serialize(text), ValueKind.Text, text);
}

/// <summary>What a field of a body takes.</summary>
public abstract record Field(string Name, string BaseJson, bool Required)
{
    public abstract Outcome Judge(Value value);

    /// <summary>What the body gets without this field (the others as they are).</summary>
    public virtual Outcome WhenLeftOut => Required ? Outcome.Rejected : Outcome.Accepted;

    protected static bool IsValidText(string? text) => text is not null && !text.Contains('\0', StringComparison.Ordinal);
}

/// <summary>
/// A string of <paramref name="Min"/>..<paramref name="Max"/> characters, optionally not blank,
/// matching a pattern, nullable, without control characters (<paramref name="SingleLine"/>: a name
/// that reaches an e-mail header).
/// </summary>
public sealed record TextField(string Name, string BaseJson, bool Required, int Min, int Max, bool NotBlank = false, bool Nullable = false, string? Pattern = null, bool SingleLine = false)
    : Field(Name, BaseJson, Required)
{
    public override Outcome Judge(Value value) => value.Kind switch
    {
        ValueKind.Null => Nullable ? Outcome.Accepted : Outcome.Rejected,
        ValueKind.Text when IsValidText(value.Text) && Takes(value.Text!) => Outcome.Accepted,
        _ => Outcome.Rejected,
    };

    public bool Takes(string text) =>
        text.Length >= Min && text.Length <= Max
        && (!NotBlank || !string.IsNullOrWhiteSpace(text))
        && (Pattern is null || Regex.IsMatch(text, Pattern))
        && (!SingleLine || !text.Any(char.IsControl));
}

/// <summary>
/// A field no value can make the request pass, because the rest of the body is wrong on purpose (a
/// wrong current password); left out, the body gets <paramref name="LeftOut"/>.
/// </summary>
public sealed record AlwaysRejectedField(string Name, string BaseJson, Outcome LeftOut) : Field(Name, BaseJson, Required: true)
{
    public override Outcome Judge(Value value) => Outcome.Rejected;

    public override Outcome WhenLeftOut => LeftOut;
}

/// <summary>A number in a range: an int (<paramref name="Places"/> 0) or money with at most 2 decimals.</summary>
public sealed record NumberField(string Name, string BaseJson, bool Required, decimal Min, decimal Max, bool MinExclusive = false, int Places = 0, bool Nullable = false)
    : Field(Name, BaseJson, Required)
{
    public override Outcome Judge(Value value)
    {
        if (value.Kind == ValueKind.Null)
            return Nullable ? Outcome.Accepted : Outcome.Rejected;
        if (value.Kind != ValueKind.Number)
            return Outcome.Rejected;
        if (Places == 0 && !Regex.IsMatch(value.Json, "^-?[0-9]+$"))
            return Outcome.Rejected;
        if (!decimal.TryParse(value.Json, NumberStyles.Float, CultureInfo.InvariantCulture, out var number))
            return Outcome.Rejected;
        if (Places == 0 && (number < int.MinValue || number > int.MaxValue))
            return Outcome.Rejected;
        var inRange = (MinExclusive ? number > Min : number >= Min) && number <= Max;
        return inRange && decimal.Round(number, Places) == number ? Outcome.Accepted : Outcome.Rejected;
    }
}

/// <summary>true or false, required.</summary>
public sealed record FlagField(string Name, string BaseJson) : Field(Name, BaseJson, Required: true)
{
    public override Outcome Judge(Value value) => value.Kind == ValueKind.Flag ? Outcome.Accepted : Outcome.Rejected;
}

/// <summary>A list of strings, each 1..30 characters; a string value is tried as the list's one entry.</summary>
public sealed record TagsField(string Name, string BaseJson) : Field(Name, BaseJson, Required: false)
{
    private static readonly TextField Tag = new("tag", "", false, 1, 30);

    public override Outcome Judge(Value value) => value.Kind switch
    {
        ValueKind.Null => Outcome.Accepted,
        ValueKind.Text => IsValidText(value.Text) && Tag.Takes(value.Text!) ? Outcome.Accepted : Outcome.Rejected,
        _ => value.Json == "[]" ? Outcome.Accepted : Outcome.Rejected,
    };

    /// <summary>A string value goes in as the list's one entry; anything else replaces the list.</summary>
    public static string Wrap(Value value) => value.Kind == ValueKind.Text ? $"[{value.Json}]" : value.Json;
}
