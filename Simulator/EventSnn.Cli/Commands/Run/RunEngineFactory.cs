using EventSnn.Devices;
using EventSnn.EventQueue;
using EventSnn.Simulator.Engines;
using EventSnn.Simulator.Engines.Clock;
using EventSnn.Simulator.Engines.EventDriven;
using EventSnn.Simulator.Network;

namespace EventSnn.Cli.Commands.Run;

/// <summary>How <c>eventsnn run --execution</c> asks populations to be executed.</summary>
internal enum RunExecution
{
    /// <summary>As each population declares (clock-driven where any population declares clock, else event-driven).</summary>
    AsDeclared = 0,

    /// <summary>Every population event-driven.</summary>
    Event = 1,

    /// <summary>Every population clock-driven.</summary>
    Clock = 2,
}

/// <summary>An engine created for a run, with what was chosen and what it owns.</summary>
internal sealed class RunEngine(ISimulationEngine engine, string execution, SimDuration? dt, int threads, IDisposable? owned) : IDisposable
{
    /// <summary>The engine.</summary>
    public ISimulationEngine Engine { get; } = engine;

    /// <summary><c>event</c> or <c>clock</c>.</summary>
    public string Execution { get; } = execution;

    /// <summary>The clock step, or null for event-driven execution.</summary>
    public SimDuration? Dt { get; } = dt;

    /// <summary>The threads the engine uses.</summary>
    public int Threads { get; } = threads;

    /// <inheritdoc/>
    public void Dispose()
    {
        (Engine as IDisposable)?.Dispose();
        owned?.Dispose();
    }
}

/// <summary>
/// Turns a network spec and the <c>run</c> options into an engine: the one place that knows which engines exist. Today it
/// picks the event-driven engine or the clock-driven engine (one step for the whole network); an engine that mixes
/// event- and clock-driven populations replaces this method's body.
/// </summary>
internal static class RunEngineFactory
{
    /// <summary>Creates the engine.</summary>
    /// <param name="spec">The network.</param>
    /// <param name="execution">The execution override.</param>
    /// <param name="threads">Worker threads for dense steps (1 or more).</param>
    /// <param name="defaultDt">The step when clock-driven execution is asked for and no population declares one.</param>
    /// <exception cref="ArgumentException">Populations declare different clock steps, or the engine rejects the network.</exception>
    public static RunEngine Create(NetworkSpec spec, RunExecution execution, int threads, SimDuration defaultDt)
    {
        ArgumentNullException.ThrowIfNull(spec);
        SimDuration[] declared = [.. spec.Populations
            .Where(p => p.Execution is { Mode: ExecutionMode.Clock })
            .Select(p => p.Execution!.Dt)
            .Distinct()
            .Order()];
        bool clock = execution switch
        {
            RunExecution.Clock => true,
            RunExecution.Event => false,
            _ => declared.Length > 0,
        };
        if (!clock)
        {
            return new RunEngine(new EventDrivenEngine(spec), "event", null, 1, null);
        }

        if (declared.Length > 1)
        {
            throw new ArgumentException($"populations declare different clock steps ({string.Join(", ", declared)}); this engine runs one step for the whole network");
        }

        SimDuration dt = declared.Length == 1 ? declared[0] : defaultDt;
        var device = new CpuDevice(new CpuDeviceOptions { Threads = threads });
        try
        {
            return new RunEngine(new ClockDrivenEngine(spec, device, new ClockDrivenEngineOptions { Dt = dt }), "clock", dt, threads, device);
        }
        catch
        {
            device.Dispose();
            throw;
        }
    }
}
