using EventSnn.Events;

namespace EventSnn.Datasets.Neuromorphic;

/// <summary>
/// A labelled neuromorphic dataset: a fixed, ordered list of samples, each an event stream with a class label.
/// </summary>
/// <remarks>
/// <para>The contract follows tonic's datasets: a sensor size, class names, a count, and sample <c>i</c> →
/// events + label. Samples are read lazily from disk when asked for; construction only indexes files.</para>
/// <para><b>Order</b> is deterministic: it depends only on the files present (ordinal sort of names, or the
/// order of the dataset's own index files), never on the file system's enumeration order.</para>
/// <para><b>Threads:</b> an instance is immutable after construction; different samples (or the same one) may
/// be read from several threads at once. Each read opens its own file stream.</para>
/// </remarks>
public interface IEventDataset
{
    /// <summary>The dataset's name and split, e.g. <c>N-MNIST (train)</c>.</summary>
    string Name { get; }

    /// <summary>The root folder the samples are read from.</summary>
    string Root { get; }

    /// <summary>The sensor size shared by every sample, or null when it varies per sample (see <see cref="EventSample.Sensor"/>).</summary>
    SensorSize? SensorSize { get; }

    /// <summary>Class names, indexed by label.</summary>
    IReadOnlyList<string> Classes { get; }

    /// <summary>The number of samples.</summary>
    int Count { get; }

    /// <summary>The label of sample <paramref name="index"/> (0 ≤ label &lt; <see cref="Classes"/>.Count), without reading its events.</summary>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="index"/> is not in 0..Count−1.</exception>
    int GetLabel(int index);

    /// <summary>Where sample <paramref name="index"/> comes from (a file path, possibly with a slice), for messages.</summary>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="index"/> is not in 0..Count−1.</exception>
    string GetSourceName(int index);

    /// <summary>Reads sample <paramref name="index"/> completely: its events and label.</summary>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="index"/> is not in 0..Count−1.</exception>
    /// <exception cref="EventFormatException">The sample's file is malformed.</exception>
    EventSample GetSample(int index);

    /// <summary>Opens sample <paramref name="index"/> as a stream of events (for samples too long to hold); the caller disposes it.</summary>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="index"/> is not in 0..Count−1.</exception>
    IEventReader OpenSample(int index);
}
