using EventSnn.Devices;
using EventSnn.EventQueue;
using EventSnn.Simulator.Engines;
using EventSnn.Simulator.Network;

namespace EventSnn.Cli.Commands.Run;

/// <summary>How <c>eventsnn run --execution</c> asks populations to be executed.</summary>
internal enum RunExecution
{
    /// <summary>As each population declares (undeclared ones event-driven).</summary>
    AsDeclared = 0,

    /// <summary>Every population event-driven.</summary>
    Event = 1,

    /// <summary>Every population clock-driven.</summary>
    Clock = 2,
}

/// <summary>An engine created for a run, with what was chosen and what it owns.</summary>
internal sealed class RunEngine(ISimulationEngine engine, string execution, SimDuration? dt, int threads, IDisposable? owned, string device = "cpu") : IDisposable
{
    /// <summary>The device of the clock-driven populations (<c>cpu</c> or the ILGPU device's name).</summary>
    public string Device { get; } = device;

    /// <summary>The engine.</summary>
    public ISimulationEngine Engine { get; } = engine;

    /// <summary><c>event</c>, <c>clock</c> or <c>hybrid</c> (both in one run).</summary>
    public string Execution { get; } = execution;

    /// <summary>The clock step shared by every clock-driven population, or null (none, or several steps).</summary>
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

/// <summary>Turns a network spec and the <c>run</c> options into the simulation engine.</summary>
internal static class RunEngineFactory
{
    /// <summary>Creates the engine.</summary>
    /// <param name="spec">The network.</param>
    /// <param name="execution">The execution override.</param>
    /// <param name="threads">Worker threads for dense steps (1 or more).</param>
    /// <param name="defaultDt">The step of clock-driven populations that declare none.</param>
    /// <param name="device">The device of clock-driven populations (null: the CPU device).</param>
    /// <exception cref="ArgumentException">The engine rejects the network.</exception>
    public static RunEngine Create(NetworkSpec spec, RunExecution execution, int threads, SimDuration defaultDt, IComputeDevice? device = null)
    {
        ArgumentNullException.ThrowIfNull(spec);
        var engine = new SimulationEngine(spec, Options(execution, threads, defaultDt) with { Device = device, Logger = CliLogging.EngineLogger });
        ExecutionSpec[] used = [.. spec.Populations.Where(p => p.HasState).Select(p => engine.GetExecution(p.Id)!)];
        bool anyClock = used.Any(x => x.Mode == ExecutionMode.Clock);
        bool anyEvent = used.Any(x => x.Mode == ExecutionMode.Event);
        string mix = anyClock && anyEvent ? "hybrid" : anyClock ? "clock" : "event";
        SimDuration[] steps = [.. used.Where(x => x.Mode == ExecutionMode.Clock).Select(x => x.Dt).Distinct()];
        return new RunEngine(engine, mix, steps.Length == 1 ? steps[0] : null, threads, null, anyClock ? device?.Name ?? "cpu" : "none (event-driven)");
    }

    /// <summary>The neurons that will run clock-driven (what <c>--device auto</c> weighs).</summary>
    /// <param name="spec">The network.</param>
    /// <param name="execution">The execution override.</param>
    /// <param name="defaultDt">The step of clock-driven populations that declare none.</param>
    public static long ClockNeurons(NetworkSpec spec, RunExecution execution, SimDuration defaultDt)
    {
        ArgumentNullException.ThrowIfNull(spec);
        EngineOptions options = Options(execution, 1, defaultDt);
        return spec.Populations.Where(p => p.HasState && options.ExecutionOf(p).Mode == ExecutionMode.Clock).Sum(p => (long)p.Size);
    }

    private static EngineOptions Options(RunExecution execution, int threads, SimDuration defaultDt) => new()
    {
        Execution = execution switch
        {
            RunExecution.Event => ExecutionChoice.Event,
            RunExecution.Clock => ExecutionChoice.Clock,
            _ => ExecutionChoice.AsDeclared,
        },
        DefaultDt = defaultDt,
        Threads = threads,
    };
}
