using System.Reflection;
using EventSnn.Devices.Lanes;
using EventSnn.Simulator.Models;

namespace EventSnn.Simulator.Tests.Models;

/// <summary>
/// The contract every neuron model (<see cref="NeuronModels.All"/>, old and new) must keep:
/// the SIMD lane step equals the one-neuron lane step bit for bit; and, for models with an event-driven form,
/// advancing by a + b equals advancing by a then b (within 1e-8·(1 + |x|)), and the predicted threshold crossing agrees with
/// a fine scan of the exact trajectory.
/// </summary>
public sealed class ModelContractTests
{
    /// <summary>Per model, parameter sets that make it fire and exercise its options (defaults elsewhere).</summary>
    private static readonly Dictionary<string, (string Name, double Value)[][]> s_sets = new()
    {
        ["lif"] = [[("i_offset", 20), ("t_ref", 2)]],
        ["if"] = [[("i_offset", 5), ("t_ref", 1)], [("i_offset", 2)]],
        ["cuba_lif"] = [[("i_offset", 5), ("t_ref", 1)]],
        ["coba_lif"] = [[("i_offset", 12), ("t_ref", 1)]],
        ["adaptive_lif"] = [[("i_offset", 20), ("a", 0.5), ("t_ref", 1)]],
        ["adex"] = [[("I_e", 900), ("t_ref", 1)], [("I_e", 500), ("a", -2), ("b", 0)]],
        ["izhikevich"] = [[("i_offset", 10)], [("a", 0.1), ("d", 2), ("i_offset", 5)]],
        ["srm0"] = [[]],
        ["snntorch.leaky"] = [[("beta", 0.8)], [("beta", 0.9), ("graded_spikes_factor", 2), ("reset_delay", 0)], [("beta", 0.9), ("reset_mechanism", 1), ("state_quant", 1), ("state_quant_num_bits", 4)], [("beta", 0.9), ("inhibition", 1), ("reset_delay", 0)]],
        ["snntorch.synaptic"] = [[("alpha", 0.7), ("beta", 0.85), ("reset_mechanism", 1), ("reset_delay", 0)], [("alpha", 0.7), ("beta", 0.8), ("state_quant", 1), ("state_quant_uniform", 0), ("state_quant_num_bits", 3)]],
        ["snntorch.alpha"] = [[("alpha", 0.9), ("beta", 0.8)], [("alpha", 0.9), ("beta", 0.8), ("reset_mechanism", 0)]],
        ["snntorch.lapicque"] = [[("beta", 0.9), ("threshold", 0.2)], [("R", 4), ("C", 2), ("reset_mechanism", 1)]],
        ["snntorch.rleaky"] = [[("beta", 0.85), ("V_bias", 0.05), ("reset_delay", 0)]],
        ["snntorch.rsynaptic"] = [[("alpha", 0.6), ("beta", 0.8), ("V_bias", -0.02)]],
        ["matterhorn.if"] = [[], [("spiking_function", 5), ("hard_reset", 0)]],
        ["matterhorn.lif"] = [[("tau_m", 4), ("u_threshold", 0.25)], [("tau_m", 2), ("spiking_function", 7), ("hard_reset", 0)]],
        ["matterhorn.qif"] = [[("tau_m", 3), ("u_c", 0.8), ("a_0", 0.5)]],
        ["matterhorn.expif"] = [[("tau_m", 3), ("u_t", 0.8), ("delta_t", 0.3)]],
        ["matterhorn.izhikevich"] = [[("a", 0.02), ("b", 0.2)]],
        ["matterhorn.klif"] = [[("tau_m", 3), ("k", 1.5), ("spiking_function", 6)]],
        ["matterhorn.liaf"] = [[("tau_m", 3)], [("activation_function", 2), ("spiking_function", 5)]],
        ["pysnn.if"] = [[("duration_refrac", 2)]],
        ["pysnn.lif"] = [[("duration_refrac", 3), ("tau_v", 0.9)], [("update_type", 1), ("tau_v", 3), ("tau_t", 2), ("dt", 0.5), ("duration_refrac", 1)]],
        ["pysnn.adaptive_lif"] = [[("duration_refrac", 1)], [("update_type", 1), ("tau_v", 3), ("tau_t", 2), ("tau_thresh", 4)]],
        ["pysnn.fede"] = [[("duration_refrac", 2)]],
        ["pysnn.input"] = [[], [("update_type", 1), ("tau_t", 3)]],
    };

    public static TheoryData<string> ModelNames => [.. NeuronModels.Names];

    [Fact]
    public void Every_model_has_contract_parameters_and_valid_defaults()
    {
        Assert.Equal(NeuronModels.Names.Order(), s_sets.Keys.Order());
        Assert.Equal(NeuronModels.All.Length, NeuronModels.Names.Distinct().Count());
        foreach (NeuronModel m in NeuronModels.All)
        {
            NeuronModelInfo info = m.Info;
            Assert.Equal(info.Name, info.Name.ToLowerInvariant());
            Assert.True(NeuronModels.TryGet(info.Name, out NeuronModel? found) && ReferenceEquals(found, m), info.Name);
            Assert.Equal("v", info.StateVariables[0]);
            foreach (NeuronParameterInfo p in info.Parameters)
            {
                Assert.Null(p.Check(p.Default));
            }

            foreach ((string Name, double Value)[] set in s_sets[info.Name])
            {
                double[] values = Values(info, set);
                Assert.Null(m.Validate(values, SpikeRules.Default));
            }
        }

        Assert.False(NeuronModels.TryGet("snntorch.nope", out _));
    }

    private static double[] Values(NeuronModelInfo info, (string Name, double Value)[] set)
    {
        double[] p = [.. info.Parameters.Select(x => x.Default)];
        foreach (var (name, value) in set)
        {
            int k = info.ParameterIndex(name);
            Assert.True(k >= 0, $"{info.Name} has no parameter {name}");
            p[k] = value;
        }

        return p;
    }

    private static void Invoke(string model, string method)
    {
        Assert.True(NeuronModels.TryGet(model, out NeuronModel? m));
        MethodInfo generic = typeof(ModelContractTests).GetMethod(method, BindingFlags.NonPublic | BindingFlags.Static)!;
        foreach ((string Name, double Value)[] set in s_sets[model])
        {
            try
            {
                generic.MakeGenericMethod(m.ModelType).Invoke(null, [Values(m.Info, set)]);
            }
            catch (TargetInvocationException ex) when (ex.InnerException is not null)
            {
                System.Runtime.ExceptionServices.ExceptionDispatchInfo.Capture(ex.InnerException).Throw();
            }
        }
    }

    [Theory]
    [MemberData(nameof(ModelNames))]
    public void Vector_lane_step_equals_scalar_lane_step_bit_for_bit(string model) => Invoke(model, nameof(LanesAgree));

    [Theory]
    [MemberData(nameof(ModelNames))]
    public void Event_form_is_additive_and_predicts_crossings_like_a_fine_scan(string model) => Invoke(model, nameof(EventForm));

    private static bool Same(float a, float b) => BitConverter.SingleToInt32Bits(a) == BitConverter.SingleToInt32Bits(b) || (float.IsNaN(a) && float.IsNaN(b));

    private static void LanesAgree<TModel>(double[] parameters)
        where TModel : struct, INeuronModel<TModel>
    {
        TModel model = TModel.Create(parameters, SpikeRules.Default).WithTimeStep(100_000);
        int w = VectorLane.Count;
        var rng = new Random(TModel.Info.Name.Length * 7919);
        double mid = model.InitialState.V;
        double span = model.Threshold - mid;
        if (Math.Abs(span) < 0.5)
        {
            span = 1;
        }

        var cols = new float[6][];
        for (int c = 0; c < cols.Length; c++)
        {
            cols[c] = new float[w];
        }

        for (int l = 0; l < w; l++)
        {
            cols[0][l] = (float)(mid + (span * ((rng.NextDouble() * 1.8) - 0.5)));
            NeuronState init = model.InitialState;
            cols[1][l] = (float)(init.S1 + (0.3 * span * Gauss(rng)));
            cols[2][l] = (float)(init.S2 + (0.3 * span * Gauss(rng)));
            cols[3][l] = (float)(init.S3 + (0.3 * span * Gauss(rng)));
            cols[4][l] = rng.Next(6) switch { 0 => 1, 1 => 2, 2 => 3, _ => 0 };
        }

        if (TModel.Info.Name.StartsWith("pysnn.", StringComparison.Ordinal))
        {
            // Refractory counters hold whole multiples of dt in the library's units.
            int k = TModel.Info.StateIndex("refrac_counts");
            for (int l = 0; l < w && k > 0; l++)
            {
                cols[k][l] = rng.Next(4) == 0 ? 1 : 0;
            }
        }

        var vector = new ClockNeuron<VectorLane>
        {
            V = VectorLane.Load(cols[0]),
            S1 = VectorLane.Load(cols[1]),
            S2 = VectorLane.Load(cols[2]),
            S3 = VectorLane.Load(cols[3]),
            Refractory = VectorLane.Load(cols[4]),
        };
        var scalars = new ClockNeuron<ScalarLane>[w];
        for (int l = 0; l < w; l++)
        {
            scalars[l] = new ClockNeuron<ScalarLane> { V = new(cols[0][l]), S1 = new(cols[1][l]), S2 = new(cols[2][l]), S3 = new(cols[3][l]), Refractory = new(cols[4][l]) };
        }

        int fired = 0;
        var x0 = new float[w];
        var x1 = new float[w];
        for (int step = 0; step < 300; step++)
        {
            for (int l = 0; l < w; l++)
            {
                x0[l] = (float)(span * (0.2 + (0.4 * Gauss(rng))));
                x1[l] = (float)(0.2 * span * Gauss(rng));
            }

            VectorMask vm = model.StepClock<VectorLane, VectorMask>(ref vector, VectorLane.Load(x0), VectorLane.Load(x1));
            for (int l = 0; l < w; l++)
            {
                ScalarMask sm = model.StepClock<ScalarLane, ScalarMask>(ref scalars[l], new(x0[l]), new(x1[l]));
                bool same = vm[l] == sm.Value
                    && Same(vector.V.Value[l], scalars[l].V.Value)
                    && Same(vector.S1.Value[l], scalars[l].S1.Value)
                    && Same(vector.S2.Value[l], scalars[l].S2.Value)
                    && Same(vector.S3.Value[l], scalars[l].S3.Value)
                    && Same(vector.Refractory.Value[l], scalars[l].Refractory.Value)
                    && (!sm.Value || !TModel.Info.GradedOutput || Same(vector.Output.Value[l], scalars[l].Output.Value));
                if (!same)
                {
                    Assert.Fail($"{TModel.Info.Name} step {step} lane {l}: vector (spike {vm[l]}, v {vector.V.Value[l]:R}, s1 {vector.S1.Value[l]:R}, s2 {vector.S2.Value[l]:R}, s3 {vector.S3.Value[l]:R}, r {vector.Refractory.Value[l]:R}, out {vector.Output.Value[l]:R}) vs scalar (spike {sm.Value}, v {scalars[l].V.Value:R}, s1 {scalars[l].S1.Value:R}, s2 {scalars[l].S2.Value:R}, s3 {scalars[l].S3.Value:R}, r {scalars[l].Refractory.Value:R}, out {scalars[l].Output.Value:R})");
                }

                fired += sm.Value ? 1 : 0;
            }
        }

        Assert.True(fired > 0, $"{TModel.Info.Name}: no lane fired; the contract parameters must make it fire");
    }

    private static double Gauss(Random rng) => Math.Sqrt(-2 * Math.Log(1 - rng.NextDouble())) * Math.Cos(2 * Math.PI * rng.NextDouble());

    private static void EventForm<TModel>(double[] parameters)
        where TModel : struct, INeuronModel<TModel>
    {
        if (!TModel.Info.SupportsEventDriven || TModel.EventDrivenProblem(parameters) is not null)
        {
            return;
        }

        TModel model = TModel.Create(parameters, SpikeRules.Default);
        var rng = new Random(TModel.Info.Name.Length * 104729);
        double mid = model.InitialState.V;
        double span = Math.Abs(model.Threshold - mid) < 0.5 ? 1 : model.Threshold - mid;
        bool conductances = TModel.Info.Name == "coba_lif";
        const double Ms = 1_000_000;
        int crossings = 0;
        for (int trial = 0; trial < 40; trial++)
        {
            NeuronState s = model.InitialState;
            s.V = mid + (span * ((rng.NextDouble() * 1.05) - 0.1));
            s.S1 += 0.5 * span * (conductances ? rng.NextDouble() : Gauss(rng));
            s.S2 += 0.5 * span * (conductances ? rng.NextDouble() : Gauss(rng));
            s.S3 += 0.3 * span * Gauss(rng);
            if (conductances)
            {
                s.S1 = Math.Abs(s.S1) / span;
                s.S2 = Math.Abs(s.S2) / span;
            }

            // advance(a + b) = advance(a) then advance(b).
            double a = rng.NextDouble() * 5 * Ms;
            double b = rng.NextDouble() * 5 * Ms;
            NeuronState once = s, twice = s;
            ExactSteps.Advance(model, ref once, a + b);
            ExactSteps.Advance(model, ref twice, a);
            ExactSteps.Advance(model, ref twice, b);
            for (int k = 0; k < TModel.Info.StateVariables.Length; k++)
            {
                double x = once.Get(k), y = twice.Get(k);
                Assert.True(Math.Abs(x - y) <= 1e-8 * (1 + Math.Abs(x)), $"{TModel.Info.Name} trial {trial}: variable {k} {x:R} vs {y:R}");
            }

            // The predicted first crossing within H agrees with a fine scan of the exact trajectory.
            const double H = 20 * Ms;
            const int Samples = 20_000;
            const double Grid = H / Samples;
            double predicted = Predict(model, s, H);
            double scanned = double.PositiveInfinity;
            NeuronState probe = s;
            for (int k = 0; k <= Samples; k++)
            {
                if (model.IsAboveThreshold(probe))
                {
                    scanned = k * Grid;
                    break;
                }

                ExactSteps.Advance(model, ref probe, Grid);
            }

            string where = $"{TModel.Info.Name} trial {trial}: predicted {predicted:R}, scan {scanned:R}";
            if (double.IsFinite(predicted))
            {
                crossings++;
                NeuronState at = s;
                ExactSteps.Advance(model, ref at, predicted);
                Assert.True(model.IsAboveThreshold(at) || Math.Abs(at.V - model.Threshold) <= 1e-6 * (1 + Math.Abs(model.Threshold)), $"{where}: not at threshold there (v = {at.V:R})");
                Assert.True(predicted <= scanned + 1e-6, $"{where}: the scan finds the threshold earlier");
                Assert.True(double.IsPositiveInfinity(scanned) || predicted >= scanned - Grid - 1e-6 || Math.Abs(at.V - model.Threshold) <= 1e-6 * (1 + Math.Abs(model.Threshold)), where);
            }
            else
            {
                Assert.True(double.IsPositiveInfinity(scanned), $"{where}: the scan finds a crossing the prediction misses");
            }
        }

        Assert.True(crossings > 0 || !CanCross(TModel.Info.Name), $"{TModel.Info.Name}: no trial crossed; the contract parameters must make it fire");
    }

    /// <summary>Models whose trajectory between inputs can rise to threshold (the others only decay towards rest).</summary>
    private static bool CanCross(string name) => name is "lif" or "if" or "cuba_lif" or "coba_lif" or "adaptive_lif" or "srm0";

    /// <summary>The engine's loop: predict, and where the model asks for a re-check, advance there and predict again.</summary>
    private static double Predict<TModel>(in TModel model, NeuronState s, double horizon)
        where TModel : struct, INeuronModel<TModel>
    {
        double t = 0;
        for (int k = 0; k < 100_000 && t < horizon; k++)
        {
            double delta = model.FindCrossing(s, horizon - t, out double recheck);
            if (double.IsFinite(delta))
            {
                return t + delta <= horizon ? t + delta : double.PositiveInfinity;
            }

            if (double.IsPositiveInfinity(recheck))
            {
                return double.PositiveInfinity;
            }

            double step = Math.Max(1, Math.Floor(recheck));
            ExactSteps.Advance(model, ref s, step);
            t += step;
        }

        return double.PositiveInfinity;
    }
}
