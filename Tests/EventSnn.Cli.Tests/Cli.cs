using System.CommandLine;

namespace EventSnn.Cli.Tests;

/// <summary>Runs the tool in-process the way <c>eventsnn</c> runs (<see cref="Program.Run(string[], InvocationConfiguration?)"/>).</summary>
internal static class Cli
{
    /// <summary>Runs <paramref name="args"/>; returns the exit code and what went to standard output and error.</summary>
    public static (int Code, string Out, string Err) Run(params string[] args)
    {
        TextWriter oldOut = Console.Out, oldErr = Console.Error;
        using var stdout = new StringWriter();
        using var stderr = new StringWriter();
        Console.SetOut(stdout);
        Console.SetError(stderr);
        try
        {
            int code = Program.Run(args, new InvocationConfiguration { Output = stdout, Error = stderr });
            return (code, stdout.ToString(), stderr.ToString());
        }
        finally
        {
            Console.SetOut(oldOut);
            Console.SetError(oldErr);
        }
    }

    /// <summary>The path of a shared sample file (<c>../shared/data</c> beside the repository).</summary>
    public static string Sample(string file)
    {
        var dir = new DirectoryInfo(AppContext.BaseDirectory);
        while (dir is not null && !File.Exists(Path.Combine(dir.FullName, "EventSnn.sln")))
        {
            dir = dir.Parent;
        }

        Assert.NotNull(dir);
        string path = Path.GetFullPath(Path.Combine(dir.FullName, "..", "shared", "data", file));
        Assert.True(File.Exists(path), path);
        return path;
    }

    /// <summary>Asserts a single error line with the tool's prefix and returns it.</summary>
    public static string OneErrorLine(string stderr)
    {
        string line = Assert.Single(stderr.Split('\n', StringSplitOptions.RemoveEmptyEntries));
        Assert.StartsWith("eventsnn: error: ", line, StringComparison.Ordinal);
        Assert.DoesNotContain("System.", line, StringComparison.Ordinal);
        Assert.DoesNotContain("(Parameter", line, StringComparison.Ordinal);
        Assert.DoesNotContain("Actual value", line, StringComparison.Ordinal);
        return line;
    }

    /// <summary>ATIS 40-bit records laid out like an N-Caltech101 sample: x up to <paramref name="maxX"/>, y up to <paramref name="maxY"/>.</summary>
    public static byte[] AtisRecords(int count, int maxX, int maxY)
    {
        byte[] data = new byte[count * 5];
        for (int i = 0; i < count; i++)
        {
            int x = i == count - 2 ? maxX : (i * 7) % (maxX + 1);
            int y = i == count - 1 ? maxY : (i * 11) % (maxY + 1);
            int t = 100 + (i * 37);
            data[i * 5] = (byte)x;
            data[(i * 5) + 1] = (byte)y;
            data[(i * 5) + 2] = (byte)(((i & 1) << 7) | ((t >> 16) & 0x7F));
            data[(i * 5) + 3] = (byte)(t >> 8);
            data[(i * 5) + 4] = (byte)t;
        }

        return data;
    }
}
