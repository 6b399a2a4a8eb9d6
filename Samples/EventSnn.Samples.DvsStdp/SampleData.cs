namespace EventSnn.Samples.DvsStdp;

/// <summary>Finds a file of <c>../shared/data</c> by walking up from the working directory and the application directory.</summary>
public static class SampleData
{
    /// <summary>The path of <paramref name="name"/> in the nearest <c>shared/data</c> folder above, or null.</summary>
    /// <param name="name">The file name.</param>
    public static string? Find(string name)
    {
        foreach (string start in (string[])[Directory.GetCurrentDirectory(), AppContext.BaseDirectory])
        {
            for (DirectoryInfo? d = new(start); d is not null; d = d.Parent)
            {
                string p = Path.Combine(d.FullName, "shared", "data", name);
                if (File.Exists(p))
                {
                    return p;
                }
            }
        }

        return null;
    }
}
