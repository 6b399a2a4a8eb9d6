using EventSnn.Devices;
using EventSnn.EventQueue;
using EventSnn.Simulator.Connectivity;
using EventSnn.Simulator.Engines.Clock;
using EventSnn.Simulator.Models;
using EventSnn.Simulator.Network;

namespace EventSnn.Simulator.Tests.Clock;

/// <summary>
/// Where a clock-driven population puts a delivery: step ⌈arrival / dt⌉, in ring slot (that step mod RingSlots), or
/// nowhere when that step lies beyond the ring. The slot is found without a 64-bit division, so this checks it against
/// the division for every offset around every step boundary, for steps and ring sizes of several magnitudes.
/// </summary>
public sealed class RingPlacementTests
{
    [Theory]
    [InlineData(1L, 2, 1)]
    [InlineData(3L, 5, 1)]
    [InlineData(7L, 16, 2)]
    [InlineData(1_000_000L, 4, 1)]
    [InlineData(999_983L, 37, 2)]
    [InlineData(123_456_789_011L, 256, 1)]
    [InlineData(123_456_789_011L, 256, 2)]
    public void A_delivery_lands_in_the_step_containing_its_arrival_or_is_refused_beyond_the_ring(long dt, int slots, int threads)
    {
        NetworkSpec net = new NetworkBuilder()
            .AddExternalInput("in", PopulationShape.Linear(3))
            .AddNeurons("n", 3, NeuronModel.Lif, p => p.ClockDriven(SimDuration.FromTicks(dt)))
            .Connect("in", "n", ConnectivitySpec.OneToOne(), c => c.Weight(2.5f).Delay(SimDuration.FromTicks(1)))
            .Build();
        PopulationSpec post = net.Population("n");
        SynapseTable table = SynapseTable.Build(net.Projections[0], net.Population("in"), post);
        using var device = new CpuDevice(new CpuDeviceOptions { Threads = threads }); // 1: added at once; 2: added before the step
        ClockPopulation population = post.Model!.CreateClockPopulation(post, SimDuration.FromTicks(dt), slots, maxWindow: 1, device);
        population.AttachIncoming(0, table, receptor: 0, plastic: false);
        const int Source = 1;
        int group = table.SourceGroupStart[Source];
        int target = table.Targets[table.GroupStart[group]];

        var offsets = new SortedSet<long>();
        for (long k = 0; k <= slots + 1; k++)
        {
            for (long d = -2; d <= 2; d++)
            {
                offsets.Add((k * dt) + d);
            }

            offsets.Add((k * dt) + (dt / 2));
        }

        int checkedOffsets = 0;
        foreach (long state in new[] { 0L, dt, 5 * dt, 1_000_003 * dt })
        {
            population.StateTime = state;
            foreach (long offset in offsets.Where(o => o >= 1))
            {
                population.Initialize();
                long arrival = state + offset;
                long step = ((arrival - 1) / dt) + 1; // ⌈arrival / dt⌉ (arrival > 0)
                long ahead = step - (state / dt);
                bool added = population.TryAddInput(arrival, 0, group);
                population.FlushPendingInput(); // with several device threads an accepted delivery is added before the step
                Assert.Equal(ahead <= slots, added);
                int expectedRow = added ? (int)(step % slots) * population.Receptors : -1;
                for (int row = 0; row < population.Ring.Length; row++)
                {
                    float[] ring = population.Ring[row];
                    for (int j = 0; j < ring.Length; j++)
                    {
                        float expected = row == expectedRow && j == target ? 2.5f : 0f;
                        if (ring[j] != expected)
                        {
                            Assert.Fail($"dt {dt}, {slots} slots, state {state}, arrival {arrival}: ring row {row} neuron {j} holds {ring[j]}, expected {expected}.");
                        }
                    }
                }

                checkedOffsets++;
            }

            population.Initialize();
            Assert.Throws<InvalidOperationException>(() => population.TryAddInput(state, 0, group));
        }

        Assert.True(checkedOffsets > 4 * slots, $"only {checkedOffsets} offsets checked");
    }
}
