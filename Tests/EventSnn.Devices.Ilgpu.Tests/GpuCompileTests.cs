using System.Reflection;
using EventSnn.Devices.Lanes;
using EventSnn.Simulator.Models;
using ILGPU;
using ILGPU.Algorithms;
using ILGPU.Backends.EntryPoints;
using ILGPU.Backends.OpenCL;
using ILGPU.Backends.PTX;
using ILGPU.Runtime;
using ILGPU.Runtime.Cuda;
using ILGPU.Runtime.OpenCL;

namespace EventSnn.Devices.Ilgpu.Tests;

/// <summary>
/// Every kernel compiles for GPUs (PTX for CUDA, OpenCL C) on a machine without one, and the compiled model steps keep
/// IEEE round-to-nearest arithmetic (explicit <c>.rn</c>) that the PTX assembler does not contract into fused multiply-adds.
/// </summary>
public sealed class GpuCompileTests
{
    public static TheoryData<Type> ModelTypes => [typeof(Lif), typeof(IntegrateAndFire), typeof(CubaLif), typeof(CobaLif), typeof(AdaptiveLif)];

    [Theory]
    [MemberData(nameof(ModelTypes))]
    public void ModelStepKernelCompilesToPtxWithoutContractibleArithmetic(Type model)
    {
        string ptx = CompilePtx(typeof(ClockKernels).GetMethod(nameof(ClockKernels.StepWindow))!.MakeGenericMethod(model), grouped: false);
        // Lane arithmetic is emitted with an explicit rounding modifier (the plain forms ILGPU also emits sit in branches
        // that are never taken on CUDA), and nothing is fused.
        Assert.Contains("add.rn.f32", ptx, StringComparison.Ordinal);
        Assert.Contains("sub.rn.f32", ptx, StringComparison.Ordinal);
        Assert.DoesNotContain("fma.", ptx, StringComparison.Ordinal);
    }

    [Fact]
    public void CompactionPropagationAndStdpKernelsCompileToPtx()
    {
        foreach (string name in new[] { nameof(ClockKernels.CountChunks), nameof(ClockKernels.ScanCounts), nameof(ClockKernels.ScatterChunks) })
        {
            Assert.Contains(".entry", CompilePtx(typeof(ClockKernels).GetMethod(name)!, grouped: false), StringComparison.Ordinal);
        }

        string propagate = CompilePtx(typeof(ClockKernels).GetMethod(nameof(ClockKernels.Propagate))!, grouped: true);
        Assert.Contains("bar.sync", propagate, StringComparison.Ordinal);
        Assert.DoesNotContain("atom.", propagate, StringComparison.Ordinal);
        string stdp = CompilePtx(typeof(StdpKernels).GetMethod(nameof(StdpKernels.Apply))!, grouped: true);
        Assert.Contains("mul.rn.f64", stdp, StringComparison.Ordinal);
        Assert.DoesNotContain("fma.", stdp, StringComparison.Ordinal);
    }

    [Theory]
    [MemberData(nameof(ModelTypes))]
    public void ModelStepKernelCompilesToOpenCl(Type model)
    {
        using Context context = Context.Create(b => b.EnableAlgorithms().Math(MathMode.Default));
        using var backend = new CLBackend(context, new CLCapabilityContext(true, true, true, true, true), CLDeviceVendor.Other, new CLCVersion(2, 0));
        var entry = EntryPointDescription.FromImplicitlyGroupedKernel(typeof(ClockKernels).GetMethod(nameof(ClockKernels.StepWindow))!.MakeGenericMethod(model));
        var compiled = (CLCompiledKernel)backend.Compile(entry, default);
        Assert.Contains("kernel", compiled.Source, StringComparison.Ordinal);
    }

    [Fact]
    public void NonBlittableModelsAreRefusedWithAClearMessage()
    {
        var layout = new ResidentClockLayout(4, 8, 1, 1, 2, 1, false);
        var ex = Assert.ThrowsAny<NotSupportedException>(() => TestDevices.Cpu.CreateClockPopulation<BoolModel>(layout, [default]));
        Assert.Contains("blittable", ex.Message, StringComparison.Ordinal);
    }

    private static string CompilePtx(MethodInfo method, bool grouped)
    {
        using Context context = Context.Create(b => b.EnableAlgorithms().Math(MathMode.Default).Optimize(OptimizationLevel.O2));
        using var backend = new PTXBackend(context, new CudaCapabilityContext(CudaArchitecture.SM_90), CudaArchitecture.SM_90, CudaInstructionSet.ISA_80, null);
        EntryPointDescription entry = grouped ? EntryPointDescription.FromExplicitlyGroupedKernel(method) : EntryPointDescription.FromImplicitlyGroupedKernel(method);
        return ((PTXCompiledKernel)backend.Compile(entry, default)).PTXAssembly;
    }

    /// <summary>A model with a plain bool field: not blittable, so ILGPU refuses it.</summary>
    public readonly struct BoolModel : IClockStep<BoolModel>
    {
        private readonly bool _flag;

        public BoolModel(bool flag) => _flag = flag;

        public TMask StepClock<TLane, TMask>(ref ClockNeuron<TLane> neuron, TLane input0, TLane input1)
            where TLane : struct, ILane<TLane, TMask>
            where TMask : struct, ILaneMask<TMask>
            => _flag ? TMask.True : TMask.False;
    }
}
