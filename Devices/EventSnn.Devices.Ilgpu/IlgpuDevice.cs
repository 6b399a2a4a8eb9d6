using System.Collections.Concurrent;
using System.Reflection;
using System.Runtime.CompilerServices;
using EventSnn.Devices.Lanes;
using ILGPU;
using ILGPU.Algorithms;
using ILGPU.Runtime;
using ILGPU.Runtime.CPU;
using ILGPU.Runtime.Cuda;
using ILGPU.Runtime.OpenCL;

namespace EventSnn.Devices.Ilgpu;

/// <summary>The accelerators an <see cref="IlgpuDevice"/> can run on.</summary>
public enum IlgpuAcceleratorKind
{
    /// <summary>An NVIDIA GPU through CUDA.</summary>
    Cuda = 0,

    /// <summary>A GPU through OpenCL (2.0 or later, with the generic address space).</summary>
    OpenCL = 1,

    /// <summary>ILGPU's CPU accelerator: an emulator of a GPU on the CPU threads (for tests; far slower than the CPU device).</summary>
    Cpu = 2,
}

/// <summary>
/// The ILGPU compute device: clock-driven populations resident on a CUDA or OpenCL GPU (or ILGPU's CPU accelerator), with the
/// model step, synaptic accumulation and spike compaction on the device; per window only the spike list crosses to the host.
/// </summary>
/// <remarks>
/// <para>It implements <see cref="IResidentClockDevice"/>: engines create their clock-driven populations on it. Host-side
/// kernels (<see cref="For{TKernel}"/>, <see cref="RunSteps{TKernel}"/>) are not supported: its buffers are not host-visible.</para>
/// <para>One device holds one ILGPU context and accelerator; it is used by one caller thread at a time.</para>
/// </remarks>
public sealed class IlgpuDevice : IComputeDevice, IResidentClockDevice
{
    private static readonly MethodInfo s_create = typeof(IlgpuDevice).GetMethod(nameof(CreateTyped), BindingFlags.NonPublic | BindingFlags.Instance)!;
    private readonly Context _context;
    private readonly ConcurrentDictionary<Type, object> _stepKernels = new();
    private Action<Index1D, ArrayView<int>, ArrayView<int>, int, int>? _count;
    private Action<Index1D, ArrayView<int>, ArrayView<int>, ArrayView<int>, int, int>? _scan;
    private Action<Index1D, ArrayView<int>, ArrayView<int>, ArrayView<int>, ArrayView<float>, ArrayView<float>, int, int, int>? _scatter;
    private Action<KernelConfig, ArrayView<Delivery>, int, ArrayView<int>, ArrayView<float>, ArrayView<float>, ArrayView<float>, int>? _propagate;
    private Action<KernelConfig, ArrayView<StdpEntry>, int, StdpViews, StdpConstants>? _stdp;
    private bool _disposed;

    private IlgpuDevice(Context context, Accelerator accelerator, IlgpuAcceleratorKind kind)
    {
        _context = context;
        Accelerator = accelerator;
        Kind = kind;
        Name = $"ilgpu({KindName(kind)}: {accelerator.Name})";
        Parallelism = Math.Max(1, accelerator.NumMultiprocessors);
        // The CPU accelerator emulates a group with one thread per lane: keep its barriers cheap.
        GroupSize = Math.Clamp(accelerator.MaxNumThreadsPerGroup, 1, kind == IlgpuAcceleratorKind.Cpu ? 4 : 256);
    }

    /// <summary>The accelerator kind.</summary>
    public IlgpuAcceleratorKind Kind { get; }

    /// <inheritdoc cref="IComputeDevice.Name"/>
    public string Name { get; }

    /// <summary>The accelerator's multiprocessors.</summary>
    public int Parallelism { get; }

    /// <summary>Neurons per spike-compaction chunk.</summary>
    public int ChunkSize => ClockKernels.Chunk;

    /// <summary>False: buffers live in device memory; copies are explicit.</summary>
    public bool IsHostVisible => false;

    /// <summary>The ILGPU accelerator.</summary>
    internal Accelerator Accelerator { get; }

    /// <summary>Threads of the group that adds deliveries into rings.</summary>
    internal int GroupSize { get; }

    /// <summary>Creates a device on the first accelerator of <paramref name="kind"/>.</summary>
    /// <param name="kind">The accelerator kind.</param>
    /// <exception cref="NotSupportedException">No accelerator of that kind is present (the message says why).</exception>
    public static IlgpuDevice Create(IlgpuAcceleratorKind kind)
    {
        if (!TryCreate(kind, out IlgpuDevice? device, out string? reason))
        {
            throw new NotSupportedException(reason);
        }

        return device;
    }

    /// <summary>Creates a device on the first usable accelerator of <paramref name="kind"/>, or says why there is none.</summary>
    /// <param name="kind">The accelerator kind.</param>
    /// <param name="device">The device, when one was created.</param>
    /// <param name="reason">Why none was created, otherwise.</param>
    public static bool TryCreate(IlgpuAcceleratorKind kind, [System.Diagnostics.CodeAnalysis.NotNullWhen(true)] out IlgpuDevice? device, [System.Diagnostics.CodeAnalysis.NotNullWhen(false)] out string? reason)
    {
        device = null;
        Context? context = null;
        try
        {
            context = Context.Create(b =>
            {
                _ = kind switch
                {
                    IlgpuAcceleratorKind.Cuda => b.Cuda(),
                    IlgpuAcceleratorKind.OpenCL => b.OpenCL(d => d.Capabilities.GenericAddressSpace),
                    _ => b.CPU(),
                };
                b.EnableAlgorithms().Math(MathMode.Default).Optimize(OptimizationLevel.O1);
            });
            Device? found = context.Devices.FirstOrDefault(d => d.AcceleratorType == AcceleratorTypeOf(kind));
            if (found is null)
            {
                reason = $"No {KindName(kind)} accelerator found{(kind == IlgpuAcceleratorKind.Cuda ? " (no NVIDIA GPU or driver)" : kind == IlgpuAcceleratorKind.OpenCL ? " (no OpenCL 2.0 device with the generic address space)" : string.Empty)}.";
                context.Dispose();
                return false;
            }

            Accelerator accelerator = found is CPUDevice cpu ? cpu.CreateCPUAccelerator(context, CPUAcceleratorMode.Parallel) : found.CreateAccelerator(context);
            device = new IlgpuDevice(context, accelerator, kind);
            reason = null;
            return true;
        }
        catch (Exception ex) when (ex is not OutOfMemoryException)
        {
            context?.Dispose();
            reason = $"The {KindName(kind)} accelerator could not be started: {ex.Message}";
            return false;
        }
    }

    /// <summary>Whether an accelerator of <paramref name="kind"/> is present (creates and releases a device).</summary>
    /// <param name="kind">The accelerator kind.</param>
    public static bool IsAvailable(IlgpuAcceleratorKind kind)
    {
        if (TryCreate(kind, out IlgpuDevice? device, out _))
        {
            device.Dispose();
            return true;
        }

        return false;
    }

    /// <inheritdoc/>
    public DeviceBuffer<T> Allocate<T>(int length)
        where T : unmanaged
    {
        ObjectDisposedException.ThrowIf(_disposed, this);
        ArgumentOutOfRangeException.ThrowIfNegative(length);
        return new IlgpuBuffer<T>(this, length);
    }

    /// <inheritdoc/>
    public SpikeBuffer CreateSpikeBuffer(int neuronCapacity, int maxSteps = 1)
    {
        ObjectDisposedException.ThrowIf(_disposed, this);
        return new SpikeBuffer(this, neuronCapacity, maxSteps);
    }

    /// <summary>Not supported: host kernels need a host-visible device.</summary>
    /// <typeparam name="TKernel">The kernel.</typeparam>
    /// <param name="count">The number of elements.</param>
    /// <param name="kernel">The kernel.</param>
    /// <exception cref="NotSupportedException">Always.</exception>
    public void For<TKernel>(int count, ref TKernel kernel)
        where TKernel : struct, IRangeKernel
        => throw new NotSupportedException($"{Name} runs resident clock-driven populations; host kernels ({typeof(TKernel).Name}) need a host-visible device such as the CPU device.");

    /// <summary>Not supported: host kernels need a host-visible device.</summary>
    /// <typeparam name="TKernel">The kernel.</typeparam>
    /// <param name="count">The number of neurons.</param>
    /// <param name="steps">The window length.</param>
    /// <param name="kernel">The kernel.</param>
    /// <param name="spikes">The spike buffer.</param>
    /// <exception cref="NotSupportedException">Always.</exception>
    public int RunSteps<TKernel>(int count, int steps, ref TKernel kernel, SpikeBuffer spikes)
        where TKernel : struct, IStepKernel
        => throw new NotSupportedException($"{Name} runs resident clock-driven populations; host step kernels ({typeof(TKernel).Name}) need a host-visible device such as the CPU device.");

    /// <inheritdoc/>
    public void Synchronize()
    {
        ObjectDisposedException.ThrowIf(_disposed, this);
        Accelerator.Synchronize();
    }

    /// <inheritdoc/>
    public IResidentClockPopulation CreateClockPopulation<TModel>(ResidentClockLayout layout, ReadOnlySpan<TModel> models)
        where TModel : struct, IClockStep<TModel>
    {
        ObjectDisposedException.ThrowIf(_disposed, this);
        ArgumentNullException.ThrowIfNull(layout);
        layout.Validate();
        if (RuntimeHelpers.IsReferenceOrContainsReferences<TModel>())
        {
            throw new NotSupportedException($"Model {typeof(TModel).Name} holds references and cannot run on {Name}.");
        }

        if (models.Length != 1 && models.Length != layout.Size)
        {
            throw new ArgumentException($"Expected 1 or {layout.Size} model values, got {models.Length}.", nameof(models));
        }

        // TModel is unmanaged (checked above); the typed path needs the 'unmanaged' constraint, reached through reflection once.
        TModel[] copy = models.ToArray();
        try
        {
            return (IResidentClockPopulation)s_create.MakeGenericMethod(typeof(TModel)).Invoke(this, [layout, copy])!;
        }
        catch (TargetInvocationException ex) when (ex.InnerException is not null)
        {
            System.Runtime.ExceptionServices.ExceptionDispatchInfo.Capture(ex.InnerException).Throw();
            throw;
        }
    }

    /// <summary>Releases the accelerator and the ILGPU context.</summary>
    public void Dispose()
    {
        if (_disposed)
        {
            return;
        }

        _disposed = true;
        Accelerator.Dispose();
        _context.Dispose();
    }

    /// <inheritdoc/>
    public override string ToString() => Name;

    internal Action<Index1D, TModel, ArrayView<TModel>, StepViews, StepParams> StepKernel<TModel>()
        where TModel : unmanaged, IClockStep<TModel>
    {
        try
        {
            return (Action<Index1D, TModel, ArrayView<TModel>, StepViews, StepParams>)_stepKernels.GetOrAdd(
                typeof(TModel),
                _ => Accelerator.LoadAutoGroupedStreamKernel<Index1D, TModel, ArrayView<TModel>, StepViews, StepParams>(ClockKernels.StepWindow));
        }
        catch (ArgumentException ex)
        {
            throw new NotSupportedException($"Model {typeof(TModel).Name} cannot run on {Name}: {ex.Message} (model structs must be blittable: use BlittableBool for flags).", ex);
        }
    }

    internal Action<Index1D, ArrayView<int>, ArrayView<int>, int, int> CountKernel
        => _count ??= Accelerator.LoadAutoGroupedStreamKernel<Index1D, ArrayView<int>, ArrayView<int>, int, int>(ClockKernels.CountChunks);

    internal Action<Index1D, ArrayView<int>, ArrayView<int>, ArrayView<int>, int, int> ScanKernel
        => _scan ??= Accelerator.LoadAutoGroupedStreamKernel<Index1D, ArrayView<int>, ArrayView<int>, ArrayView<int>, int, int>(ClockKernels.ScanCounts);

    internal Action<Index1D, ArrayView<int>, ArrayView<int>, ArrayView<int>, ArrayView<float>, ArrayView<float>, int, int, int> ScatterKernel
        => _scatter ??= Accelerator.LoadAutoGroupedStreamKernel<Index1D, ArrayView<int>, ArrayView<int>, ArrayView<int>, ArrayView<float>, ArrayView<float>, int, int, int>(ClockKernels.ScatterChunks);

    internal Action<KernelConfig, ArrayView<Delivery>, int, ArrayView<int>, ArrayView<float>, ArrayView<float>, ArrayView<float>, int> PropagateKernel
        => _propagate ??= Accelerator.LoadStreamKernel<ArrayView<Delivery>, int, ArrayView<int>, ArrayView<float>, ArrayView<float>, ArrayView<float>, int>(ClockKernels.Propagate);

    internal Action<KernelConfig, ArrayView<StdpEntry>, int, StdpViews, StdpConstants> StdpKernel
        => _stdp ??= Accelerator.LoadStreamKernel<ArrayView<StdpEntry>, int, StdpViews, StdpConstants>(StdpKernels.Apply);

    private static string KindName(IlgpuAcceleratorKind kind) => kind switch
    {
        IlgpuAcceleratorKind.Cuda => "cuda",
        IlgpuAcceleratorKind.OpenCL => "opencl",
        _ => "cpu accelerator",
    };

    private static AcceleratorType AcceleratorTypeOf(IlgpuAcceleratorKind kind) => kind switch
    {
        IlgpuAcceleratorKind.Cuda => AcceleratorType.Cuda,
        IlgpuAcceleratorKind.OpenCL => AcceleratorType.OpenCL,
        _ => AcceleratorType.CPU,
    };

    private IlgpuClockPopulation<TModel> CreateTyped<TModel>(ResidentClockLayout layout, TModel[] models)
        where TModel : unmanaged, IClockStep<TModel>
        => new(this, layout, models);
}
