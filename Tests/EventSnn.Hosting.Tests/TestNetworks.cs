using System.Net;
using EventSnn.Datasets.Streams;
using EventSnn.EventQueue;
using EventSnn.Events;
using EventSnn.Simulator.Engines;
using EventSnn.Simulator.Monitors;
using EventSnn.Simulator.Network;
using EventSnn.Simulator.State;
using EventSnn.Simulator.Models;

namespace EventSnn.Hosting.Tests;

/// <summary>Networks, sources and engines for the hosting tests.</summary>
internal static class TestNetworks
{
    /// <summary>A 2×16×16 DVS input fanned out to 40 LIF neurons (three coincident inputs make a spike).</summary>
    public static NetworkSpec Small() => new NetworkBuilder()
        .AddExternalInput("dvs", new PopulationShape(2, 16, 16))
        .AddNeurons("out", 40, NeuronModel.Lif, p => p.Set("tau_m", 20))
        .Connect("dvs", "out", ConnectivitySpec.FixedProbability(0.2, seed: 3), c => c.Weight(6).DelayUniform(SimDuration.FromMicroseconds(100L), SimDuration.FromMicroseconds(900L), 4))
        .Build();

    public static DvsEvent[] MakeEvents(int n, int seed, long start = 1_000, int size = 16, int maxStep = 20)
    {
        var rng = new Random(seed);
        var events = new DvsEvent[n];
        long t = start;
        for (int i = 0; i < n; i++)
        {
            t += rng.Next(0, maxStep + 1);
            events[i] = new DvsEvent(t, (ushort)rng.Next(size), (ushort)rng.Next(size), (byte)rng.Next(2));
        }

        return events;
    }

    /// <summary>A finite source over a fixed event list, batchSize events per read; optional hook before each read.</summary>
    public sealed class ListSource(string name, IReadOnlyList<DvsEvent> events, int batchSize, Action<int>? beforeRead = null) : IEventSource
    {
        public string Name => name;

        public bool IsLive => false;

        public EndPoint? LocalEndPoint => null;

        public IEventReader Open(CancellationToken cancellationToken) => new Reader(events, batchSize, beforeRead);

        public void Dispose()
        {
        }

        private sealed class Reader(IReadOnlyList<DvsEvent> events, int batchSize, Action<int>? beforeRead) : IEventReader
        {
            private int _position;
            private int _reads;

            public EventStreamInfo Info { get; } = new(EventFormat.Unknown, new SensorSize(16, 16), "test", null, "list");

            public ReaderDiagnostics Diagnostics { get; } = new();

            public int ReadBatch(EventBatch batch)
            {
                beforeRead?.Invoke(_reads++);
                int n = 0;
                while (n < batchSize && !batch.IsFull && _position < events.Count)
                {
                    batch.Add(events[_position++]);
                    n++;
                }

                return n;
            }

            public void Dispose()
            {
            }
        }
    }

    /// <summary>An engine decorator: records injected event times and can hold the consumer inside RunUntil.</summary>
    public sealed class GatedEngine(ISimulationEngine inner) : ISimulationEngine
    {
        public ManualResetEventSlim Gate { get; } = new(true);

        public ManualResetEventSlim Entered { get; } = new(false);

        public List<long> Injected { get; } = [];

        public NetworkSpec Network => inner.Network;

        public long SpikeCount => inner.SpikeCount;

        public SimTime Now => inner.Now;

        public void RunUntil(SimTime until)
        {
            Entered.Set();
            Assert.True(Gate.Wait(TimeSpan.FromSeconds(20)), "the gate was never opened");
            inner.RunUntil(until);
        }

        public SimTime Step() => inner.Step();

        public void InjectEvent(SimTime time, int population, int neuron)
        {
            lock (Injected)
            {
                Injected.Add(time.Ticks);
            }

            inner.InjectEvent(time, population, neuron);
        }

        public void AddSpikeMonitor(ISpikeMonitor monitor) => inner.AddSpikeMonitor(monitor);

        public void AddStateSampler(IStateSampler sampler, SimDuration interval) => inner.AddStateSampler(sampler, interval);

        public NeuronPopulationState? GetPopulationState(int population) => inner.GetPopulationState(population);

        public Simulator.Connectivity.SynapseTable GetSynapses(int projection) => inner.GetSynapses(projection);

        public void Save(Stream stream) => inner.Save(stream);

        public void Restore(Stream stream) => inner.Restore(stream);

        public double ReadState(int population, int neuron, int variable) => inner.ReadState(population, neuron, variable);
    }
}
