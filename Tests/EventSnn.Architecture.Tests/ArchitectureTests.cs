using System.Reflection;

namespace EventSnn.Architecture.Tests;

/// <summary>
/// Which library may depend on which: the core (time and queues, events, devices, the simulator) stays free of file
/// formats, compression, HDF5, plotting and native assets, so that embedding a network pulls in none of them.
/// </summary>
public class ArchitectureTests
{
    /// <summary>Every library, and everything it may reference besides the .NET runtime.</summary>
    public static TheoryData<string, string[]> Allowed => new()
    {
        { "EventSnn.EventQueue", [] },
        { "EventSnn.Events", [] },
        { "EventSnn.Devices", ["EventSnn.EventQueue", "System.Numerics.Tensors"] },
        { "EventSnn.Devices.Ilgpu", ["EventSnn.Devices", "ILGPU", "ILGPU.Algorithms"] },
        { "EventSnn.Simulator", ["EventSnn.EventQueue", "EventSnn.Devices", "EventSnn.Events", "Microsoft.Extensions.Logging.Abstractions"] },
        { "EventSnn.Datasets", ["EventSnn.EventQueue", "EventSnn.Events", "K4os.Compression.LZ4", "ZstdSharp", "PureHDF", "Microsoft.Extensions.Logging.Abstractions"] },
        { "EventSnn.Plotting", ["EventSnn.Simulator", "EventSnn.EventQueue", "ScottPlot", "SkiaSharp"] },
        { "EventSnn.Hosting", ["EventSnn.Simulator", "EventSnn.EventQueue", "EventSnn.Events", "EventSnn.Datasets", "Microsoft.Extensions.Hosting.Abstractions", "Microsoft.Extensions.Options", "Microsoft.Extensions.DependencyInjection.Abstractions", "Microsoft.Extensions.Logging.Abstractions", "Microsoft.Extensions.Diagnostics.HealthChecks", "Microsoft.Extensions.Diagnostics.HealthChecks.Abstractions", "Microsoft.Extensions.Hosting", "Microsoft.Extensions.Options.DataAnnotations", "Microsoft.Extensions.Configuration.Abstractions", "Microsoft.Extensions.Configuration.Binder", "Microsoft.Extensions.DependencyInjection", "Microsoft.Extensions.Options.ConfigurationExtensions", "Microsoft.Extensions.Diagnostics", "Microsoft.Extensions.Logging"] },
    };

    private static bool IsRuntime(string name) => name is "netstandard" or "mscorlib" || name.StartsWith("System.", StringComparison.Ordinal) && name != "System.Numerics.Tensors";

    [Theory]
    [MemberData(nameof(Allowed))]
    public void ReferencesStayWithinTheLayer(string library, string[] allowed)
    {
        Assembly assembly = Assembly.Load(library);
        string[] references = [.. assembly.GetReferencedAssemblies().Select(a => a.Name!).Where(n => !IsRuntime(n)).Order()];
        string[] unexpected = [.. references.Where(r => !allowed.Contains(r))];
        Assert.True(unexpected.Length == 0, $"{library} references {string.Join(", ", unexpected)}; allowed: {string.Join(", ", allowed)}");
    }

    [Fact]
    public void TheSimulatorCoreCarriesNoPlottingFormatOrNativePackage()
    {
        string[] forbidden = ["ScottPlot", "SkiaSharp", "K4os.Compression.LZ4", "ZstdSharp", "PureHDF", "EventSnn.Datasets", "EventSnn.Plotting"];
        foreach (string core in new[] { "EventSnn.EventQueue", "EventSnn.Events", "EventSnn.Devices", "EventSnn.Simulator" })
        {
            // Follow references transitively within EventSnn's own assemblies.
            var seen = new HashSet<string>(StringComparer.Ordinal);
            var pending = new Stack<string>([core]);
            while (pending.Count > 0)
            {
                string name = pending.Pop();
                if (!seen.Add(name))
                {
                    continue;
                }

                Assert.DoesNotContain(name, forbidden);
                if (name.StartsWith("EventSnn.", StringComparison.Ordinal))
                {
                    foreach (AssemblyName r in Assembly.Load(name).GetReferencedAssemblies())
                    {
                        pending.Push(r.Name!);
                    }
                }
            }
        }
    }
}
