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
internal sealed class RunEngine(ISimulationEngine engine, string execution, SimDuration? dt, int threads, IDisposable? owned) : IDisposable
{
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
    /// <exception cref="ArgumentException">The engine rejects the network.</exception>
    public static RunEngine Create(NetworkSpec spec, RunExecution execution, int threads, SimDuration defaultDt)
    {
        ArgumentNullException.ThrowIfNull(spec);
        var engine = new SimulationEngine(spec, new EngineOptions
        {
            Execution = execution switch
            {
                RunExecution.Event => ExecutionChoice.Event,
                RunExecution.Clock => ExecutionChoice.Clock,
                _ => ExecutionChoice.AsDeclared,
            },
            DefaultDt = defaultDt,
            Threads = threads,
        });
        ExecutionSpec[] used = [.. spec.Populations.Where(p => p.HasState).Select(p => engine.GetExecution(p.Id)!)];
        bool anyClock = used.Any(x => x.Mode == ExecutionMode.Clock);
        bool anyEvent = used.Any(x => x.Mode == ExecutionMode.Event);
        string mix = anyClock && anyEvent ? "hybrid" : anyClock ? "clock" : "event";
        SimDuration[] steps = [.. used.Where(x => x.Mode == ExecutionMode.Clock).Select(x => x.Dt).Distinct()];
        return new RunEngine(engine, mix, steps.Length == 1 ? steps[0] : null, threads, null);
    }
}
