using System.Runtime.CompilerServices;
using EventSnn.Devices.Lanes;

namespace EventSnn.Simulator.Models.SnnTorch;

/// <summary>
/// snnTorch's <c>state_quant</c> (<c>snntorch.functional.quant.state_quant</c>): a state is replaced by the nearest of a fixed
/// set of levels (the lowest level on a tie, as <c>torch.min</c> returns the first index).
/// </summary>
/// <remarks>
/// Uniform levels are <c>torch.linspace(−thr·(1 + lower_limit), thr·(1 + upper_limit), 2^num_bits)</c> computed in float32 as
/// the library's CPU kernel does (<c>start + step·i</c> for the lower half, <c>end − step·(n − 1 − i)</c> for the upper half);
/// the nearest one is found among the neighbours of <c>⌊(x − start)/step⌋</c>. Non-uniform levels (exponentially spaced,
/// centred on the threshold or on zero) are computed in double precision exactly as the library's Python does, then rounded
/// to float32, kept in a pinned <see cref="ClockTable"/> (so the model struct stays blittable and runs on GPUs, which copy
/// the table into device memory) and searched one by one.
/// </remarks>
internal readonly struct StateQuantizer
{
    private readonly ClockTable _levels;
    private readonly float _start;
    private readonly float _end;
    private readonly float _step;
    private readonly float _half;
    private readonly float _last;

    private StateQuantizer(ClockTable levels, float start, float end, int count)
    {
        Enabled = true;
        _levels = levels;
        _start = start;
        _end = end;
        _step = (end - start) / (count - 1);
        _half = count / 2;
        _last = count - 1;
    }

    /// <summary>Whether quantisation is on.</summary>
    public BlittableBool Enabled { get; }

    /// <summary>Whether every level is finite.</summary>
    public bool IsValid => !Enabled || (_levels.Count == 0 ? float.IsFinite(_start) && float.IsFinite(_end) && float.IsFinite(_step) : _levels.ToArray().All(float.IsFinite));

    /// <summary>The table of non-uniform levels (<c>Count</c> 0 when uniform or off).</summary>
    public ClockTable Table => _levels;

    /// <summary>The levels (for tests and documentation).</summary>
    public float[] Levels
    {
        get
        {
            if (!Enabled)
            {
                return [];
            }

            if (_levels.Count != 0)
            {
                return _levels.ToArray();
            }

            var l = new float[(int)_last + 1];
            for (int i = 0; i < l.Length; i++)
            {
                l[i] = Level(i);
            }

            return l;
        }
    }

    /// <summary>Creates the quantizer from the <see cref="SnnTorchCommon.StateQuantParameters"/> values.</summary>
    /// <param name="p">state_quant, num_bits, uniform, thr_centered, threshold, lower_limit, upper_limit, multiplier (0 = automatic).</param>
    public static StateQuantizer Create(ReadOnlySpan<double> p)
    {
        if (p[0] == 0)
        {
            return default;
        }

        int bits = (int)p[1];
        bool uniform = p[2] != 0;
        bool centered = p[3] != 0;
        double threshold = p[4];
        double lower = p[5];
        double upper = p[6];
        double multiplier = p[7];
        int count = 2 << (bits - 1);
        if (uniform)
        {
            return new StateQuantizer(default, (float)(-threshold - (threshold * lower)), (float)(threshold + (threshold * upper)), count);
        }

        if (multiplier == 0)
        {
            multiplier = bits switch
            {
                1 => 0.05,
                2 => 0.1,
                3 => 0.3,
                4 => 0.5,
                5 => 0.7,
                6 => 0.9,
                7 => 0.925,
                _ => 0.95,
            };
        }

        double maxVal = threshold + (threshold * upper);
        double minVal = -(threshold + (threshold * lower));
        double overall = maxVal - minVal;
        double pivot = centered ? threshold : 0;
        double lowerRange = pivot - minVal;
        double upperRange = maxVal - pivot;
        int lowerBits = (int)Math.Floor(count * (lowerRange / overall));
        int upperBits = count - lowerBits;
        var store = new List<double>(count);
        if (lowerBits != 0)
        {
            double sum = 0;
            for (int j = lowerBits - 1; j >= 0; j--)
            {
                sum += Math.Pow(multiplier, j);
            }

            double room = sum / lowerRange;
            double t = minVal;
            for (int j = 0; j < lowerBits; j++)
            {
                store.Add(t);
                t += Math.Pow(multiplier, j) / room;
            }
        }

        if (upperBits != 0)
        {
            double sum = 0;
            for (int j = upperBits - 1; j >= 0; j--)
            {
                sum += Math.Pow(multiplier, j);
            }

            double room = sum / upperRange;
            double t = pivot;
            for (int j = upperBits - 1; j >= 0; j--)
            {
                t += Math.Pow(multiplier, j) / room;
                store.Add(t);
            }
        }

        return new StateQuantizer(ClockTable.Pin([.. store.Select(x => (float)x)]), 0, 0, 2);
    }

    /// <summary>The same quantizer reading its non-uniform levels from <paramref name="table"/> (a device copy).</summary>
    /// <param name="table">A table with the same values as <see cref="Table"/>.</param>
    public StateQuantizer WithTable(ClockTable table)
        => _levels.Count == 0 ? this : new StateQuantizer(table, _start, _end, (int)_last + 1);

    /// <summary>Level <paramref name="i"/> of a uniform quantizer (float32, as the library's linspace).</summary>
    private float Level(int i) => i < _half ? _start + (_step * i) : _end - (_step * (_last - i));

    /// <summary>The nearest level to each lane's value (the lowest on a tie).</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public TLane Apply<TLane, TMask>(TLane x)
        where TLane : struct, ILane<TLane, TMask>
        where TMask : struct, ILaneMask<TMask>
    {
        int count = _levels.Count;
        if (count != 0)
        {
            TLane best = TLane.Splat(_levels[0]);
            TLane bestDistance = TLane.Abs(best - x);
            for (int k = 1; k < count; k++)
            {
                TLane level = TLane.Splat(_levels[k]);
                TLane d = TLane.Abs(level - x);
                TMask closer = TLane.LessThan(d, bestDistance);
                best = TLane.Select(closer, level, best);
                bestDistance = TLane.Select(closer, d, bestDistance);
            }

            return best;
        }

        TLane zero = TLane.Splat(0f);
        TLane last = TLane.Splat(_last);
        TLane guess = TLane.Floor((x - TLane.Splat(_start)) / TLane.Splat(_step)) - TLane.Splat(1f);
        TLane result = zero;
        TLane resultDistance = TLane.Splat(float.PositiveInfinity);
        for (int k = 0; k < 4; k++)
        {
            TLane i = TLane.Min(TLane.Max(guess + TLane.Splat(k), zero), last);
            TLane low = TLane.Splat(_start) + (TLane.Splat(_step) * i);
            TLane high = TLane.Splat(_end) - (TLane.Splat(_step) * (last - i));
            TLane level = TLane.Select(TLane.LessThan(i, TLane.Splat(_half)), low, high);
            TLane d = TLane.Abs(level - x);

            // Candidates come in ascending order: a strictly smaller distance wins, so ties keep the lower level.
            TMask closer = TLane.LessThan(d, resultDistance);
            result = TLane.Select(closer, level, result);
            resultDistance = TLane.Select(closer, d, resultDistance);
        }

        return result;
    }
}
