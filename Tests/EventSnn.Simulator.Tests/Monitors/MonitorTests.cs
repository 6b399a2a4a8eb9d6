using EventSnn.EventQueue;
using EventSnn.Simulator.Monitors;

namespace EventSnn.Simulator.Tests.Monitors;

public sealed class MonitorTests
{
    [Fact]
    public void SpikeRecorderStoresSelectedNeuronsAndCapsMemory()
    {
        var all = new SpikeRecorder(initialCapacity: 0);
        var selected = new SpikeRecorder().Select(1, 10, [2, 5]);
        var only = new SpikeRecorder { RecordOnlySelected = true }.Select(1, 10, [2]);
        var capped = new SpikeRecorder(initialCapacity: 2, maxSpikes: 3);
        var expected = new List<(long, int, int)>();
        for (int i = 0; i < 5000; i++)
        {
            var t = SimTime.FromMicroseconds(i * 7L);
            int pop = i % 3;
            int neuron = i % 10;
            foreach (ISpikeMonitor m in new ISpikeMonitor[] { all, selected, only, capped })
            {
                m.OnSpike(t, pop, neuron);
            }

            expected.Add((t.Ticks, pop, neuron));
        }

        Assert.Equal(5000, all.Count);
        for (int i = 0; i < all.Count; i++)
        {
            Assert.Equal(expected[i], (all.TimeTicks[i], all.Populations[i], all.Neurons[i]));
        }

        var sel = expected.Where(e => e.Item2 != 1 || e.Item3 is 2 or 5).ToList();
        Assert.Equal(sel.Count, selected.Count);
        Assert.Equal(sel.Select(e => e.Item1), selected.TimeTicks.ToArray());
        Assert.Equal(expected.Count(e => e.Item2 == 1 && e.Item3 == 2), only.Count);
        Assert.All(only.Neurons.ToArray(), n => Assert.Equal(2, n));
        Assert.Equal(3, capped.Count);
        Assert.Equal(4997, capped.Dropped);
        Assert.Equal(expected.Count(e => e.Item2 == 2), all.CountFor(2));
        Assert.Throws<ArgumentOutOfRangeException>(() => new SpikeRecorder().Select(0, 3, [3]));
        all.Clear();
        Assert.Equal(0, all.Count);
    }

    [Fact]
    public void PopulationRatesAreCountsOverSizeAndBin()
    {
        var monitor = new PopulationRateMonitor([4, 10], SimDuration.FromMilliseconds(10L));
        // Population 0: 3 spikes in [0, 10) ms, 1 in [20, 30) ms. Population 1: 5 spikes in [10, 20) ms.
        foreach (long us in new long[] { 0, 5_000, 9_999 })
        {
            monitor.OnSpike(SimTime.FromMicroseconds(us), 0, 1);
        }

        monitor.OnSpike(SimTime.FromMicroseconds(25_000L), 0, 3);
        for (int i = 0; i < 5; i++)
        {
            monitor.OnSpike(SimTime.FromMicroseconds(10_000L + i), 1, i);
        }

        Assert.Equal(3, monitor.BinCount);
        Assert.Equal(new[] { 3, 0, 1 }, monitor.Counts(0).ToArray());
        Assert.Equal(new[] { 0, 5, 0 }, monitor.Counts(1).ToArray());
        var rates = new double[3];
        monitor.Rates(0, rates);
        Assert.Equal(3 / (4 * 0.01), rates[0], 9);
        Assert.Equal(1 / (4 * 0.01), rates[2], 9);
        Assert.Equal(5 / (10 * 0.03), monitor.MeanRate(1, SimTime.FromMilliseconds(30L)), 9);
        Assert.Throws<ArgumentOutOfRangeException>(() => monitor.OnSpike(SimTime.Zero, 2, 0));
        Assert.Throws<ArgumentException>(() => new PopulationRateMonitor([0], SimDuration.FromMilliseconds(1L)));
        Assert.Throws<ArgumentOutOfRangeException>(() => new PopulationRateMonitor([1], SimDuration.Zero));
    }

    [Fact]
    public void StateRecorderSamplesEveryKStepsOrAtChosenTimes()
    {
        var every = new StateRecorder(0, "v", [3, 1], everySteps: 2);
        var chosen = new StateRecorder(0, "v", [0], [SimTime.FromTicks(250), SimTime.FromTicks(600)]);
        var column = new float[4];
        for (long step = 1; step <= 8; step++)
        {
            for (int i = 0; i < 4; i++)
            {
                column[i] = (step * 10) + i;
            }

            var t = SimTime.FromTicks(step * 100);
            if (every.IsDue(step, t))
            {
                every.Record(t, column);
            }

            if (chosen.IsDue(step, t))
            {
                chosen.Record(t, column);
            }
        }

        Assert.Equal(new long[] { 200, 400, 600, 800 }, every.TimeTicks.ToArray());
        Assert.Equal(new float[] { 23, 21, 43, 41, 63, 61, 83, 81 }, every.Values.ToArray());
        Assert.Equal(new long[] { 300, 600 }, chosen.TimeTicks.ToArray());
        Assert.Equal(new float[] { 30, 60 }, chosen.Values.ToArray());
        Assert.Throws<ArgumentException>(() => new StateRecorder(0, "v", [0], [SimTime.FromTicks(5), SimTime.FromTicks(5)]));
        Assert.Throws<ArgumentException>(() => new StateRecorder(0, "v", []));
        Assert.Throws<ArgumentOutOfRangeException>(() => new StateRecorder(0, "v", [0], everySteps: 0));
        Assert.Throws<ArgumentException>(() => new StateRecorder(0, "v", [9]).Record(SimTime.Zero, column));
    }

    [Theory]
    [InlineData(0L, "0")]
    [InlineData(1_000L, "1")]
    [InlineData(1_500L, "1.5")]
    [InlineData(1_050L, "1.05")]
    [InlineData(1_001L, "1.001")]
    [InlineData(123_456_789_000L, "123456789")]
    [InlineData(-2_500L, "-2.5")]
    [InlineData(long.MinValue, "-9223372036854775.808")]
    public void MicrosecondsAreFormattedExactly(long ticks, string expected) =>
        Assert.Equal(expected, MonitorCsv.FormatMicroseconds(ticks));

    [Fact]
    public void CsvFormatsHaveDocumentedColumns()
    {
        var spikes = new SpikeRecorder();
        spikes.OnSpike(SimTime.FromTicks(100_000), 0, 7);
        spikes.OnSpike(SimTime.FromTicks(100_250), 1, 2);
        var text = new StringWriter();
        MonitorCsv.WriteSpikes(spikes, text);
        Assert.Equal("time_us,neuron\n100,7\n100.25,2\n", text.ToString());
        text = new StringWriter();
        MonitorCsv.WriteSpikes(spikes, text, includePopulation: true);
        Assert.Equal("time_us,population,neuron\n100,0,7\n100.25,1,2\n", text.ToString());

        var state = new StateRecorder(0, "v", [4, 1]);
        state.Record(SimTime.FromTicks(2_000), [0f, 1.5f, 0f, 0f, -60.25f]);
        text = new StringWriter();
        MonitorCsv.WriteState(state, text);
        Assert.Equal("time_us,neuron,v\n2,4,-60.25\n2,1,1.5\n", text.ToString());

        var rates = new PopulationRateMonitor([2], SimDuration.FromMilliseconds(1L));
        rates.OnSpike(SimTime.FromTicks(1_500_000), 0, 0);
        text = new StringWriter();
        MonitorCsv.WriteRates(rates, text);
        Assert.Equal("time_us,population,rate_hz\n0,0,0\n1000,0,500\n", text.ToString());
    }
}
