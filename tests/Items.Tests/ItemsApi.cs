using System.Net.Http.Json;
using Store.Items.Catalog;
using Store.Items.Data;
using Store.ServiceDefaults;
using Store.Testing;

namespace Store.Items.Tests;

/// <summary>The items service on a database of its own, one per test class.</summary>
public sealed class ItemsApi() : ServiceFactory<ItemsDb>("items")
{
    public static readonly System.Text.Json.JsonSerializerOptions Json = CreateJson();

    /// <summary>Creates an item as admin and returns it.</summary>
    public async Task<ItemResponse> CreateItemAsync(object body)
    {
        using var admin = AsAdmin();
        using var response = await admin.PostAsJsonAsync("/api/items", body, Json);
        response.EnsureSuccessStatusCode();
        return (await response.Content.ReadFromJsonAsync<ItemResponse>(Json))!;
    }

    private static System.Text.Json.JsonSerializerOptions CreateJson()
    {
        var options = new System.Text.Json.JsonSerializerOptions(System.Text.Json.JsonSerializerDefaults.Web);
        ServiceDefaultsExtensions.ConfigureJson(options);
        return options;
    }
}
