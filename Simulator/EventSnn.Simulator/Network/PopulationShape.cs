namespace EventSnn.Simulator.Network;

/// <summary>
/// The shape of a population: 1-D (<c>Size</c> neurons) or channels × height × width (for convolutions and
/// event-camera inputs). Neuron index of (c, y, x) is <c>(c·Height + y)·Width + x</c>.
/// </summary>
public readonly record struct PopulationShape
{
    /// <summary>Creates a C×H×W shape (every dimension ≥ 1).</summary>
    /// <param name="channels">Channels.</param>
    /// <param name="height">Rows.</param>
    /// <param name="width">Columns.</param>
    /// <exception cref="ArgumentOutOfRangeException">A dimension is below 1 or the size exceeds 2^31 − 1.</exception>
    public PopulationShape(int channels, int height, int width)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(channels, 1);
        ArgumentOutOfRangeException.ThrowIfLessThan(height, 1);
        ArgumentOutOfRangeException.ThrowIfLessThan(width, 1);
        long size = (long)channels * height * width;
        if (size > int.MaxValue)
        {
            throw new ArgumentOutOfRangeException(nameof(width), "The population size C·H·W exceeds 2^31 − 1.");
        }

        Channels = channels;
        Height = height;
        Width = width;
        IsSpatial = true;
    }

    /// <summary>Creates a 1-D shape of <paramref name="size"/> neurons (≥ 1).</summary>
    /// <param name="size">Number of neurons.</param>
    public static PopulationShape Linear(int size)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(size, 1);
        return new PopulationShape(1, 1, size) with { IsSpatial = false };
    }

    /// <summary>Channels (1 for 1-D).</summary>
    public int Channels { get; }

    /// <summary>Rows (1 for 1-D).</summary>
    public int Height { get; }

    /// <summary>Columns (the size for 1-D).</summary>
    public int Width { get; }

    /// <summary>Whether the shape was given as C×H×W.</summary>
    public bool IsSpatial { get; private init; }

    /// <summary>Number of neurons.</summary>
    public int Size => Channels * Height * Width;

    /// <summary>Index of neuron (c, y, x).</summary>
    /// <param name="c">Channel.</param>
    /// <param name="y">Row.</param>
    /// <param name="x">Column.</param>
    public int IndexOf(int c, int y, int x) => (((c * Height) + y) * Width) + x;

    /// <summary>Formats as <c>N</c> or <c>C×H×W</c>.</summary>
    public override string ToString() => IsSpatial ? $"{Channels}x{Height}x{Width}" : Size.ToString(System.Globalization.CultureInfo.InvariantCulture);
}
