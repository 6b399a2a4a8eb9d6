using EventSnn.EventQueue;

namespace EventSnn.Hosting;

/// <summary>
/// Decodes output spikes into decisions: the most active neuron over consecutive windows of network time
/// [k·W, (k+1)·W). Spikes must come in non-decreasing time (as engines emit them). Ties go to the lowest index; windows
/// without spikes make no decision. No allocation per spike.
/// </summary>
public sealed class DecisionDecoder
{
    private readonly int[] _counts;
    private readonly long _window;
    private long _current = -1;
    private int _best = -1;
    private int _total;

    /// <summary>Creates a decoder for a population of <paramref name="size"/> neurons.</summary>
    /// <param name="size">The output population's size.</param>
    /// <param name="window">The window length (≥ 1 tick).</param>
    public DecisionDecoder(int size, SimDuration window)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(size, 1);
        ArgumentOutOfRangeException.ThrowIfLessThan(window.Ticks, 1L, nameof(window));
        _counts = new int[size];
        _window = window.Ticks;
    }

    /// <summary>Counts a spike; returns true and the decision of the window it closed when the spike starts a later window.</summary>
    /// <param name="time">The spike time (non-decreasing).</param>
    /// <param name="neuron">The neuron (0..size−1).</param>
    /// <param name="closed">The decision of the window that ended, when one did and had spikes.</param>
    public bool Add(SimTime time, int neuron, out Decision closed)
    {
        long k = Math.DivRem(time.Ticks, _window, out long rem);
        if (rem < 0)
        {
            k--;
        }

        bool emitted = false;
        closed = default;
        if (k != _current)
        {
            emitted = Close(out closed);
            _current = k;
        }

        int c = ++_counts[neuron];
        _total++;
        if (_best < 0 || c > _counts[_best] || (c == _counts[_best] && neuron < _best))
        {
            _best = neuron;
        }

        return emitted;
    }

    /// <summary>Closes the current window when it ends at or before <paramref name="now"/> (the network has passed it).</summary>
    /// <param name="now">The network's time.</param>
    /// <param name="closed">The decision, when the window had spikes.</param>
    public bool Flush(SimTime now, out Decision closed)
    {
        closed = default;
        if (_current < 0 || (_current + 1) * _window > now.Ticks + 1)
        {
            return false;
        }

        bool emitted = Close(out closed);
        _current = -1;
        return emitted;
    }

    private bool Close(out Decision decision)
    {
        decision = default;
        if (_total == 0)
        {
            return false;
        }

        decision = new Decision(SimTime.FromTicks(_current * _window), SimTime.FromTicks((_current + 1) * _window), _best, _counts[_best], _total);
        Array.Clear(_counts);
        _best = -1;
        _total = 0;
        return true;
    }
}
