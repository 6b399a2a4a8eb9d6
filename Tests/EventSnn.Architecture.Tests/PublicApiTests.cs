using System.Reflection;
using PublicApiGenerator;

namespace EventSnn.Architecture.Tests;

/// <summary>
/// The public API of every library, approved in <c>api/NAME.approved.txt</c>: a change to a public signature fails this
/// test until the approved file is updated in the same change (the test writes <c>NAME.received.txt</c> beside it; review
/// the difference and copy it over the approved file).
/// </summary>
public class PublicApiTests
{
    /// <summary>The libraries whose public API is approved.</summary>
    public static TheoryData<string> Libraries => ["EventSnn.EventQueue", "EventSnn.Events", "EventSnn.Devices", "EventSnn.Devices.Ilgpu", "EventSnn.Datasets", "EventSnn.Simulator", "EventSnn.Plotting", "EventSnn.Hosting"];

    private static string SourceApiFolder()
    {
        var dir = new DirectoryInfo(AppContext.BaseDirectory);
        while (dir is not null && !File.Exists(Path.Combine(dir.FullName, "EventSnn.sln")))
        {
            dir = dir.Parent;
        }

        Assert.NotNull(dir);
        return Path.Combine(dir.FullName, "Tests", "EventSnn.Architecture.Tests", "api");
    }

    [Theory]
    [MemberData(nameof(Libraries))]
    public void PublicApiIsApproved(string library)
    {
        string api = Assembly.Load(library).GeneratePublicApi(new ApiGeneratorOptions { IncludeAssemblyAttributes = false }).ReplaceLineEndings("\n");
        string folder = SourceApiFolder();
        string approvedPath = Path.Combine(folder, library + ".approved.txt");
        string receivedPath = Path.Combine(folder, library + ".received.txt");
        string approved = File.Exists(approvedPath) ? File.ReadAllText(approvedPath).ReplaceLineEndings("\n") : string.Empty;
        if (approved == api)
        {
            File.Delete(receivedPath);
            return;
        }

        File.WriteAllText(receivedPath, api);
        Assert.Fail($"The public API of {library} changed: compare {receivedPath} with {approvedPath} and, if the change is intended, copy the received file over the approved one.");
    }
}
