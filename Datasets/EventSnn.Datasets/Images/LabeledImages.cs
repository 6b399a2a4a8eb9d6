namespace EventSnn.Datasets.Images;

/// <summary>
/// A set of equally sized grey-level images with integer labels, pixels as floats in [0, 1], row-major, image after
/// image. Feed an image to <see cref="Emulation.Saccades.Generate"/> to obtain an N-MNIST-like event stream.
/// </summary>
public sealed class LabeledImages
{
    private readonly float[] _pixels;
    private readonly byte[] _labels;

    /// <summary>Creates the set (arrays are kept, not copied).</summary>
    /// <exception cref="ArgumentException">The array sizes do not match the count and image size.</exception>
    public LabeledImages(float[] pixels, byte[] labels, int width, int height, IReadOnlyList<string> classNames, string source)
    {
        ArgumentNullException.ThrowIfNull(pixels);
        ArgumentNullException.ThrowIfNull(labels);
        ArgumentNullException.ThrowIfNull(classNames);
        ArgumentNullException.ThrowIfNull(source);
        ArgumentOutOfRangeException.ThrowIfLessThan(width, 1);
        ArgumentOutOfRangeException.ThrowIfLessThan(height, 1);
        if ((long)labels.Length * width * height != pixels.Length)
        {
            throw new ArgumentException($"{pixels.Length} pixels do not make {labels.Length} images of {width}×{height}.", nameof(pixels));
        }

        _pixels = pixels;
        _labels = labels;
        Width = width;
        Height = height;
        ClassNames = classNames;
        Source = source;
    }

    /// <summary>The number of images.</summary>
    public int Count => _labels.Length;

    /// <summary>Image width in pixels.</summary>
    public int Width { get; }

    /// <summary>Image height in pixels.</summary>
    public int Height { get; }

    /// <summary>All pixels, image after image, row-major, in [0, 1].</summary>
    public ReadOnlySpan<float> Pixels => _pixels;

    /// <summary>The labels, one per image.</summary>
    public ReadOnlySpan<byte> Labels => _labels;

    /// <summary>Names of the classes, indexed by label.</summary>
    public IReadOnlyList<string> ClassNames { get; }

    /// <summary>Where the images were read from.</summary>
    public string Source { get; }

    /// <summary>The pixels of image <paramref name="index"/>.</summary>
    public ReadOnlySpan<float> Image(int index)
    {
        ArgumentOutOfRangeException.ThrowIfGreaterThanOrEqual((uint)index, (uint)Count, nameof(index));
        int n = Width * Height;
        return _pixels.AsSpan(index * n, n);
    }
}
