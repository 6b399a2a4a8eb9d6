using BenchmarkDotNet.Attributes;
using EventSnn.Events;
using EventSnn.Datasets.Transforms;

namespace EventSnn.Benchmarks;

/// <summary>
/// Throughput of the event transforms on one million random events (128×128 sensor, 1 s, seeded): ToFrame by 10 ms
/// windows into a reused tensor, and Denoise (10 ms filter), RefractoryFilter, Crop and SpatialJitter in place. The
/// in-place transforms run on a fresh copy each time, so subtract <see cref="CopyOnly"/> for the transform alone.
/// </summary>
[MemoryDiagnoser]
public class TransformsBenchmarks
{
    private const int N = 1_000_000;
    private EventArray _source = null!;
    private EventArray _work = null!;
    private readonly Tensor4<int> _frames = new();
    private readonly ToFrame _toFrame = ToFrame.ByTimeWindow(10_000);
    private readonly Denoise _denoise = new(10_000);
    private readonly RefractoryFilter _refractory = new(10_000);
    private readonly Crop _crop = Crop.Center(64, 64);
    private readonly SpatialJitter _spatialJitter = new(1, 1, seed: 1);

    /// <summary>Builds the input stream.</summary>
    [GlobalSetup]
    public void Setup()
    {
        var rng = new DeterministicRandom(1);
        _source = new EventArray(new SensorSize(128, 128), N);
        long[] t = new long[N];
        for (int i = 0; i < N; i++)
        {
            t[i] = rng.NextInt64(1_000_000);
        }

        Array.Sort(t);
        for (int i = 0; i < N; i++)
        {
            _source.Add(t[i], (ushort)rng.NextInt64(128), (ushort)rng.NextInt64(128), (byte)rng.NextInt64(2));
        }

        _work = new EventArray(_source.Sensor, N);
        _toFrame.Convert(_source, _frames);
    }

    /// <summary>ToFrame (time window 10 ms, 2 polarities) of 1 M events.</summary>
    [Benchmark]
    public int ToFrameTimeWindow() => _toFrame.Convert(_source, _frames).D0;

    /// <summary>Copying 1 M events into the work array (baseline for <see cref="DenoiseInPlace"/>).</summary>
    [Benchmark]
    public int CopyOnly()
    {
        _work.Clear();
        _work.AppendFrom(_source);
        return _work.Count;
    }

    /// <summary>Copy, then Denoise (filter 10 ms) in place.</summary>
    [Benchmark]
    public int DenoiseInPlace()
    {
        _work.Clear();
        _work.AppendFrom(_source);
        _denoise.Apply(_work);
        return _work.Count;
    }

    /// <summary>Copy, then RefractoryFilter (10 ms) in place.</summary>
    [Benchmark]
    public int RefractoryInPlace()
    {
        _work.Clear();
        _work.AppendFrom(_source);
        _refractory.Apply(_work);
        return _work.Count;
    }

    /// <summary>Copy, then a centred 64×64 Crop in place (keeps and shifts a quarter of the events).</summary>
    [Benchmark]
    public int CropInPlace()
    {
        _work.Clear();
        _work.AppendFrom(_source);
        _crop.Apply(_work);
        _work.Sensor = _source.Sensor;
        return _work.Count;
    }

    /// <summary>Copy, then SpatialJitter (unit variances, drop off-sensor events) in place.</summary>
    [Benchmark]
    public int SpatialJitterInPlace()
    {
        _work.Clear();
        _work.AppendFrom(_source);
        _spatialJitter.Apply(_work);
        return _work.Count;
    }
}
