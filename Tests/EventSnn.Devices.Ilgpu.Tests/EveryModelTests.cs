using System.Reflection;
using System.Runtime.CompilerServices;
using EventSnn.EventQueue;
using EventSnn.Simulator.Engines;
using EventSnn.Simulator.Models;
using EventSnn.Simulator.Network;
using EventSnn.Simulator.State;

namespace EventSnn.Devices.Ilgpu.Tests;

/// <summary>
/// Every registered neuron model (<see cref="NeuronModels.All"/> and <c>diehl_cook_lif</c>) runs on the ILGPU device (ILGPU's
/// CPU accelerator) with the CPU device's spikes and state, bit for bit; a model that cannot go to a GPU is refused in one line.
/// </summary>
[Collection("ilgpu")]
public sealed class EveryModelTests
{
    private static readonly SimDuration Dt = SimDuration.FromMicroseconds(100);

    /// <summary>Per model, parameters that make it fire on its own (the input then perturbs it); defaults elsewhere.</summary>
    private static readonly Dictionary<string, (string Name, double Value)[]> s_firing = new()
    {
        ["lif"] = [("i_offset", 20), ("t_ref", 2)],
        ["if"] = [("i_offset", 5), ("t_ref", 1)],
        ["cuba_lif"] = [("i_offset", 40), ("t_ref", 1)],
        ["coba_lif"] = [("i_offset", 12), ("t_ref", 1)],
        ["adaptive_lif"] = [("i_offset", 20), ("a", 0.5), ("t_ref", 1)],
        ["adex"] = [("I_e", 900), ("t_ref", 1)],
        ["izhikevich"] = [("i_offset", 10)],
        ["srm0"] = [],
        ["snntorch.leaky"] = [("beta", 0.8)],
        ["snntorch.synaptic"] = [("alpha", 0.7), ("beta", 0.85), ("reset_mechanism", 1), ("reset_delay", 0)],
        ["snntorch.alpha"] = [("alpha", 0.9), ("beta", 0.8)],
        ["snntorch.lapicque"] = [("beta", 0.9), ("threshold", 0.2)],
        ["snntorch.rleaky"] = [("beta", 0.85), ("V_bias", 0.05), ("reset_delay", 0)],
        ["snntorch.rsynaptic"] = [("alpha", 0.6), ("beta", 0.8), ("V_bias", -0.02)],
        ["matterhorn.if"] = [("spiking_function", 5), ("hard_reset", 0)],
        ["matterhorn.lif"] = [("tau_m", 4), ("u_threshold", 0.25)],
        ["matterhorn.qif"] = [("tau_m", 3), ("u_c", 0.8), ("a_0", 0.5)],
        ["matterhorn.expif"] = [("tau_m", 3), ("u_t", 0.8), ("delta_t", 0.3)],
        ["matterhorn.izhikevich"] = [("a", 0.02), ("b", 0.2)],
        ["matterhorn.klif"] = [("tau_m", 3), ("k", 1.5), ("spiking_function", 6)],
        ["matterhorn.liaf"] = [("tau_m", 3)],
        ["pysnn.if"] = [("duration_refrac", 2)],
        ["pysnn.lif"] = [("duration_refrac", 3), ("tau_v", 0.9)],
        ["pysnn.adaptive_lif"] = [("duration_refrac", 1)],
        ["pysnn.fede"] = [("duration_refrac", 2)],
        ["pysnn.input"] = [],
        ["diehl_cook_lif"] = [("tau_m", 5), ("v_rest", -30), ("t_ref", 1)],
    };

    public static TheoryData<string> ModelNames => [.. AllModels().Select(m => m.Info.Name)];

    internal static IEnumerable<NeuronModel> AllModels() => NeuronModels.All.Append(NeuronModel.DiehlCookLif);

    /// <summary>Whether the model struct can be a kernel argument (no references).</summary>
    internal static bool IsBlittable(Type model)
        => !(bool)typeof(RuntimeHelpers).GetMethod(nameof(RuntimeHelpers.IsReferenceOrContainsReferences))!.MakeGenericMethod(model).Invoke(null, null)!;

    [Fact]
    public void EveryModelHasFiringParameters()
        => Assert.Equal(AllModels().Select(m => m.Info.Name).Order(), s_firing.Keys.Order());

    [Theory]
    [MemberData(nameof(ModelNames))]
    public void EveryModelMatchesTheCpuDeviceOrIsRefusedInOneLine(string name)
    {
        NeuronModel model = AllModels().Single(m => m.Info.Name == name);
        NetworkSpec net = Network(model);
        if (!IsBlittable(model.ModelType))
        {
            var ex = Assert.ThrowsAny<NotSupportedException>(() => new SimulationEngine(net, new EngineOptions { Device = TestDevices.Cpu }));
            Assert.Contains(model.ModelType.Name, ex.Message, StringComparison.Ordinal);
            Assert.DoesNotContain('\n', ex.Message);
            return;
        }

        SimTime until = SimTime.FromMilliseconds(8);
        (var cpu, SimulationEngine a) = TestDevices.Run(net, null, until);
        (var gpu, SimulationEngine b) = TestDevices.Run(net, TestDevices.Cpu, until);
        try
        {
            Assert.True(cpu.Any(s => s.P == 1), $"{name} must fire ({cpu.Count} spikes in all)");
            Assert.Equal(cpu, gpu);
            var sa = (ClockPopulationState)a.GetPopulationState(1)!;
            var sb = (ClockPopulationState)b.GetPopulationState(1)!;
            int size = net.Populations[1].Size;
            for (int k = 0; k < sa.Columns.Length; k++)
            {
                Assert.Equal(sa.Columns[k].AsSpan(0, size).ToArray(), sb.Columns[k].AsSpan(0, size).ToArray());
            }

            Assert.Equal(sa.RefractorySteps.AsSpan(0, size).ToArray(), sb.RefractorySteps.AsSpan(0, size).ToArray());
        }
        finally
        {
            a.Dispose();
            b.Dispose();
        }
    }

    public static TheoryData<string, bool> SnnTorchModels => new()
    {
        { "snntorch.leaky", false },
        { "snntorch.leaky", true },
        { "snntorch.synaptic", false },
        { "snntorch.synaptic", true },
        { "snntorch.alpha", false },
        { "snntorch.lapicque", false },
        { "snntorch.rleaky", true },
        { "snntorch.rsynaptic", false },
    };

    /// <summary>
    /// Non-uniform <c>state_quant</c> levels live in a table the device copies into its memory: the snnTorch models step on
    /// the device with the CPU device's spikes and state, with one table for the population or, with per-neuron thresholds,
    /// several distinct tables in one population.
    /// </summary>
    [Theory]
    [MemberData(nameof(SnnTorchModels))]
    public void NonUniformStateQuantisationMatchesTheCpuDevice(string name, bool perNeuronTables)
        => CheckNonUniformStateQuantisation(name, perNeuronTables, TestDevices.Cpu);

    /// <summary>Runs an snnTorch model with non-uniform state_quant levels on the CPU device and on <paramref name="device"/>, and compares.</summary>
    internal static void CheckNonUniformStateQuantisation(string name, bool perNeuronTables, IlgpuDevice device)
    {
        NeuronModel model = AllModels().Single(m => m.Info.Name == name);
        Assert.True(IsBlittable(model.ModelType), $"{name} must be a blittable kernel argument");
        (string, double)[] quant = [("state_quant", 1), ("state_quant_uniform", 0), ("state_quant_num_bits", 4), ("state_quant_upper_limit", 0.5), ("state_quant_threshold", name == "snntorch.lapicque" ? 0.2 : 1)];
        double[]? thresholds = perNeuronTables ? [.. Enumerable.Range(0, 40).Select(i => (name == "snntorch.lapicque" ? 0.2 : 0.8) + (0.2 * (i % 3)))] : null;
        NetworkSpec net = Network(model, quant, thresholds);
        NetworkSpec plain = Network(model, [], thresholds);
        SimTime until = SimTime.FromMilliseconds(8);
        (var cpu, SimulationEngine a) = TestDevices.Run(net, null, until);
        (var gpu, SimulationEngine b) = TestDevices.Run(net, device, until);
        (_, SimulationEngine c) = TestDevices.Run(plain, null, until);
        try
        {
            Assert.True(cpu.Any(s => s.P == 1), $"{name} must fire ({cpu.Count} spikes in all)");
            Assert.Equal(cpu, gpu);
            var sa = (ClockPopulationState)a.GetPopulationState(1)!;
            var sb = (ClockPopulationState)b.GetPopulationState(1)!;
            var sc = (ClockPopulationState)c.GetPopulationState(1)!;
            int size = net.Populations[1].Size;
            Assert.NotEqual(sc.Columns[0].AsSpan(0, size).ToArray(), sa.Columns[0].AsSpan(0, size).ToArray());
            for (int k = 0; k < sa.Columns.Length; k++)
            {
                Assert.Equal(sa.Columns[k].AsSpan(0, size).ToArray(), sb.Columns[k].AsSpan(0, size).ToArray());
            }
        }
        finally
        {
            a.Dispose();
            b.Dispose();
            c.Dispose();
        }
    }

    private static NetworkSpec Network(NeuronModel model, (string Name, double Value)[]? extra = null, double[]? quantThresholds = null)
    {
        NeuronModelInfo info = model.Info;
        bool physical = !info.Name.Contains('.', StringComparison.Ordinal);
        double w = physical ? 2 : 0.3;
        if (info.Name == "adex")
        {
            w = 200;
        }
        else if (info.Name is "matterhorn.expif" or "pysnn.fede")
        {
            w = 1.5;
        }
        else if (info.Name is "coba_lif" or "diehl_cook_lif")
        {
            w = 0.2;
        }

        const int size = 40;
        return new NetworkBuilder()
            .AddPoisson("in", 30, 800, 31)
            .AddNeurons("n", size, model, o =>
            {
                foreach ((string p, double v) in s_firing[info.Name].Concat(extra ?? []))
                {
                    o.Set(p, v);
                }

                if (quantThresholds is not null)
                {
                    o.SetPerNeuron("state_quant_threshold", quantThresholds);
                }

                o.ClockDriven(Dt);
            })
            .Connect("in", "n", ConnectivitySpec.FixedProbability(0.3, 32), c => c.WeightUniform(0.2 * w, w, 33).Receptor(info.Receptors[0]).Delay(SimDuration.FromMicroseconds(500)))
            .Connect("n", "n", ConnectivitySpec.FixedProbability(0.1, 34), c => c.WeightUniform(info.NonNegativeWeights ? 0 : -w, w, 35).Receptor(info.Receptors[^1]).Delay(SimDuration.FromMicroseconds(300)))
            .Build();
    }
}
