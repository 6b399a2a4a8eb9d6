using EventSnn.Events;
using EventSnn.EventQueue;
using EventSnn.Simulator.Engines;
using EventSnn.Simulator.Models;
using EventSnn.Simulator.Network;
using EventSnn.Simulator.NetworkFiles;
using static EventSnn.Simulator.Tests.NetworkFiles.NetworkFileTestSupport;

namespace EventSnn.Simulator.Tests.NetworkFiles;

public sealed class NetworkFileLoaderTests
{
    [Fact]
    public void ParametersTakeTheUnitInTheirKeyAndMayBePerNeuron()
    {
        NetworkFile f = Parse("""
            {
              "populations": [{
                "name": "exc", "model": "cuba_lif", "size": 3,
                "params": { "tau_m_ms": 12.5, "v_thresh_mV": [-51, -52, -53], "t_ref_ms": 2 },
                "reset": "subtract", "threshold_comparison": ">", "refractory_end": "closed",
                "execution": { "mode": "clock", "dt_us": 50 }
              }]
            }
            """);
        PopulationSpec p = f.Network.Population("exc");
        NeuronModelInfo info = NeuronModel.CubaLif.Info;
        Assert.Same(NeuronModel.CubaLif, p.Model);
        Assert.Equal(12.5, p.Parameters[info.ParameterIndex("tau_m")]);
        Assert.Equal(2.0, p.Parameters[info.ParameterIndex("t_ref")]);
        Assert.Equal(info.Parameters[info.ParameterIndex("tau_e")].Default, p.Parameters[info.ParameterIndex("tau_e")]);
        Assert.Equal([-51.0, -52.0, -53.0], [.. p.PerNeuronParameters["v_thresh"]]);
        Assert.Equal(new SpikeRules(ResetMode.Subtract, ThresholdComparison.Greater, RefractoryEnd.Closed), p.Rules);
        Assert.Equal(ExecutionSpec.Clock(SimDuration.FromMicroseconds(50)), p.Execution);
    }

    [Fact]
    public void DefaultsMatchTheBuilderDefaults()
    {
        PopulationSpec fromFile = Parse(WithA()).Network.Population("a");
        PopulationSpec fromBuilder = new NetworkBuilder().AddNeurons("a", 3, NeuronModel.Lif).Build().Population("a");
        Assert.Equal([.. fromBuilder.Parameters], [.. fromFile.Parameters]);
        Assert.Equal(fromBuilder.Rules, fromFile.Rules);
        Assert.Null(fromFile.Execution);
        Assert.Empty(fromFile.Initial);
    }

    [Fact]
    public void EveryParameterKeyOfEveryBuiltInModelIsAccepted()
    {
        foreach (NeuronModel model in NetworkFile.BuiltInModels)
        {
            // Each parameter set to its default, written under its unit-named key, must load to the defaults.
            string pars = string.Join(", ", model.Info.Parameters.Select(p => $"\"{NetworkFile.ParameterKey(p)}\": {p.Default.ToString("R", System.Globalization.CultureInfo.InvariantCulture)}"));
            string inits = string.Join(", ", Enumerable.Range(0, model.Info.StateVariables.Length).Select(j => $"\"{NetworkFile.StateKey(model.Info, j)}\": 0"));
            NetworkFile f = Parse($$$"""{"populations": [{"name": "p", "model": "{{{model.Info.Name}}}", "size": 2, "params": { {{{pars}}} }, "initial": { {{{inits}}} }}]}""");
            PopulationSpec p = f.Network.Population("p");
            Assert.Equal([.. model.Info.Parameters.Select(x => x.Default)], [.. p.Parameters]);
            Assert.Equal([.. model.Info.StateVariables], [.. p.Initial.Select(i => i.Variable)]);
        }
    }

    [Fact]
    public void ParameterKeysNameTheirUnits()
    {
        NeuronModelInfo cuba = NeuronModel.CubaLif.Info;
        Assert.Equal("tau_m_ms", NetworkFile.ParameterKey(cuba.Parameters[cuba.ParameterIndex("tau_m")]));
        Assert.Equal("v_thresh_mV", NetworkFile.ParameterKey(cuba.Parameters[cuba.ParameterIndex("v_thresh")]));
        NeuronModelInfo adaptive = NeuronModel.AdaptiveLif.Info;
        Assert.Equal("a", NetworkFile.ParameterKey(adaptive.Parameters[adaptive.ParameterIndex("a")]));
        Assert.Equal("v_mV", NetworkFile.StateKey(cuba, 0));
        Assert.Equal("ie_mV", NetworkFile.StateKey(cuba, 1));
        Assert.Equal("ge", NetworkFile.StateKey(NeuronModel.CobaLif.Info, 1));
        Assert.Equal("w_mV", NetworkFile.StateKey(adaptive, 1));
    }

    [Fact]
    public void InitialValuesAreConstantUniformPerNeuronOrNormal()
    {
        NetworkFile f = Parse("""
            {
              "populations": [
                { "name": "c", "model": "cuba_lif", "size": 4, "initial": { "v_mV": -55, "ie_mV": [1, 2, 3, 4], "ii_mV": { "uniform": [-2, -1], "seed": 9 } } },
                { "name": "n", "model": "lif", "size": 4000, "initial": { "v_mV": { "normal": { "mean": -55, "sd": 5 }, "seed": 3 } } }
              ]
            }
            """);
        PopulationSpec c = f.Network.Population("c");
        Assert.Equal(new InitialValueSpec("v", -55, -55, 0, []), c.Initial[0]);
        Assert.Equal([1.0, 2, 3, 4], [.. c.Initial[1].Values]);
        Assert.Equal(("ii", -2.0, -1.0, 9UL), (c.Initial[2].Variable, c.Initial[2].Low, c.Initial[2].High, c.Initial[2].Seed));

        // The normal draw is materialised per neuron: its sample mean and sd are those asked for (5-sigma bounds).
        double[] v = [.. f.Network.Population("n").Initial[0].Values];
        Assert.Equal(4000, v.Length);
        double mean = v.Average();
        double sd = Math.Sqrt(v.Sum(x => (x - mean) * (x - mean)) / (v.Length - 1));
        Assert.InRange(mean, -55 - (5 * 5 / Math.Sqrt(4000)), -55 + (5 * 5 / Math.Sqrt(4000)));
        Assert.InRange(sd, 5 * (1 - (5 / Math.Sqrt(2 * 4000))), 5 * (1 + (5 / Math.Sqrt(2 * 4000))));

        // Same seed, same values; another seed, other values.
        double[] again = [.. Parse("""{"populations": [{ "name": "n", "model": "lif", "size": 4000, "initial": { "v_mV": { "normal": { "mean": -55, "sd": 5 }, "seed": 3 } } }]}""").Network.Population("n").Initial[0].Values];
        double[] other = [.. Parse("""{"populations": [{ "name": "n", "model": "lif", "size": 4000, "initial": { "v_mV": { "normal": { "mean": -55, "sd": 5 }, "seed": 4 } } }]}""").Network.Population("n").Initial[0].Values];
        Assert.Equal(v, again);
        Assert.NotEqual(v, other);
    }

    [Theory]
    [InlineData("ms", "1.5", 1_500_000L)]
    [InlineData("us", "250", 250_000L)]
    [InlineData("ns", "7", 7L)]
    [InlineData("ticks", "7", 7L)]
    [InlineData("s", "0.002", 2_000_000L)]
    [InlineData("ms", "0.1", 100_000L)]
    [InlineData("ms", "1e-3", 1_000L)]
    public void TimesConvertExactlyFromTheUnitInTheKey(string unit, string value, long ticks)
    {
        NetworkFile f = Parse(WithA($$$""", "duration_{{{unit}}}": {{{value}}}, "projections": [{"pre": "a", "post": "a", "delay_{{{unit}}}": {{{value}}}, "connectivity": {"rule": "one_to_one"}}]"""));
        Assert.Equal(SimDuration.FromTicks(ticks), f.Duration);
        Assert.Equal(DelaySpec.Constant(SimDuration.FromTicks(ticks)), f.Network.Projections[0].Delay);
    }

    [Fact]
    public void SpikeSourcesTakeInlineTimesOrACsvWithTheUnitInTheTimeColumn()
    {
        using var dir = new TempFolder();
        dir.Write("in/stim.csv", "# spikes\nneuron,time_us\n1,2500\n0,10\n1,7\n\n0,10\n");
        NetworkFile f = NetworkFile.Load(dir.Write("net.json", """
            {
              "populations": [
                { "name": "inline", "kind": "spike_source", "spike_times_ms": [[0.5, 1, 1], [], [2]] },
                { "name": "file", "kind": "spike_source", "size": 3, "csv": "in/stim.csv" }
              ]
            }
            """));
        PopulationSpec inline = f.Network.Population("inline");
        Assert.Equal(PopulationKind.SpikeSource, inline.Kind);
        Assert.Equal([SimTime.FromMicroseconds(500), SimTime.FromMilliseconds(1L), SimTime.FromMilliseconds(1L)], [.. inline.SpikeTimes[0]]);
        Assert.Empty(inline.SpikeTimes[1]);
        Assert.Equal([SimTime.FromMilliseconds(2L)], [.. inline.SpikeTimes[2]]);

        PopulationSpec file = f.Network.Population("file");
        Assert.Equal(3, file.Size);
        Assert.Equal([SimTime.FromMicroseconds(10), SimTime.FromMicroseconds(10)], [.. file.SpikeTimes[0]]);
        Assert.Equal([SimTime.FromMicroseconds(7), SimTime.FromMicroseconds(2500)], [.. file.SpikeTimes[1]]);
        Assert.Empty(file.SpikeTimes[2]);
    }

    [Fact]
    public void SpikeCsvColumnsMayComeInEitherOrderAndAnyTimeUnit()
    {
        using var dir = new TempFolder();
        dir.Write("a.csv", "time_ns,source\n1500,0\n");
        dir.Write("b.csv", "source,time_ms\n0,0.0015\n");
        dir.Write("c.csv", "source , time_ticks\n0, 1500\n");
        foreach (string csv in new[] { "a.csv", "b.csv", "c.csv" })
        {
            NetworkFile f = NetworkFile.Load(dir.Write("net.json", $$$"""{"populations": [{ "name": "s", "kind": "spike_source", "csv": "{{{csv}}}" }]}"""));
            Assert.Equal([SimTime.FromNanoseconds(1500)], [.. f.Network.Population("s").SpikeTimes[0]]);
        }
    }

    [Fact]
    public void PoissonAndExternalPopulations()
    {
        NetworkFile f = Parse("""
            {
              "populations": [
                { "name": "noise", "kind": "poisson", "size": 100, "rate_hz": 5.5, "seed": 7, "start_ms": 10, "stop_s": 2 },
                { "name": "always", "kind": "poisson", "size": 2, "rate_hz": 1, "seed": 18446744073709551615 },
                { "name": "dvs", "kind": "external", "shape": [2, 4, 6] },
                { "name": "line", "kind": "external", "size": 5 }
              ]
            }
            """);
        PopulationSpec noise = f.Network.Population("noise");
        Assert.Equal(new PoissonSpec(5.5, SimTime.FromMilliseconds(10L), SimTime.FromSeconds(2L), 7), noise.Poisson);
        Assert.Equal(new PoissonSpec(1, SimTime.Zero, SimTime.MaxValue, ulong.MaxValue), f.Network.Population("always").Poisson);
        PopulationSpec dvs = f.Network.Population("dvs");
        Assert.Equal(PopulationKind.External, dvs.Kind);
        Assert.Equal(new PopulationShape(2, 4, 6), dvs.Shape);
        Assert.Equal(PopulationShape.Linear(5), f.Network.Population("line").Shape);
    }

    [Fact]
    public void ShapedNeuronPopulations()
    {
        PopulationSpec p = Parse("""{"populations": [{ "name": "map", "model": "lif", "shape": [3, 2, 5] }]}""").Network.Population("map");
        Assert.Equal(new PopulationShape(3, 2, 5), p.Shape);
        Assert.True(p.Shape.IsSpatial);
        Assert.Equal(30, p.Size);
    }

    [Fact]
    public void ProjectionsCarryEveryRuleWeightDelayReceptorAndPlasticity()
    {
        NetworkFile f = Parse("""
            {
              "populations": [
                { "name": "in", "kind": "external", "shape": [2, 4, 4] },
                { "name": "map", "model": "lif", "shape": [1, 2, 2] },
                { "name": "a", "model": "cuba_lif", "size": 4 },
                { "name": "b", "model": "cuba_lif", "size": 4 }
              ],
              "projections": [
                { "pre": "a", "post": "b", "connectivity": { "rule": "all_to_all", "allow_self": false }, "weight": { "uniform": [0.5, 2.5], "seed": 2 }, "delay_ms": { "uniform": [1, 3], "seed": 3 }, "receptor": "i" },
                { "name": "a-b-2", "pre": "a", "post": "b", "connectivity": { "rule": "one_to_one" }, "weight": -2, "delay_us": 100,
                  "plasticity": { "rule": "stdp_pair", "a_plus": 0.01, "a_minus": 0.012, "tau_plus_ms": 20, "tau_minus_us": 30000, "w_min": -5, "w_max": 5, "trace": "nearest" } },
                { "name": "fp", "pre": "a", "post": "a", "connectivity": { "rule": "fixed_probability", "p": 0.25, "seed": 11, "allow_self": false } },
                { "name": "ex", "pre": "a", "post": "b", "connectivity": { "rule": "explicit", "pre": [0, 3], "post": [1, 2], "weight": [0.5, -1], "delay_ms": [0.5, 2] } },
                { "name": "conv", "pre": "in", "post": "map", "connectivity": { "rule": "conv2d", "kernel": [[[[1, 2], [3, 4]], [[5, 6], [7, 8]]]], "stride": 2, "padding": [0, 0] } },
                { "name": "convflat", "pre": "in", "post": "map", "connectivity": { "rule": "conv2d", "kernel": [1, 2, 3, 4, 5, 6, 7, 8], "kernel_shape": [1, 2, 2, 2], "stride": [2, 2] } }
              ]
            }
            """);
        ProjectionSpec all = f.Network.Projection("a->b");
        Assert.Equal(new AllToAllConnectivity(false), all.Connectivity);
        Assert.Equal(new WeightSpec(0.5, 2.5, 2), all.Weight);
        Assert.Equal(new DelaySpec(SimDuration.FromMilliseconds(1L), SimDuration.FromMilliseconds(3L), 3), all.Delay);
        Assert.Equal(NeuronModel.CubaLif.Info.ReceptorIndex("i"), all.Receptor);

        ProjectionSpec one = f.Network.Projection("a-b-2");
        Assert.IsType<OneToOneConnectivity>(one.Connectivity);
        Assert.Equal(WeightSpec.Constant(-2), one.Weight);
        Assert.Equal(DelaySpec.Constant(SimDuration.FromMicroseconds(100)), one.Delay);
        Assert.Equal(new StdpSpec(0.01, 0.012, 20, 30, -5, 5, TraceMode.Nearest), one.Stdp);

        Assert.Equal(new FixedProbabilityConnectivity(0.25, 11, false), f.Network.Projection("fp").Connectivity);

        var ex = Assert.IsType<ExplicitConnectivity>(f.Network.Projection("ex").Connectivity);
        Assert.Equal([0, 3], [.. ex.Pre]);
        Assert.Equal([1, 2], [.. ex.Post]);
        Assert.Equal([0.5f, -1f], [.. ex.Weights]);
        Assert.Equal([SimDuration.FromMicroseconds(500), SimDuration.FromMilliseconds(2L)], [.. ex.Delays]);

        var conv = Assert.IsType<Conv2DConnectivity>(f.Network.Projection("conv").Connectivity);
        Assert.Equal((1, 2, 2, 2, 2, 2, 0, 0), (conv.OutChannels, conv.InChannels, conv.KernelHeight, conv.KernelWidth, conv.StrideY, conv.StrideX, conv.PadY, conv.PadX));
        Assert.Equal([1f, 2, 3, 4, 5, 6, 7, 8], [.. conv.Kernel]);
        var flat = Assert.IsType<Conv2DConnectivity>(f.Network.Projection("convflat").Connectivity);
        Assert.Equal([.. conv.Kernel], [.. flat.Kernel]);
        Assert.Equal((conv.OutChannels, conv.InChannels, conv.KernelHeight, conv.KernelWidth), (flat.OutChannels, flat.InChannels, flat.KernelHeight, flat.KernelWidth));
    }

    [Fact]
    public void ExplicitCsvColumnsNameTheirUnitsAndRelativePathsResolveAgainstTheFile()
    {
        using var dir = new TempFolder();
        dir.Write("nets/lists/syn.csv", "# a list\ndelay_ms,post,pre,weight\n0.1,1,0,0.5\n2,0,2,-1.25\n");
        string net = dir.Write("nets/net.json", """
            {
              "populations": [{ "name": "a", "model": "lif", "size": 3 }],
              "projections": [{ "pre": "a", "post": "a", "connectivity": { "rule": "explicit", "csv": "lists/syn.csv" } }]
            }
            """);

        // Load from another working folder: the CSV is found beside the network file, not the process.
        NetworkFile f = NetworkFile.Load(Path.GetRelativePath(Directory.GetCurrentDirectory(), net));
        var ex = Assert.IsType<ExplicitConnectivity>(f.Network.Projections[0].Connectivity);
        Assert.Equal([0, 2], [.. ex.Pre]);
        Assert.Equal([1, 0], [.. ex.Post]);
        Assert.Equal([0.5f, -1.25f], [.. ex.Weights]);
        Assert.Equal([SimDuration.FromMicroseconds(100), SimDuration.FromMilliseconds(2L)], [.. ex.Delays]);
        Assert.Equal(Path.Combine(dir.Path, "nets"), f.BaseDirectory);
    }

    [Fact]
    public void MonitorsAndEventInputs()
    {
        using var dir = new TempFolder();
        dir.Write("rec.raw", "not read by the loader");
        NetworkFile f = NetworkFile.Load(dir.Write("net.json", """
            {
              "populations": [
                { "name": "dvs", "kind": "external", "shape": [2, 8, 8] },
                { "name": "a", "model": "adaptive_lif", "size": 5 }
              ],
              "monitors": [
                { "kind": "spikes", "population": "a", "neurons": [1, 3] },
                { "kind": "spikes", "population": "dvs" },
                { "kind": "state", "population": "a", "variable": "w", "interval_ms": 0.5, "neurons": [0] }
              ],
              "event_inputs": [
                { "population": "dvs", "path": "rec.raw", "format": "evt2", "time_offset_ms": -1.5, "align": "first_event" },
                { "population": "dvs", "path": "rec.raw" }
              ]
            }
            """));
        MonitorSpec[] m = [.. f.Network.Monitors];
        Assert.Equal((MonitorKind.Spikes, 1), (m[0].Kind, m[0].Population));
        Assert.Equal([1, 3], [.. m[0].Neurons]);
        Assert.Empty(m[1].Neurons);
        Assert.Equal((MonitorKind.State, 1, NeuronModel.AdaptiveLif.Info.StateIndex("w")), (m[2].Kind, m[2].Population, m[2].Variable));
        Assert.Equal(SimDuration.FromMicroseconds(500), m[2].Interval);

        Assert.Equal(new EventFileInput("dvs", 0, Path.Combine(dir.Path, "rec.raw"), EventFormat.Evt2, -SimDuration.FromMicroseconds(1500), EventTimeAlignment.FirstEvent), f.EventInputs[0]);
        Assert.Equal(new EventFileInput("dvs", 0, Path.Combine(dir.Path, "rec.raw"), null, SimDuration.Zero, EventTimeAlignment.File), f.EventInputs[1]);
    }

    [Fact]
    public void CommentsTrailingCommasAndMetadataAreAccepted()
    {
        NetworkFile f = Parse("""
            {
              // a comment
              "$schema": "../docs/network-file.schema.json",
              "version": 1,
              "name": "tiny", "description": "one population",
              "populations": [ { "name": "a", "model": "lif", "size": 3, "description": "d" }, ], /* trailing comma */
            }
            """);
        Assert.Equal("tiny", f.Name);
        Assert.Equal("one population", f.Description);
        Assert.Null(f.Duration);
        Assert.Empty(f.EventInputs);
    }

    [Fact]
    public void ALoadedFileRunsLikeTheSameNetworkBuiltInCode()
    {
        // One stimulated LIF pair: the network from the file and from the builder give identical spikes.
        NetworkFile f = Parse("""
            {
              "populations": [
                { "name": "s", "kind": "spike_source", "spike_times_ms": [[1, 2, 3, 4, 5]] },
                { "name": "n", "model": "lif", "size": 2, "params": { "tau_m_ms": 10, "v_rest_mV": -65, "v_thresh_mV": -60, "v_reset_mV": -65, "t_ref_ms": 1 } }
              ],
              "projections": [
                { "pre": "s", "post": "n", "weight": 3, "delay_ms": 0.5, "connectivity": { "rule": "all_to_all" } },
                { "pre": "n", "post": "n", "weight": 2, "delay_ms": 1, "connectivity": { "rule": "all_to_all", "allow_self": false } }
              ]
            }
            """);
        NetworkSpec code = new NetworkBuilder()
            .AddSpikeSource("s", [[.. new[] { 1L, 2, 3, 4, 5 }.Select(SimTime.FromMilliseconds)]])
            .AddNeurons("n", 2, NeuronModel.Lif, p => p.Set("tau_m", 10).Set("v_rest", -65).Set("v_thresh", -60).Set("v_reset", -65).Set("t_ref", 1))
            .Connect("s", "n", ConnectivitySpec.AllToAll(), c => c.Weight(3).Delay(SimDuration.FromMicroseconds(500)))
            .Connect("n", "n", ConnectivitySpec.AllToAll(allowSelf: false), c => c.Weight(2).Delay(SimDuration.FromMilliseconds(1L)))
            .Build();

        static List<(long, int, int)> Run(NetworkSpec spec)
        {
            var engine = TestEngines.Event(spec);
            var spikes = new SpikeList();
            engine.AddSpikeMonitor(spikes);
            engine.RunUntil(SimTime.FromMilliseconds(20L));
            return spikes.Spikes;
        }

        List<(long, int, int)> fromFile = Run(f.Network);
        Assert.Contains(fromFile, s => s.Item2 == 1);
        Assert.Equal(Run(code), fromFile);
    }
}
