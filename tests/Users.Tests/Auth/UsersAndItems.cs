using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.Extensions.DependencyInjection;
using Store.Items.Data;
using Store.Testing;

namespace Store.Users.Tests.Auth;

/// <summary>
/// The users service listening on a real port, and the items service configured with nothing but
/// its JWKS URL (not the test keys): items learns the users service's keys over HTTP, as it does
/// when deployed.
/// </summary>
public sealed class UsersAndItems : IAsyncLifetime
{
    public UsersAndItems()
    {
        Users = new UsersOnKestrel();
        Items = new ItemsTrustingUsers(() => new Uri(Users.BaseAddress, "/.well-known/jwks.json").ToString());
    }

    public UsersOnKestrel Users { get; }
    public ItemsTrustingUsers Items { get; }

    public async Task InitializeAsync()
    {
        await Users.InitializeAsync();
        Users.StartServer();
        await Items.InitializeAsync();
    }

    public async Task DisposeAsync()
    {
        await ((IAsyncLifetime)Items).DisposeAsync();
        await ((IAsyncLifetime)Users).DisposeAsync();
    }

    public sealed class UsersOnKestrel : UsersApi
    {
        public UsersOnKestrel() => UseKestrel(0);   // any free port

        public Uri BaseAddress => new(Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First());
    }

    public sealed class ItemsTrustingUsers(Func<string> jwksUrl) : ServiceFactory<ItemsDb>("items")
    {
        protected override void ConfigureWebHost(IWebHostBuilder builder)
        {
            base.ConfigureWebHost(builder);
            builder.UseSetting("Auth:Jwks", "");
            builder.UseSetting("Auth:JwksUrl", jwksUrl());
        }
    }
}
