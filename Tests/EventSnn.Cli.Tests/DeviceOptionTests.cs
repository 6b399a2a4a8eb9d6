using System.Text.Json;
using EventSnn.Cli.Commands;
using EventSnn.Devices.Ilgpu;

namespace EventSnn.Cli.Tests;

/// <summary><c>--device</c> on the commands that run networks.</summary>
public sealed class DeviceOptionTests
{
    [Fact]
    public void AutoStatesItsRuleAndChoiceAndSmallNetworksStayOnTheCpu()
    {
        var (code, stdout, stderr) = Run("bench", "cuba", "--neurons", "200", "--duration", "0.01", "--json", "--device", "auto");
        Assert.Equal(0, code);
        Assert.Contains($"--device auto chose cpu (200 clock-driven neurons < {DeviceOption.AutoGpuMinNeurons})", stderr, StringComparison.Ordinal);
        using var doc = JsonDocument.Parse(stdout);
        Assert.StartsWith("cpu(", doc.RootElement.GetProperty("device").GetString(), StringComparison.Ordinal);
    }

    [Fact]
    public void AutoOnALargeNetworkTakesAGpuOnlyWhenOnePresent()
    {
        using DeviceSelection chosen = DeviceOption.Select("auto", DeviceOption.AutoGpuMinNeurons, null);
        bool gpu = IlgpuDevice.IsAvailable(IlgpuAcceleratorKind.Cuda) || IlgpuDevice.IsAvailable(IlgpuAcceleratorKind.OpenCL);
        Assert.Equal(gpu ? "GPU" : "cpu", chosen.Choice is "cuda" or "opencl" ? "GPU" : chosen.Choice);
        Assert.Equal(gpu, chosen.Device is not null);
    }

    [Fact]
    public void IlgpuCpuBenchGivesTheCpuDeviceSpikes()
    {
        string[] common = ["bench", "coba", "--neurons", "200", "--duration", "0.005", "--seed", "4", "--json", "--device"];
        var (c1, cpu, _) = Run([.. common, "cpu"]);
        var (c2, gpu, _) = Run([.. common, "ilgpu-cpu"]);
        Assert.Equal(0, c1);
        Assert.Equal(0, c2);
        using var a = JsonDocument.Parse(cpu);
        using var b = JsonDocument.Parse(gpu);
        Assert.True(a.RootElement.GetProperty("spikes").GetInt64() > 0);
        Assert.Equal(a.RootElement.GetProperty("spikes").GetInt64(), b.RootElement.GetProperty("spikes").GetInt64());
        Assert.StartsWith("ilgpu(cpu accelerator", b.RootElement.GetProperty("device").GetString(), StringComparison.Ordinal);
    }

    [Fact]
    public void AMissingGpuOrABadValueIsAOneLineError()
    {
        var (code, _, stderr) = Run("bench", "cuba", "--neurons", "100", "--duration", "0.01", "--device", "tpu");
        Assert.NotEqual(0, code);
        Assert.Contains("tpu", stderr, StringComparison.Ordinal);
        if (!IlgpuDevice.IsAvailable(IlgpuAcceleratorKind.Cuda))
        {
            (code, _, stderr) = Run("bench", "cuba", "--neurons", "100", "--duration", "0.01", "--device", "cuda");
            Assert.Equal(1, code);
            Assert.Equal("eventsnn: error: --device cuda: No cuda accelerator found (no NVIDIA GPU or driver).", stderr.Trim());
        }
    }

    [Fact]
    public void DemoTakesTheDeviceOption()
    {
        string dir = Path.Combine(Path.GetTempPath(), $"eventsnn-demo-{Guid.NewGuid():N}");
        try
        {
            var (code, stdout, _) = Run("demo", "--duration", "0.02", "--size", "8", "--mode", "clock", "--device", "ilgpu-cpu", "--out", dir);
            Assert.Equal(0, code);
            Assert.Contains("device: ilgpu(cpu accelerator", stdout, StringComparison.Ordinal);
        }
        finally
        {
            if (Directory.Exists(dir))
            {
                Directory.Delete(dir, recursive: true);
            }
        }
    }

    private static (int Code, string Stdout, string Stderr) Run(params string[] args)
    {
        TextWriter oldErr = Console.Error;
        using var stdout = new StringWriter();
        using var stderr = new StringWriter();
        Console.SetError(stderr);
        try
        {
            int code = Program.BuildRoot().Parse(args).Invoke(new System.CommandLine.InvocationConfiguration { Output = stdout, Error = stderr });
            return (code, stdout.ToString(), stderr.ToString());
        }
        finally
        {
            Console.SetError(oldErr);
        }
    }
}
