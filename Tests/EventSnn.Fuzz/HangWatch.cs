using System.Diagnostics;

namespace EventSnn.Fuzz;

/// <summary>
/// Decides when the reader call in progress is stuck inside one call (where the campaign's own per-batch check cannot
/// see it): the same input has been current for more than the limit of wall time, and from the moment that was first
/// seen the process has gone on to use more than the limit of CPU time. A process that is merely starved of CPU on a
/// busy machine (preempted, or run under <c>nice</c>) uses no CPU while it waits, so it is never taken for a hang; and
/// the input reported is the one that was watched, not whichever input is current when the report is written.
/// </summary>
/// <param name="limit">The wall time, and then the CPU time, an input may take.</param>
/// <param name="cpuTime">The process's CPU time so far.</param>
internal sealed class HangWatch(TimeSpan limit, Func<TimeSpan> cpuTime)
{
    private CurrentInput? _suspect;
    private TimeSpan _cpuAtSuspicion;

    /// <summary>The CPU time of this process.</summary>
    public static TimeSpan ProcessCpuTime()
    {
        using var process = Process.GetCurrentProcess();
        return process.TotalProcessorTime;
    }

    /// <summary>Checks the input in progress at <paramref name="now"/> (a <see cref="Stopwatch"/> timestamp).</summary>
    /// <returns>The stuck input, or null.</returns>
    public CurrentInput? Poll(CurrentInput? current, long now)
    {
        if (current is null || TimeSpan.FromSeconds((now - current.Start) / (double)Stopwatch.Frequency) <= limit)
        {
            _suspect = null;
            return null;
        }

        if (!ReferenceEquals(current, _suspect))
        {
            _suspect = current;
            _cpuAtSuspicion = cpuTime();
            return null;
        }

        return cpuTime() - _cpuAtSuspicion > limit ? current : null;
    }
}
