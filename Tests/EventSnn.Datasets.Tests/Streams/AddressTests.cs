using EventSnn.Datasets.Streams;
using EventSnn.Events;

namespace EventSnn.Datasets.Tests.Streams;

public sealed class AddressTests
{
    [Fact]
    public void Parses_each_kind_with_its_settings()
    {
        var tcp = EventSourceAddress.Parse("tcp://127.0.0.1:7777?format=evt3&width=640&height=480");
        Assert.Equal((EventSourceKind.TcpClient, "127.0.0.1", 7777, EventFormat.Evt3), (tcp.Kind, tcp.Host, tcp.Port, tcp.Format));
        Assert.Equal(new SensorSize(640, 480), tcp.Sensor);
        var v6 = EventSourceAddress.Parse("tcp-listen://[::1]:0");
        Assert.Equal((EventSourceKind.TcpListener, "::1", 0), (v6.Kind, v6.Host, v6.Port));
        Assert.Equal(EventSourceKind.Udp, EventSourceAddress.Parse("udp://localhost:9000").Kind);
        var file = EventSourceAddress.Parse("file:../data/x.aedat4?speed=2.5");
        Assert.Equal(("../data/x.aedat4", 2.5), (file.Path, file.Speed));
        Assert.Equal(EventSourceKind.Emulator, EventSourceAddress.Parse("emulator:?width=32&height=32").Kind);
    }

    [Theory]
    [InlineData("ftp://x:1", "unknown scheme")]
    [InlineData("tcp://127.0.0.1:99999", "port '99999'")]
    [InlineData("tcp://127.0.0.1", "HOST:PORT")]
    [InlineData("tcp://127.0.0.1:1?colour=red", "unknown setting 'colour'")]
    [InlineData("tcp://127.0.0.1:1?format=evt4", "format=evt4")]
    [InlineData("tcp://127.0.0.1:1?width=10", "width and height")]
    [InlineData("file:x.raw?speed=-1", "speed=-1")]
    [InlineData("", "empty")]
    public void Bad_addresses_are_refused_with_a_message_naming_the_problem(string text, string expected)
    {
        var ex = Assert.Throws<FormatException>(() => EventSourceAddress.Parse(text));
        Assert.Contains(expected, ex.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("tcp-listen://0.0.0.0:0")]
    [InlineData("udp://192.0.2.1:0")]
    public void Listeners_bind_loopback_unless_remote_listeners_are_allowed(string text)
    {
        var ex = Assert.Throws<ArgumentException>(() => EventSources.Create(text));
        Assert.Contains("listeners bind loopback", ex.Message, StringComparison.Ordinal);
        using IEventSource allowed = EventSources.Create(text, new EventSourceOptions { AllowRemoteListeners = true });
        Assert.True(allowed.IsLive);
    }
}
