namespace EventSnn.Datasets.Neuromorphic;

/// <summary>
/// A dataset's files are not where they were looked for and downloading was not allowed (or did not produce
/// the expected layout). The message says where it looked and how to get the data.
/// </summary>
public sealed class DatasetNotFoundException : IOException
{
    /// <summary>Creates the exception.</summary>
    /// <param name="dataset">The dataset's name.</param>
    /// <param name="lookedAt">The paths that were checked.</param>
    /// <param name="howToGet">How to obtain the data (download option, URLs, where to extract).</param>
    public DatasetNotFoundException(string dataset, IReadOnlyList<string> lookedAt, string howToGet)
        : base($"{dataset} not found. Looked for: {string.Join("; ", lookedAt)}. {howToGet}")
    {
        Dataset = dataset;
        LookedAt = lookedAt;
    }

    /// <summary>Creates an empty exception (prefer the other constructor).</summary>
    public DatasetNotFoundException()
    {
        Dataset = string.Empty;
        LookedAt = [];
    }

    /// <summary>Creates an exception with a message (prefer the other constructor).</summary>
    public DatasetNotFoundException(string message)
        : base(message)
    {
        Dataset = string.Empty;
        LookedAt = [];
    }

    /// <summary>Creates an exception with a message and cause (prefer the other constructor).</summary>
    public DatasetNotFoundException(string message, Exception inner)
        : base(message, inner)
    {
        Dataset = string.Empty;
        LookedAt = [];
    }

    /// <summary>The dataset's name.</summary>
    public string Dataset { get; }

    /// <summary>The paths that were checked.</summary>
    public IReadOnlyList<string> LookedAt { get; }
}
