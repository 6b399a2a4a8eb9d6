using EventSnn.Datasets.Streams;

namespace EventSnn.Hosting;

/// <summary>
/// Creates an event source from an address. The default is <see cref="EventSources.Create(string, EventSourceOptions?)"/>;
/// register another in the services to add kinds of source (a camera driver, a test source).
/// </summary>
/// <param name="address">The address from <see cref="EventSnnOptions.Sources"/>.</param>
/// <param name="options">Limits derived from the options (frame size, timeouts, listener policy, sensor size).</param>
public delegate IEventSource EventSourceFactory(string address, EventSourceOptions options);
