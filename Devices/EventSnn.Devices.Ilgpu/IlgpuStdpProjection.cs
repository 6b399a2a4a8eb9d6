using ILGPU;
using ILGPU.Runtime;
using ILGPU.Runtime.Cuda;

namespace EventSnn.Devices.Ilgpu;

/// <summary>The constants of pair STDP (additive updates, hard bounds), with time constants in ticks.</summary>
/// <param name="APlus">Potentiation amplitude A₊ (≥ 0).</param>
/// <param name="AMinus">Depression amplitude A₋ (≥ 0).</param>
/// <param name="TauPlusTicks">Presynaptic trace time constant τ₊ in ticks (&gt; 0).</param>
/// <param name="TauMinusTicks">Postsynaptic trace time constant τ₋ in ticks (&gt; 0).</param>
/// <param name="WMin">Lower weight bound.</param>
/// <param name="WMax">Upper weight bound (≥ <paramref name="WMin"/>).</param>
/// <param name="Nearest">Whether a spike sets its trace to 1 (nearest-spike) instead of adding 1.</param>
public readonly record struct StdpParameters(double APlus, double AMinus, double TauPlusTicks, double TauMinusTicks, float WMin, float WMax, bool Nearest);

/// <summary>
/// Pair STDP of one projection with its weights and spike traces resident on an <see cref="IlgpuDevice"/>: the same rule and
/// the same arithmetic as the engine's host rule (<c>Plasticity/StdpRule</c>): lazily decayed double-precision traces, at a
/// presynaptic spike of i every synapse i→j gets <c>w ← clip((float)(w − A₋·x_post[j](t)))</c> and then <c>x_pre[i]</c> is bumped;
/// at a postsynaptic spike of j every synapse i→j gets <c>w ← clip((float)(w + A₊·x_pre[i](t)))</c>, then <c>x_post[j]</c> is bumped.
/// </summary>
/// <remarks>
/// <para>Spikes are queued on the host (<see cref="OnPreSpike"/>, <see cref="OnPostSpike"/>) in the order the engine notifies
/// them and applied by <see cref="Flush"/> in one launch: one group walks the queue in order, its threads sharing the synapses of
/// one spike (each synapse is written by one thread) with a barrier between spikes, so the result does not depend on thread
/// scheduling. The layout is the synapse table's (CSR by source, then delay group) for dense and sparse projections alike;
/// the incoming index is built on the host in the same order as <c>SynapseTable.BuildIncomingIndex</c>.</para>
/// <para>On ILGPU's CPU accelerator the numbers equal the host rule's bit for bit (tests). On CUDA, double-precision
/// <c>exp</c> is the device's, which may differ from the host's in the last bit; the float32 weight then differs at most in
/// rare roundings (documented tolerance: 1 float32 ulp per update).</para>
/// </remarks>
public sealed class IlgpuStdpProjection : IDisposable
{
    private readonly IlgpuDevice _device;
    private readonly StdpParameters _p;
    private readonly MemoryBuffer1D<int, Stride1D.Dense> _sourceGroupStart;
    private readonly MemoryBuffer1D<int, Stride1D.Dense> _groupStart;
    private readonly MemoryBuffer1D<int, Stride1D.Dense> _targets;
    private readonly MemoryBuffer1D<float, Stride1D.Dense> _weights;
    private readonly MemoryBuffer1D<int, Stride1D.Dense> _incomingStart;
    private readonly MemoryBuffer1D<int, Stride1D.Dense> _incomingSynapse;
    private readonly MemoryBuffer1D<int, Stride1D.Dense> _incomingPre;
    private readonly MemoryBuffer1D<double, Stride1D.Dense> _preValues;
    private readonly MemoryBuffer1D<long, Stride1D.Dense> _preLast;
    private readonly MemoryBuffer1D<double, Stride1D.Dense> _postValues;
    private readonly MemoryBuffer1D<long, Stride1D.Dense> _postLast;
    private MemoryBuffer1D<StdpEntry, Stride1D.Dense> _entries;
    private StdpEntry[] _pending = new StdpEntry[64];
    private int _count;
    private bool _disposed;

    /// <summary>Copies a projection's synapses to the device with zero traces.</summary>
    /// <param name="device">The device.</param>
    /// <param name="parameters">The rule.</param>
    /// <param name="postSize">Postsynaptic neurons.</param>
    /// <param name="sourceGroupStart">Per source, its first delay group (sources + 1 entries).</param>
    /// <param name="groupStart">Per delay group, its first synapse (groups + 1 entries).</param>
    /// <param name="targets">Per synapse, the postsynaptic neuron.</param>
    /// <param name="weights">Per synapse, the initial weight.</param>
    /// <exception cref="ArgumentException">The arrays are inconsistent or a parameter is out of range.</exception>
    public IlgpuStdpProjection(IlgpuDevice device, StdpParameters parameters, int postSize, ReadOnlySpan<int> sourceGroupStart, ReadOnlySpan<int> groupStart, ReadOnlySpan<int> targets, ReadOnlySpan<float> weights)
    {
        ArgumentNullException.ThrowIfNull(device);
        if (!(parameters.TauPlusTicks > 0) || !(parameters.TauMinusTicks > 0) || !(parameters.WMax >= parameters.WMin) || parameters.APlus < 0 || parameters.AMinus < 0)
        {
            throw new ArgumentException($"STDP parameters out of range: {parameters}.", nameof(parameters));
        }

        if (sourceGroupStart.Length < 1 || groupStart.Length < 1 || groupStart[^1] != targets.Length || targets.Length != weights.Length || sourceGroupStart[^1] != groupStart.Length - 1)
        {
            throw new ArgumentException("STDP projection: source groups, groups, targets and weights are inconsistent.", nameof(groupStart));
        }

        _device = device;
        _p = parameters;
        PreSize = sourceGroupStart.Length - 1;
        PostSize = postSize;

        // Incoming index: per post neuron, its synapses in (source, synapse) order.
        int[] start = new int[postSize + 1];
        foreach (int t in targets)
        {
            if ((uint)t >= (uint)postSize)
            {
                throw new ArgumentException($"STDP projection: target {t} is outside [0, {postSize}).", nameof(targets));
            }

            start[t + 1]++;
        }

        for (int j = 0; j < postSize; j++)
        {
            start[j + 1] += start[j];
        }

        int[] fill = start[..^1];
        int[] syn = new int[targets.Length];
        int[] pre = new int[targets.Length];
        for (int i = 0; i < PreSize; i++)
        {
            for (int k = groupStart[sourceGroupStart[i]]; k < groupStart[sourceGroupStart[i + 1]]; k++)
            {
                int e = fill[targets[k]]++;
                syn[e] = k;
                pre[e] = i;
            }
        }

        Accelerator acc = device.Accelerator;
        _sourceGroupStart = acc.Allocate1D(sourceGroupStart.ToArray());
        _groupStart = acc.Allocate1D(groupStart.ToArray());
        _targets = acc.Allocate1D(targets.Length == 0 ? [0] : targets.ToArray());
        _weights = acc.Allocate1D(weights.Length == 0 ? [0f] : weights.ToArray());
        _incomingStart = acc.Allocate1D(start);
        _incomingSynapse = acc.Allocate1D(syn.Length == 0 ? [0] : syn);
        _incomingPre = acc.Allocate1D(pre.Length == 0 ? [0] : pre);
        _preValues = Zeroed<double>(PreSize);
        _preLast = Zeroed<long>(PreSize);
        _postValues = Zeroed<double>(postSize);
        _postLast = Zeroed<long>(postSize);
        _entries = Zeroed<StdpEntry>(64);
        SynapseCount = targets.Length;
    }

    /// <summary>Presynaptic neurons.</summary>
    public int PreSize { get; }

    /// <summary>Postsynaptic neurons.</summary>
    public int PostSize { get; }

    /// <summary>Synapses.</summary>
    public int SynapseCount { get; }

    /// <summary>Queues the depression of a presynaptic spike of <paramref name="pre"/> at tick <paramref name="tick"/>.</summary>
    /// <param name="pre">Presynaptic neuron.</param>
    /// <param name="tick">Spike tick (not before the neuron's previous spike).</param>
    public void OnPreSpike(int pre, long tick) => Queue(0, pre, PreSize, tick);

    /// <summary>Queues the potentiation of a postsynaptic spike of <paramref name="post"/> at tick <paramref name="tick"/>.</summary>
    /// <param name="post">Postsynaptic neuron.</param>
    /// <param name="tick">Spike tick (not before the neuron's previous spike).</param>
    public void OnPostSpike(int post, long tick) => Queue(1, post, PostSize, tick);

    /// <summary>Applies the queued spikes on the device, in queue order.</summary>
    public void Flush()
    {
        ObjectDisposedException.ThrowIf(_disposed, this);
        if (_count == 0)
        {
            return;
        }

        if (_entries.Length < _count)
        {
            _entries.Dispose();
            _entries = _device.Accelerator.Allocate1D<StdpEntry>(_pending.Length);
        }

        _entries.Flat().SubView(0, _count).CopyFromCPU(new ReadOnlySpan<StdpEntry>(_pending, 0, _count));
        var views = new StdpViews
        {
            SourceGroupStart = _sourceGroupStart.View,
            GroupStart = _groupStart.View,
            Targets = _targets.View,
            Weights = _weights.View,
            IncomingStart = _incomingStart.View,
            IncomingSynapse = _incomingSynapse.View,
            IncomingPre = _incomingPre.View,
            PreValues = _preValues.View,
            PreLast = _preLast.View,
            PostValues = _postValues.View,
            PostLast = _postLast.View,
        };
        var constants = new StdpConstants
        {
            APlus = _p.APlus,
            AMinus = _p.AMinus,
            TauPlus = _p.TauPlusTicks,
            TauMinus = _p.TauMinusTicks,
            WMin = _p.WMin,
            WMax = _p.WMax,
            Nearest = _p.Nearest ? 1 : 0,
        };
        _device.StdpKernel(new KernelConfig(1, _device.GroupSize), _entries.View, _count, views, constants);
        _count = 0;
    }

    /// <summary>Applies queued spikes and copies the weights to <paramref name="destination"/> (<see cref="SynapseCount"/> values).</summary>
    /// <param name="destination">Receives the weights.</param>
    public void CopyWeightsTo(Span<float> destination)
    {
        Flush();
        if (destination.Length != SynapseCount)
        {
            throw new ArgumentException($"Expected {SynapseCount} weights, got room for {destination.Length}.", nameof(destination));
        }

        if (SynapseCount > 0)
        {
            _weights.Flat().SubView(0, SynapseCount).CopyToCPU(destination);
        }
    }

    /// <summary>Applies queued spikes and copies the stored traces (values valid at their last-update ticks).</summary>
    /// <param name="preValues">Receives the presynaptic trace values.</param>
    /// <param name="preLast">Receives their last-update ticks.</param>
    /// <param name="postValues">Receives the postsynaptic trace values.</param>
    /// <param name="postLast">Receives their last-update ticks.</param>
    public void CopyTracesTo(Span<double> preValues, Span<long> preLast, Span<double> postValues, Span<long> postLast)
    {
        Flush();
        _preValues.Flat().CopyToCPU(preValues);
        _preLast.Flat().CopyToCPU(preLast);
        _postValues.Flat().CopyToCPU(postValues);
        _postLast.Flat().CopyToCPU(postLast);
    }

    /// <summary>Releases the device memory.</summary>
    public void Dispose()
    {
        if (_disposed)
        {
            return;
        }

        _disposed = true;
        foreach (MemoryBuffer b in new MemoryBuffer[] { _sourceGroupStart, _groupStart, _targets, _weights, _incomingStart, _incomingSynapse, _incomingPre, _preValues, _preLast, _postValues, _postLast, _entries })
        {
            b.Dispose();
        }
    }

    private void Queue(int kind, int neuron, int size, long tick)
    {
        ObjectDisposedException.ThrowIf(_disposed, this);
        ArgumentOutOfRangeException.ThrowIfNegative(neuron);
        ArgumentOutOfRangeException.ThrowIfGreaterThanOrEqual(neuron, size);
        if (_count == _pending.Length)
        {
            Array.Resize(ref _pending, _pending.Length * 2);
        }

        _pending[_count++] = new StdpEntry { Kind = kind, Neuron = neuron, Tick = tick };
    }

    private MemoryBuffer1D<T, Stride1D.Dense> Zeroed<T>(int length)
        where T : unmanaged
    {
        MemoryBuffer1D<T, Stride1D.Dense> b = _device.Accelerator.Allocate1D<T>(Math.Max(1, length));
        b.MemSetToZero();
        return b;
    }
}

/// <summary>A queued STDP spike: kind 0 presynaptic, 1 postsynaptic.</summary>
internal struct StdpEntry
{
    public int Kind;
    public int Neuron;
    public long Tick;
}

/// <summary>The device arrays of an STDP projection.</summary>
internal struct StdpViews
{
    public ArrayView<int> SourceGroupStart;
    public ArrayView<int> GroupStart;
    public ArrayView<int> Targets;
    public ArrayView<float> Weights;
    public ArrayView<int> IncomingStart;
    public ArrayView<int> IncomingSynapse;
    public ArrayView<int> IncomingPre;
    public ArrayView<double> PreValues;
    public ArrayView<long> PreLast;
    public ArrayView<double> PostValues;
    public ArrayView<long> PostLast;
}

/// <summary>The rule's constants.</summary>
internal struct StdpConstants
{
    public double APlus;
    public double AMinus;
    public double TauPlus;
    public double TauMinus;
    public float WMin;
    public float WMax;
    public int Nearest;
}

/// <summary>The STDP kernel.</summary>
internal static class StdpKernels
{
    /// <summary>One group applies the queued spikes in order (see <see cref="IlgpuStdpProjection"/>).</summary>
    public static void Apply(ArrayView<StdpEntry> entries, int count, StdpViews v, StdpConstants c)
    {
        int tid = Group.IdxX;
        int width = Group.DimX;
        for (int r = 0; r < count; r++)
        {
            StdpEntry e = entries[r];
            int n = e.Neuron;
            long t = e.Tick;
            if (e.Kind == 0)
            {
                if (c.AMinus != 0)
                {
                    int from = v.GroupStart[v.SourceGroupStart[n]];
                    int to = v.GroupStart[v.SourceGroupStart[n + 1]];
                    for (int k = from + tid; k < to; k += width)
                    {
                        double x = TraceAt(v.PostValues, v.PostLast, v.Targets[k], t, c.TauMinus);
                        if (x != 0)
                        {
                            v.Weights[k] = Clip((float)SubD(v.Weights[k], MulD(c.AMinus, x)), c.WMin, c.WMax);
                        }
                    }
                }

                Group.Barrier();
                if (tid == 0)
                {
                    v.PreValues[n] = c.Nearest != 0 ? 1.0 : AddD(TraceAt(v.PreValues, v.PreLast, n, t, c.TauPlus), 1.0);
                    v.PreLast[n] = t;
                }
            }
            else
            {
                if (c.APlus != 0)
                {
                    int from = v.IncomingStart[n];
                    int to = v.IncomingStart[n + 1];
                    for (int q = from + tid; q < to; q += width)
                    {
                        double x = TraceAt(v.PreValues, v.PreLast, v.IncomingPre[q], t, c.TauPlus);
                        if (x != 0)
                        {
                            int k = v.IncomingSynapse[q];
                            v.Weights[k] = Clip((float)AddD(v.Weights[k], MulD(c.APlus, x)), c.WMin, c.WMax);
                        }
                    }
                }

                Group.Barrier();
                if (tid == 0)
                {
                    v.PostValues[n] = c.Nearest != 0 ? 1.0 : AddD(TraceAt(v.PostValues, v.PostLast, n, t, c.TauMinus), 1.0);
                    v.PostLast[n] = t;
                }
            }

            Group.Barrier();
        }
    }

    private static double TraceAt(ArrayView<double> values, ArrayView<long> last, int i, long t, double tau)
    {
        double x = values[i];
        return x == 0 ? 0 : MulD(x, Math.Exp(-(t - last[i]) / tau));
    }

    private static float Clip(float w, float min, float max) => w < min ? min : w > max ? max : w;

    private static double AddD(double a, double b)
    {
        if (CudaAsm.IsSupported)
        {
            CudaAsm.Emit("add.rn.f64 %0, %1, %2;", out double r, a, b);
            return r;
        }

        return a + b;
    }

    private static double SubD(double a, double b)
    {
        if (CudaAsm.IsSupported)
        {
            CudaAsm.Emit("sub.rn.f64 %0, %1, %2;", out double r, a, b);
            return r;
        }

        return a - b;
    }

    private static double MulD(double a, double b)
    {
        if (CudaAsm.IsSupported)
        {
            CudaAsm.Emit("mul.rn.f64 %0, %1, %2;", out double r, a, b);
            return r;
        }

        return a * b;
    }
}
