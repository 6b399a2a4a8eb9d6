using System.CommandLine;
using System.Globalization;
using EventSnn.Devices;
using EventSnn.Devices.Ilgpu;

namespace EventSnn.Cli.Commands;

/// <summary>
/// The <c>--device cpu|cuda|opencl|ilgpu-cpu|auto</c> option shared by every command that runs a network: add it with
/// <see cref="Create"/> and turn the parsed value into a device with <see cref="Select"/>.
/// </summary>
/// <remarks>
/// <para><c>auto</c> rule: a CUDA GPU, else an OpenCL GPU, when one is present and the network has at least
/// <see cref="AutoGpuMinNeurons"/> clock-driven neurons; otherwise the CPU device. Below that size a GPU loses to the CPU device
/// (a window costs a few kernel launches and two small copies whatever the size); the threshold is the documented starting
/// point, to be replaced by the crossover that <c>Tests/gpu/check.sh</c> measures on CUBA (docs/BENCHMARKS.md).</para>
/// <para>What <c>auto</c> chose, and why, is printed on standard error (and in the JSON of benchmarks, as <c>device</c>).</para>
/// </remarks>
internal static class DeviceOption
{
    /// <summary>The smallest number of clock-driven neurons for which <c>auto</c> picks a GPU.</summary>
    public const int AutoGpuMinNeurons = 20_000;

    /// <summary>Creates the option (default <c>cpu</c>).</summary>
    public static Option<string> Create()
    {
        var option = new Option<string>("--device")
        {
            Description = $"Device of clock-driven populations: cpu (CPU SIMD device), cuda or opencl (a GPU through ILGPU), ilgpu-cpu (ILGPU's CPU emulator, for tests), auto (a GPU when present and the network has at least {AutoGpuMinNeurons} clock-driven neurons, else cpu).",
            DefaultValueFactory = _ => "cpu",
        };
        option.AcceptOnlyFromAmong("cpu", "cuda", "opencl", "ilgpu-cpu", "auto");
        return option;
    }

    /// <summary>
    /// Creates the device named by <paramref name="value"/> for a network with <paramref name="clockNeurons"/> clock-driven
    /// neurons. The CPU device is left to the engine (null device).
    /// </summary>
    /// <param name="value">The option's value.</param>
    /// <param name="clockNeurons">Clock-driven neurons of the network (for <c>auto</c>).</param>
    /// <param name="log">Where the choice of <c>auto</c> is reported (standard error), or null.</param>
    /// <exception cref="NotSupportedException">The named GPU is not present (a one-line message).</exception>
    public static DeviceSelection Select(string? value, long clockNeurons, TextWriter? log)
    {
        switch (value ?? "cpu")
        {
            case "cpu":
                return new DeviceSelection(null, "cpu", "requested");
            case "cuda":
                return Ilgpu(IlgpuAcceleratorKind.Cuda, "cuda", "requested");
            case "opencl":
                return Ilgpu(IlgpuAcceleratorKind.OpenCL, "opencl", "requested");
            case "ilgpu-cpu":
                return Ilgpu(IlgpuAcceleratorKind.Cpu, "ilgpu-cpu", "requested");
            case "auto":
                DeviceSelection chosen = Auto(clockNeurons);
                log?.WriteLine(string.Create(CultureInfo.InvariantCulture, $"eventsnn: --device auto chose {chosen.Choice} ({chosen.Reason})"));
                return chosen;
            default:
                throw new ArgumentException($"--device must be cpu, cuda, opencl, ilgpu-cpu or auto (got '{value}').");
        }
    }

    private static DeviceSelection Auto(long clockNeurons)
    {
        if (clockNeurons < AutoGpuMinNeurons)
        {
            return new DeviceSelection(null, "cpu", string.Create(CultureInfo.InvariantCulture, $"{clockNeurons} clock-driven neurons < {AutoGpuMinNeurons}"));
        }

        foreach ((IlgpuAcceleratorKind kind, string name) in new[] { (IlgpuAcceleratorKind.Cuda, "cuda"), (IlgpuAcceleratorKind.OpenCL, "opencl") })
        {
            if (IlgpuDevice.TryCreate(kind, out IlgpuDevice? device, out _))
            {
                return new DeviceSelection(device, name, string.Create(CultureInfo.InvariantCulture, $"{clockNeurons} clock-driven neurons >= {AutoGpuMinNeurons} and {device.Name} present"));
            }
        }

        return new DeviceSelection(null, "cpu", "no CUDA or OpenCL GPU found");
    }

    private static DeviceSelection Ilgpu(IlgpuAcceleratorKind kind, string choice, string reason)
    {
        if (!IlgpuDevice.TryCreate(kind, out IlgpuDevice? device, out string? why))
        {
            throw new NotSupportedException($"--device {choice}: {why}");
        }

        return new DeviceSelection(device, choice, reason);
    }
}

/// <summary>A device chosen by <c>--device</c>; disposing it releases a GPU device.</summary>
/// <param name="Device">The device for <c>EngineOptions.Device</c> (null: the engine's own CPU device).</param>
/// <param name="Choice">What was chosen: cpu, cuda, opencl or ilgpu-cpu.</param>
/// <param name="Reason">Why (for <c>auto</c>), or "requested".</param>
internal sealed record DeviceSelection(IComputeDevice? Device, string Choice, string Reason) : IDisposable
{
    /// <summary>The device's full name (the CPU device's is the engine's).</summary>
    public string Name => Device?.Name ?? "cpu";

    /// <summary>Releases the GPU device, if any.</summary>
    public void Dispose() => Device?.Dispose();
}
