using EventSnn.Devices.Lanes;
using ILGPU;
using ILGPU.Runtime;

namespace EventSnn.Devices.Ilgpu;

/// <summary>
/// A clock-driven population resident on an <see cref="IlgpuDevice"/>: state columns, refractory counters, the input ring,
/// the incoming synapses and the window's spike flags live in device memory.
/// </summary>
/// <typeparam name="TModel">The model's clock step.</typeparam>
/// <remarks>
/// A window is: one launch that adds the queued deliveries into the ring (in queue order), one launch of the model kernel for
/// all steps of the window (one thread per neuron), three small launches that compact the spike flags into a (step, neuron)
/// ordered list, and two copies to the host: the step starts, then the spikes (and, for graded models, their amplitudes).
/// </remarks>
internal sealed class IlgpuClockPopulation<TModel> : IResidentClockPopulation
    where TModel : unmanaged, IClockStep<TModel>
{
    private readonly IlgpuDevice _device;
    private readonly Accelerator _acc;
    private readonly Action<Index1D, TModel, ArrayView<TModel>, StepViews, StepParams> _step;
    private readonly TModel _shared;
    private readonly bool _perNeuron;
    private readonly int _chunks;
    private readonly MemoryBuffer1D<float, Stride1D.Dense>[] _columns;
    private readonly MemoryBuffer1D<float, Stride1D.Dense> _refractory;
    private readonly MemoryBuffer1D<float, Stride1D.Dense> _ring;
    private readonly MemoryBuffer1D<int, Stride1D.Dense> _flags;
    private readonly MemoryBuffer1D<float, Stride1D.Dense> _amplitudes;
    private readonly MemoryBuffer1D<int, Stride1D.Dense> _counts;
    private readonly MemoryBuffer1D<int, Stride1D.Dense> _offsets;
    private readonly MemoryBuffer1D<int, Stride1D.Dense> _stepStarts;
    private readonly MemoryBuffer1D<int, Stride1D.Dense> _spikes;
    private readonly MemoryBuffer1D<float, Stride1D.Dense> _spikeAmplitudes;
    private readonly MemoryBuffer1D<TModel, Stride1D.Dense> _models;
    private readonly MemoryBuffer1D<float, Stride1D.Dense> _tables;
    private readonly List<(int TargetStart, int[] GroupStart, bool[] Serial, bool Plastic)> _incoming = [];
    private readonly List<int> _targetsHost = [];
    private readonly List<float> _weightsHost = [];
    private readonly int[] _stepStartsHost;
    private MemoryBuffer1D<int, Stride1D.Dense> _targets;
    private MemoryBuffer1D<float, Stride1D.Dense> _weights;
    private MemoryBuffer1D<Delivery, Stride1D.Dense> _records;
    private MemoryBuffer1D<float, Stride1D.Dense> _inline;
    private Delivery[] _pending = new Delivery[64];
    private float[] _pendingInline = new float[256];
    private int _pendingCount;
    private int _pendingInlineCount;
    private int[] _spikesHost = new int[256];
    private float[] _spikeAmplitudesHost = new float[256];
    private bool _disposed;

    public IlgpuClockPopulation(IlgpuDevice device, ResidentClockLayout layout, TModel[] models)
    {
        _device = device;
        _acc = device.Accelerator;
        Layout = layout;
        _step = device.StepKernel<TModel>();
        _perNeuron = models.Length > 1;
        _tables = BindTables(device, models);
        _shared = models[0];
        int p = layout.PaddedSize;
        _chunks = (p + ClockKernels.Chunk - 1) / ClockKernels.Chunk;
        _columns = new MemoryBuffer1D<float, Stride1D.Dense>[4];
        for (int k = 0; k < 4; k++)
        {
            _columns[k] = _acc.Allocate1D<float>(k < layout.Columns ? p : 1);
            _columns[k].MemSetToZero();
        }

        _refractory = Zeroed<float>(p);
        _ring = Zeroed<float>((long)layout.RingSlots * layout.Receptors * p);
        _flags = Zeroed<int>((long)layout.MaxWindowSteps * p);
        _amplitudes = Zeroed<float>(layout.Graded ? (long)layout.MaxWindowSteps * p : 1);
        _counts = Zeroed<int>((long)layout.MaxWindowSteps * _chunks);
        _offsets = Zeroed<int>((long)layout.MaxWindowSteps * _chunks);
        _stepStarts = Zeroed<int>(layout.MaxWindowSteps + 1);
        _spikes = Zeroed<int>((long)layout.MaxWindowSteps * p);
        _spikeAmplitudes = Zeroed<float>(layout.Graded ? (long)layout.MaxWindowSteps * p : 1);
        _models = _acc.Allocate1D<TModel>(models.Length);
        _models.Flat().CopyFromCPU(models);
        _stepStartsHost = new int[layout.MaxWindowSteps + 1];
        _targets = Zeroed<int>(1);
        _weights = Zeroed<float>(1);
        _records = Zeroed<Delivery>(64);
        _inline = Zeroed<float>(256);
    }

    public ResidentClockLayout Layout { get; }

    public int AddIncoming(ReadOnlySpan<int> groupStart, ReadOnlySpan<int> targets, ReadOnlySpan<float> weights, bool plastic)
    {
        ObjectDisposedException.ThrowIf(_disposed, this);
        if (groupStart.Length < 1 || groupStart[0] != 0 || groupStart[^1] != targets.Length || targets.Length != weights.Length)
        {
            throw new ArgumentException($"Incoming projection: {groupStart.Length} group starts, {targets.Length} targets and {weights.Length} weights are inconsistent.", nameof(groupStart));
        }

        var serial = new bool[groupStart.Length - 1];
        var stamp = new int[Layout.Size];
        Array.Fill(stamp, -1);
        for (int g = 0; g < serial.Length; g++)
        {
            if (groupStart[g + 1] < groupStart[g])
            {
                throw new ArgumentException($"Incoming projection: group {g} ends before it starts.", nameof(groupStart));
            }

            for (int k = groupStart[g]; k < groupStart[g + 1]; k++)
            {
                int t = targets[k];
                if ((uint)t >= (uint)Layout.Size)
                {
                    throw new ArgumentException($"Incoming projection: target {t} of synapse {k} is outside [0, {Layout.Size}).", nameof(targets));
                }

                serial[g] |= stamp[t] == g;
                stamp[t] = g;
            }
        }

        int start = _targetsHost.Count;
        if ((long)start + targets.Length > int.MaxValue)
        {
            throw new ArgumentException("Incoming projections of one resident population exceed 2^31 synapses.", nameof(targets));
        }

        _targetsHost.AddRange(targets);
        _weightsHost.AddRange(weights);
        _incoming.Add((start, groupStart.ToArray(), serial, plastic));
        _targets.Dispose();
        _weights.Dispose();
        _targets = _acc.Allocate1D([.. _targetsHost.DefaultIfEmpty(0)]);
        _weights = _acc.Allocate1D([.. _weightsHost.DefaultIfEmpty(0f)]);
        return _incoming.Count - 1;
    }

    public void Deliver(int projection, int group, int ringRow, float amplitude, ReadOnlySpan<float> currentWeights)
    {
        (int targetStart, int[] groupStart, bool[] serial, bool plastic) = _incoming[projection];
        int from = groupStart[group];
        int length = groupStart[group + 1] - from;
        if (length == 0)
        {
            return;
        }

        if (_pendingCount == _pending.Length)
        {
            Array.Resize(ref _pending, _pending.Length * 2);
        }

        int weightStart = targetStart + from;
        if (plastic)
        {
            if (currentWeights.Length != length)
            {
                throw new ArgumentException($"A plastic delivery needs the group's {length} current weights, got {currentWeights.Length}.", nameof(currentWeights));
            }

            if (_pendingInlineCount + length > _pendingInline.Length)
            {
                Array.Resize(ref _pendingInline, Math.Max(_pendingInline.Length * 2, _pendingInlineCount + length));
            }

            currentWeights.CopyTo(_pendingInline.AsSpan(_pendingInlineCount));
            weightStart = _pendingInlineCount;
            _pendingInlineCount += length;
        }

        _pending[_pendingCount++] = new Delivery
        {
            TargetStart = targetStart + from,
            Length = length,
            WeightStart = weightStart,
            Inline = plastic ? 1 : 0,
            Serial = serial[group] ? 1 : 0,
            Row = ringRow,
            Amplitude = amplitude,
        };
    }

    public int RunWindow(long firstStep, int steps, SpikeBuffer spikes, float[][]? amplitudes)
    {
        ObjectDisposedException.ThrowIf(_disposed, this);
        ArgumentNullException.ThrowIfNull(spikes);
        ArgumentOutOfRangeException.ThrowIfLessThan(steps, 1);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(steps, Layout.MaxWindowSteps);
        Flush();
        int p = Layout.PaddedSize;
        var views = new StepViews
        {
            V = _columns[0].View,
            S1 = _columns[1].View,
            S2 = _columns[2].View,
            S3 = _columns[3].View,
            Refractory = _refractory.View,
            Ring = _ring.View,
            Flags = _flags.View,
            Amplitudes = _amplitudes.View,
        };
        var args = new StepParams
        {
            Size = Layout.Size,
            Padded = p,
            Columns = Layout.Columns,
            Receptors = Layout.Receptors,
            RingSlots = Layout.RingSlots,
            Steps = steps,
            PerNeuron = _perNeuron ? 1 : 0,
            Graded = Layout.Graded ? 1 : 0,
            FirstStep = firstStep,
        };
        _step(p, _shared, _models.View, views, args);
        int tasks = steps * _chunks;
        _device.CountKernel(tasks, _flags.View, _counts.View, p, _chunks);
        _device.ScanKernel(1, _counts.View, _offsets.View, _stepStarts.View, steps, _chunks);
        _device.ScatterKernel(tasks, _flags.View, _offsets.View, _spikes.View, _amplitudes.View, _spikeAmplitudes.View, p, _chunks, Layout.Graded ? 1 : 0);
        _stepStarts.Flat().SubView(0, steps + 1).CopyToCPU(_stepStartsHost.AsSpan(0, steps + 1));
        int total = _stepStartsHost[steps];
        if (total > _spikesHost.Length)
        {
            _spikesHost = new int[Math.Max(total, _spikesHost.Length * 2)];
            _spikeAmplitudesHost = new float[_spikesHost.Length];
        }

        if (total > 0)
        {
            _spikes.Flat().SubView(0, total).CopyToCPU(_spikesHost.AsSpan(0, total));
            if (amplitudes is not null && Layout.Graded)
            {
                _spikeAmplitudes.Flat().SubView(0, total).CopyToCPU(_spikeAmplitudesHost.AsSpan(0, total));
                for (int s = 0; s < steps; s++)
                {
                    for (int k = _stepStartsHost[s]; k < _stepStartsHost[s + 1]; k++)
                    {
                        amplitudes[s][_spikesHost[k]] = _spikeAmplitudesHost[k];
                    }
                }
            }
        }

        spikes.Load(steps, _stepStartsHost.AsSpan(0, steps + 1), _spikesHost.AsSpan(0, total));
        return total;
    }

    public void Download(float[][] columns, float[] refractory, float[][] ring)
    {
        ObjectDisposedException.ThrowIf(_disposed, this);
        Flush();
        int p = Layout.PaddedSize;
        for (int k = 0; k < Layout.Columns; k++)
        {
            _columns[k].Flat().CopyToCPU(columns[k].AsSpan(0, p));
        }

        _refractory.Flat().CopyToCPU(refractory.AsSpan(0, p));
        for (int r = 0; r < ring.Length; r++)
        {
            _ring.Flat().SubView((long)r * p, p).CopyToCPU(ring[r].AsSpan(0, p));
        }
    }

    public void Upload(float[][] columns, float[] refractory, float[][] ring)
    {
        ObjectDisposedException.ThrowIf(_disposed, this);
        _pendingCount = 0;
        _pendingInlineCount = 0;
        int p = Layout.PaddedSize;
        for (int k = 0; k < Layout.Columns; k++)
        {
            _columns[k].Flat().CopyFromCPU(new ReadOnlySpan<float>(columns[k], 0, p));
        }

        _refractory.Flat().CopyFromCPU(new ReadOnlySpan<float>(refractory, 0, p));
        for (int r = 0; r < ring.Length; r++)
        {
            _ring.Flat().SubView((long)r * p, p).CopyFromCPU(new ReadOnlySpan<float>(ring[r], 0, p));
        }
    }

    public void Dispose()
    {
        if (_disposed)
        {
            return;
        }

        _disposed = true;
        foreach (MemoryBuffer b in new MemoryBuffer[] { _refractory, _ring, _flags, _amplitudes, _counts, _offsets, _stepStarts, _spikes, _spikeAmplitudes, _models, _tables, _targets, _weights, _records, _inline })
        {
            b.Dispose();
        }

        foreach (var c in _columns)
        {
            c.Dispose();
        }
    }

    /// <summary>
    /// Copies the models' <see cref="ClockTable"/>s (one copy per distinct table) into device memory and rebinds every model to
    /// its device copy, so the step reads it where it runs.
    /// </summary>
    private static MemoryBuffer1D<float, Stride1D.Dense> BindTables(IlgpuDevice device, TModel[] models)
    {
        var offsets = new Dictionary<ClockTable, int>();
        var values = new List<float>();
        if (models[0] is IClockTables<TModel>)
        {
            foreach (TModel m in models)
            {
                ClockTable t = ((IClockTables<TModel>)m).Table;
                if (t.Count != 0 && offsets.TryAdd(t, values.Count))
                {
                    values.AddRange(t.ToArray());
                }
            }
        }

        if (values.Count == 0)
        {
            return device.Accelerator.Allocate1D<float>(1);
        }

        if (device.Kind == IlgpuAcceleratorKind.OpenCL)
        {
            throw new NotSupportedException($"Model {typeof(TModel).Name} reads a table of {values.Count} values (e.g. non-uniform state_quant levels), which {device.Name} cannot address: use CUDA, the ILGPU CPU accelerator or the CPU device.");
        }

        var buffer = device.Accelerator.Allocate1D<float>(values.Count);
        buffer.CopyFromCPU(values.ToArray());
        ulong address = (ulong)buffer.NativePtr;
        for (int i = 0; i < models.Length; i++)
        {
            var withTables = (IClockTables<TModel>)models[i];
            ClockTable t = withTables.Table;
            if (t.Count != 0)
            {
                models[i] = withTables.WithTable(new ClockTable(address + ((ulong)offsets[t] * sizeof(float)), t.Count));
            }
        }

        return buffer;
    }

    /// <summary>Adds the queued deliveries into the ring, in queue order.</summary>
    private void Flush()
    {
        if (_pendingCount == 0)
        {
            return;
        }

        if (_records.Length < _pendingCount)
        {
            _records.Dispose();
            _records = _acc.Allocate1D<Delivery>(_pending.Length);
        }

        if (_inline.Length < _pendingInlineCount)
        {
            _inline.Dispose();
            _inline = _acc.Allocate1D<float>(_pendingInline.Length);
        }

        _records.Flat().SubView(0, _pendingCount).CopyFromCPU(new ReadOnlySpan<Delivery>(_pending, 0, _pendingCount));
        if (_pendingInlineCount > 0)
        {
            _inline.Flat().SubView(0, _pendingInlineCount).CopyFromCPU(new ReadOnlySpan<float>(_pendingInline, 0, _pendingInlineCount));
        }

        _device.PropagateKernel(new KernelConfig(1, _device.GroupSize), _records.View, _pendingCount, _targets.View, _weights.View, _inline.View, _ring.View, Layout.PaddedSize);
        _pendingCount = 0;
        _pendingInlineCount = 0;
    }

    private MemoryBuffer1D<T, Stride1D.Dense> Zeroed<T>(long length)
        where T : unmanaged
    {
        MemoryBuffer1D<T, Stride1D.Dense> b = _acc.Allocate1D<T>(Math.Max(1, length));
        b.MemSetToZero();
        return b;
    }
}

/// <summary>Dense 1-D buffers as contiguous views.</summary>
internal static class BufferViews
{
    /// <summary>The buffer as a contiguous <see cref="ArrayView{T}"/>.</summary>
    public static ArrayView<T> Flat<T>(this MemoryBuffer1D<T, Stride1D.Dense> buffer)
        where T : unmanaged
        => buffer.View;
}
