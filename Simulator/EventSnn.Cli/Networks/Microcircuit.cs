using System.Collections.Immutable;
using EventSnn.EventQueue;
using EventSnn.Simulator.Models;
using EventSnn.Simulator.Network;

namespace EventSnn.Cli.Networks;

/// <summary>Background input of the microcircuit.</summary>
internal enum MicrocircuitBackground
{
    /// <summary>Independent Poisson trains per neuron (K_ext · 8 Hz, weight of an excitatory synapse, delay 1.5 ms).</summary>
    Poisson = 0,

    /// <summary>A constant current equal to the mean of the Poisson background (the reference's <c>poisson_input = False</c>).</summary>
    Dc = 1,
}

/// <summary>
/// The cortical microcircuit of Potjans &amp; Diesmann (2014, Cerebral Cortex 24:785–806, doi:10.1093/cercor/bhs358): eight
/// populations (L2/3, L4, L5, L6; excitatory and inhibitory) of current-based LIF neurons with exponential synaptic currents
/// (NEST's <c>iaf_psc_exp</c>), 77,169 neurons and about 0.3·10⁹ synapses at scale 1, built through the public
/// <see cref="NetworkBuilder"/>.
/// </summary>
/// <remarks>
/// <para>Parameters are those of the reference implementation that accompanies the paper (the PyNEST microcircuit example):
/// connection probabilities <see cref="ConnectionProbabilities"/> turned into a fixed total number of synapses per projection
/// (<c>K = ln(1 − p) / ln(1 − 1/(N_pre·N_post))</c>, pre and post drawn uniformly, autapses and multapses allowed), mean PSP
/// 0.15 mV (87.8 pA) with 10 % relative spread, L4e→L2/3e doubled, g = −4, delays 1.5 ± 0.75 ms (excitatory) and
/// 0.75 ± 0.375 ms (inhibitory) redrawn below one step and rounded to the step, external in-degrees <see cref="ExternalInDegree"/>
/// at 8 Hz, initial potentials drawn per population (the reference's "optimized" V0).</para>
/// <para>Scaling (as the reference): neuron numbers by <c>nScale</c>, in-degrees by <c>kScale</c>; weights are divided by
/// √kScale and a DC current restores the mean input lost by the scaling, computed from <see cref="ReferenceRatesHz"/>.</para>
/// <para>Current units: the model's synaptic currents are expressed as the potential they would hold across the membrane
/// resistance (mV): a current I in pA is I·τm/Cm = I·0.04 mV.</para>
/// </remarks>
internal static class Microcircuit
{
    /// <summary>Population names, in the reference's order.</summary>
    public static ImmutableArray<string> Names { get; } = ["L23E", "L23I", "L4E", "L4I", "L5E", "L5I", "L6E", "L6I"];

    /// <summary>Neurons per population at scale 1.</summary>
    public static ImmutableArray<int> FullSizes { get; } = [20683, 5834, 21915, 5479, 4850, 1065, 14395, 2948];

    /// <summary>
    /// Mean firing rates of the full-scale model in Hz (Potjans &amp; Diesmann 2014; the values the reference implementation
    /// tabulates as <c>full_mean_rates</c> and uses for the DC compensation of scaled in-degrees).
    /// </summary>
    public static ImmutableArray<double> ReferenceRatesHz { get; } = [0.971, 2.868, 4.746, 5.396, 8.142, 9.078, 0.991, 7.523];

    /// <summary>External (background) in-degree per population at scale 1.</summary>
    public static ImmutableArray<int> ExternalInDegree { get; } = [1600, 1500, 2100, 1900, 2000, 1900, 2900, 2100];

    /// <summary>Initial membrane potential: mean per population (mV).</summary>
    public static ImmutableArray<double> V0Mean { get; } = [-68.28, -63.16, -63.33, -63.45, -63.11, -61.66, -66.72, -61.43];

    /// <summary>Initial membrane potential: standard deviation per population (mV).</summary>
    public static ImmutableArray<double> V0Std { get; } = [5.36, 4.57, 4.74, 4.94, 4.94, 4.55, 5.46, 4.48];

    /// <summary>Connection probabilities, [target, source].</summary>
    public static double[,] ConnectionProbabilities { get; } = new double[8, 8]
    {
        { 0.1009, 0.1689, 0.0437, 0.0818, 0.0323, 0.0, 0.0076, 0.0 },
        { 0.1346, 0.1371, 0.0316, 0.0515, 0.0755, 0.0, 0.0042, 0.0 },
        { 0.0077, 0.0059, 0.0497, 0.135, 0.0067, 0.0003, 0.0453, 0.0 },
        { 0.0691, 0.0029, 0.0794, 0.1597, 0.0033, 0.0, 0.1057, 0.0 },
        { 0.1004, 0.0622, 0.0505, 0.0057, 0.0831, 0.3726, 0.0204, 0.0 },
        { 0.0548, 0.0269, 0.0257, 0.0022, 0.06, 0.3158, 0.0086, 0.0 },
        { 0.0156, 0.0066, 0.0211, 0.0166, 0.0572, 0.0197, 0.0396, 0.2252 },
        { 0.0364, 0.001, 0.0034, 0.0005, 0.0277, 0.008, 0.0658, 0.1443 },
    };

    /// <summary>Membrane capacitance (pF).</summary>
    public const double CmPf = 250;

    /// <summary>Membrane time constant (ms).</summary>
    public const double TauMMs = 10;

    /// <summary>Synaptic time constant (ms), excitatory and inhibitory.</summary>
    public const double TauSynMs = 0.5;

    /// <summary>Mean excitatory PSP amplitude (mV).</summary>
    public const double PspExcMv = 0.15;

    /// <summary>Relative inhibitory strength.</summary>
    public const double G = -4;

    /// <summary>Background rate per external synapse (Hz).</summary>
    public const double BackgroundRateHz = 8;

    /// <summary>
    /// The PSC amplitude (pA) whose PSP peaks at 1 mV for <c>iaf_psc_exp</c> with <see cref="CmPf"/>, <see cref="TauMMs"/>,
    /// <see cref="TauSynMs"/> (peak of the difference of exponentials).
    /// </summary>
    public static double PscPerPsp
    {
        get
        {
            double sub = 1.0 / (TauSynMs - TauMMs);
            double pre = TauMMs * TauSynMs / CmPf * sub;
            double frac = Math.Pow(TauMMs / TauSynMs, sub);
            return 1.0 / (pre * (Math.Pow(frac, TauMMs) - Math.Pow(frac, TauSynMs)));
        }
    }

    /// <summary>Neurons per population at <paramref name="nScale"/> (rounded, at least one).</summary>
    /// <param name="nScale">Neuron scaling factor.</param>
    public static int[] Sizes(double nScale) => [.. FullSizes.Select(n => Math.Max(1, (int)Math.Round(n * nScale, MidpointRounding.ToEven)))];

    /// <summary>Synapses of the full-scale model, [target, source] (not rounded).</summary>
    public static double[,] FullSynapses()
    {
        var k = new double[8, 8];
        for (int t = 0; t < 8; t++)
        {
            for (int s = 0; s < 8; s++)
            {
                double prod = (double)FullSizes[t] * FullSizes[s];
                k[t, s] = Math.Log(1 - ConnectionProbabilities[t, s]) / Math.Log((prod - 1) / prod);
            }
        }

        return k;
    }

    /// <summary>Derived quantities of one scaled instance.</summary>
    /// <param name="Sizes">Neurons per population.</param>
    /// <param name="Synapses">Synapses per projection, [target, source].</param>
    /// <param name="WeightPa">Mean PSC per projection (pA), [target, source], after in-degree scaling.</param>
    /// <param name="ExternalWeightPa">Mean PSC of a background synapse (pA), after in-degree scaling.</param>
    /// <param name="ExternalInDegree">Background in-degree per population, after in-degree scaling.</param>
    /// <param name="DcPa">DC input per population (pA): compensation of the scaling, plus the background's mean for DC background.</param>
    public sealed record Parameters(int[] Sizes, long[,] Synapses, double[,] WeightPa, double ExternalWeightPa, int[] ExternalInDegree, double[] DcPa);

    /// <summary>Derives sizes, synapse numbers, weights and DC input for a scaled instance, as the reference does.</summary>
    /// <param name="nScale">Neuron scaling factor in (0, 1].</param>
    /// <param name="kScale">In-degree scaling factor in (0, 1].</param>
    /// <param name="background">Background kind.</param>
    public static Parameters Derive(double nScale, double kScale, MicrocircuitBackground background)
    {
        double[,] full = FullSynapses();
        int[] sizes = Sizes(nScale);
        var synapses = new long[8, 8];
        var w = new double[8, 8];
        double psc = PspExcMv * PscPerPsp;
        var inputRec = new double[8];
        for (int t = 0; t < 8; t++)
        {
            for (int s = 0; s < 8; s++)
            {
                synapses[t, s] = (long)Math.Round(full[t, s] * nScale * kScale, MidpointRounding.ToEven);
                double mean = (s % 2 == 0 ? psc : psc * G) * (t == 0 && s == 2 ? 2 : 1);
                inputRec[t] += mean * (full[t, s] / FullSizes[t]) * ReferenceRatesHz[s];
                w[t, s] = mean / Math.Sqrt(kScale);
            }
        }

        var ext = new int[8];
        var dc = new double[8];
        for (int t = 0; t < 8; t++)
        {
            ext[t] = (int)Math.Round(ExternalInDegree[t] * kScale, MidpointRounding.ToEven);
            double bgMean = 0.001 * TauSynMs * psc * ExternalInDegree[t] * BackgroundRateHz;
            double lost = 1 - Math.Sqrt(kScale);
            dc[t] = 0.001 * TauSynMs * lost * inputRec[t];
            dc[t] += background == MicrocircuitBackground.Dc ? bgMean : lost * bgMean;
        }

        return new Parameters(sizes, synapses, w, psc / Math.Sqrt(kScale), ext, dc);
    }

    /// <summary>Builds the microcircuit.</summary>
    /// <param name="nScale">Neuron scaling factor in (0, 1].</param>
    /// <param name="kScale">In-degree scaling factor in (0, 1].</param>
    /// <param name="background">Background kind.</param>
    /// <param name="seed">Seed of connectivity, weights, delays, initial potentials and background.</param>
    /// <param name="dt">Time step of the clock-driven populations (delays are rounded to it).</param>
    public static NetworkSpec Build(double nScale, double kScale, MicrocircuitBackground background, ulong seed, SimDuration dt)
    {
        if (!(nScale > 0 && nScale <= 1))
        {
            throw new ArgumentException($"The neuron scale must be in (0, 1] (got {nScale}).");
        }

        if (!(kScale > 0 && kScale <= 1))
        {
            throw new ArgumentException($"The in-degree scale must be in (0, 1] (got {kScale}).");
        }

        Parameters p = Derive(nScale, kScale, background);
        double mvPerPa = TauMMs / CmPf;
        var b = new NetworkBuilder();
        var rng = new Random(unchecked((int)(seed * 2654435761UL % int.MaxValue)));
        for (int t = 0; t < 8; t++)
        {
            int n = p.Sizes[t];
            var v0 = new double[n];
            for (int j = 0; j < n; j++)
            {
                v0[j] = V0Mean[t] + (V0Std[t] * Gauss(rng));
            }

            double dcMv = p.DcPa[t] * mvPerPa;
            b.AddNeurons(Names[t], n, NeuronModel.CubaLif, o => o
                .Set("tau_m", TauMMs).Set("tau_e", TauSynMs).Set("tau_i", TauSynMs)
                .Set("v_rest", -65).Set("v_thresh", -50).Set("v_reset", -65).Set("t_ref", 2).Set("i_offset", dcMv)
                .InitialPerNeuron("v", v0).ClockDriven(dt));
        }

        for (int t = 0; t < 8; t++)
        {
            for (int s = 0; s < 8; s++)
            {
                long count = p.Synapses[t, s];
                if (count == 0)
                {
                    continue;
                }

                bool excitatory = s % 2 == 0;
                double meanDelayMs = excitatory ? 1.5 : 0.75;
                ExplicitConnectivity conn = FixedTotalNumber(rng, p.Sizes[s], p.Sizes[t], count, p.WeightPa[t, s] * mvPerPa, meanDelayMs, dt);
                b.Connect(Names[s], Names[t], conn, c => c.Receptor(excitatory ? "e" : "i"));
            }
        }

        if (background == MicrocircuitBackground.Poisson)
        {
            for (int t = 0; t < 8; t++)
            {
                string bg = Names[t] + ".bg";
                b.AddPoisson(bg, p.Sizes[t], BackgroundRateHz * p.ExternalInDegree[t], (seed * 64) + (ulong)t + 1);
                b.Connect(bg, Names[t], ConnectivitySpec.OneToOne(), c => c.Weight(p.ExternalWeightPa * mvPerPa).Receptor("e").Delay(SimDuration.FromMicroseconds(1500)));
            }
        }

        return b.Build();
    }

    /// <summary>
    /// <paramref name="count"/> synapses with pre and post drawn uniformly (autapses and multapses allowed), weights
    /// normal(mean, 0.1·|mean|) redrawn when of the wrong sign, delays normal(mean, mean/2) redrawn below one step and
    /// rounded to the step.
    /// </summary>
    private static ExplicitConnectivity FixedTotalNumber(Random rng, int preSize, int postSize, long count, double meanWeight, double meanDelayMs, SimDuration dt)
    {
        if (count > int.MaxValue)
        {
            throw new InvalidOperationException($"A projection of {count} synapses exceeds 2^31 − 1.");
        }

        int m = (int)count;
        var pre = new int[m];
        var post = new int[m];
        var weights = new float[m];
        var delays = new SimDuration[m];
        double dtMs = dt.Ticks / 1e6;
        for (int k = 0; k < m; k++)
        {
            pre[k] = rng.Next(preSize);
            post[k] = rng.Next(postSize);
            double w;
            do
            {
                w = meanWeight + (0.1 * Math.Abs(meanWeight) * Gauss(rng));
            }
            while (meanWeight >= 0 ? w < 0 : w > 0);

            double d;
            do
            {
                d = meanDelayMs + (0.5 * meanDelayMs * Gauss(rng));
            }
            while (d < dtMs);

            weights[k] = (float)w;
            delays[k] = SimDuration.FromTicks(Math.Max(1, (long)Math.Round(d / dtMs, MidpointRounding.ToEven)) * dt.Ticks);
        }

        return ConnectivitySpec.Explicit(pre, post, weights, delays);
    }

    private static double Gauss(Random rng)
    {
        double u = 1.0 - rng.NextDouble();
        double v = rng.NextDouble();
        return Math.Sqrt(-2.0 * Math.Log(u)) * Math.Cos(2.0 * Math.PI * v);
    }
}
