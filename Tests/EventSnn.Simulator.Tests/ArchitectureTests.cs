using System.Reflection;
using System.Text.Json;

namespace EventSnn.Simulator.Tests;

/// <summary>
/// The core libraries (simulator, events, event queue, devices) depend on no plotting package and no package with
/// native assets, so that embedding a network pulls in neither (raster plots live in EventSnn.Plotting).
/// </summary>
public sealed class ArchitectureTests
{
    private static readonly string[] CoreProjects =
    [
        "Simulator/EventSnn.Simulator",
        "Datasets/EventSnn.Events",
        "EventQueue/EventSnn.EventQueue",
        "Devices/EventSnn.Devices",
    ];

    private static readonly string[] Forbidden = ["ScottPlot", "SkiaSharp", "HarfBuzzSharp", "OpenTK", "System.Drawing"];

    private static string RepoRoot()
    {
        var dir = new DirectoryInfo(AppContext.BaseDirectory);
        while (dir is not null && !File.Exists(Path.Combine(dir.FullName, "EventSnn.sln")))
        {
            dir = dir.Parent;
        }

        Assert.NotNull(dir);
        return dir.FullName;
    }

    [Theory]
    [InlineData("Simulator/EventSnn.Simulator")]
    [InlineData("Datasets/EventSnn.Events")]
    [InlineData("EventQueue/EventSnn.EventQueue")]
    [InlineData("Devices/EventSnn.Devices")]
    public void Core_library_restores_no_plotting_or_native_asset_package(string project)
    {
        List<string> problems = Scan(project);
        Assert.True(problems.Count == 0, $"{project}: {string.Join("; ", problems)}");
    }

    [Fact]
    public void The_scan_finds_the_plotting_package_where_it_belongs()
    {
        // Control: the plotting library does restore ScottPlot and native SkiaSharp assets, and the scan sees them.
        List<string> problems = Scan("Simulator/EventSnn.Plotting");
        Assert.Contains(problems, p => p.StartsWith("ScottPlot/", StringComparison.Ordinal));
        Assert.Contains(problems, p => p.EndsWith("has native assets", StringComparison.Ordinal));
    }

    private static List<string> Scan(string project)
    {
        string assets = Path.Combine(RepoRoot(), project, "obj", "project.assets.json");
        Assert.True(File.Exists(assets), $"{assets} is missing (restore the solution first)");
        using JsonDocument doc = JsonDocument.Parse(File.ReadAllText(assets));
        var problems = new List<string>();
        foreach (JsonProperty target in doc.RootElement.GetProperty("targets").EnumerateObject())
        {
            foreach (JsonProperty library in target.Value.EnumerateObject())
            {
                string name = library.Name.Split('/')[0];
                if (Forbidden.Any(f => name.StartsWith(f, StringComparison.OrdinalIgnoreCase)))
                {
                    problems.Add($"{library.Name}: a plotting package");
                }

                if (library.Value.TryGetProperty("native", out _) || library.Value.TryGetProperty("runtimeTargets", out JsonElement rt)
                    && rt.EnumerateObject().Any(r => r.Value.TryGetProperty("assetType", out JsonElement t) && t.GetString() == "native"))
                {
                    problems.Add($"{library.Name}: has native assets");
                }
            }
        }

        return problems;
    }

    [Fact]
    public void Core_assemblies_reference_no_plotting_assembly()
    {
        Assembly[] core =
        [
            typeof(Network.NetworkSpec).Assembly,
            typeof(Events.DvsEvent).Assembly,
            typeof(EventQueue.SimTime).Assembly,
            typeof(Devices.CpuDevice).Assembly,
        ];
        Assert.Equal(CoreProjects.Length, core.Length);
        foreach (Assembly assembly in core)
        {
            string[] bad = [.. assembly.GetReferencedAssemblies().Select(a => a.Name!).Where(n => Forbidden.Any(f => n.StartsWith(f, StringComparison.OrdinalIgnoreCase)))];
            Assert.True(bad.Length == 0, $"{assembly.GetName().Name} references {string.Join(", ", bad)}");
        }
    }
}
