namespace EventSnn.Events;

/// <summary>The pixel array of an event camera: <see cref="Width"/> columns by <see cref="Height"/> rows.</summary>
public readonly record struct SensorSize
{
    /// <summary>Creates a sensor size; both dimensions must be in 1..65536.</summary>
    /// <exception cref="ArgumentOutOfRangeException">A dimension is out of range.</exception>
    public SensorSize(int width, int height)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(width, 1);
        ArgumentOutOfRangeException.ThrowIfLessThan(height, 1);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(width, 65536);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(height, 65536);
        Width = width;
        Height = height;
    }

    /// <summary>Number of columns (x runs from 0 to Width − 1).</summary>
    public int Width { get; }

    /// <summary>Number of rows (y runs from 0 to Height − 1).</summary>
    public int Height { get; }

    /// <summary>Number of pixels.</summary>
    public int Pixels => Width * Height;

    /// <summary>Whether (x, y) lies on the sensor.</summary>
    public bool Contains(int x, int y) => (uint)x < (uint)Width && (uint)y < (uint)Height;

    /// <summary>Formats as <c>WxH</c>.</summary>
    public override string ToString() => $"{Width}x{Height}";
}
