using EventSnn.Devices;
using EventSnn.EventQueue;
using EventSnn.Simulator.Network;
using Microsoft.Extensions.Logging;

namespace EventSnn.Simulator.Engines;

/// <summary>Which execution the engine gives each neuron population.</summary>
public enum ExecutionChoice
{
    /// <summary>Each population as it declares (<see cref="PopulationSpec.Execution"/>); undeclared ones get <see cref="EngineOptions.DefaultExecution"/>.</summary>
    AsDeclared = 0,

    /// <summary>Every population event-driven (exact, lazy, per neuron).</summary>
    Event = 1,

    /// <summary>Every population clock-driven: with its declared step, or <see cref="EngineOptions.DefaultDt"/>.</summary>
    Clock = 2,
}

/// <summary>Settings of a <see cref="SimulationEngine"/>.</summary>
public sealed record EngineOptions
{
    /// <summary>The execution of each population (default: as declared).</summary>
    public ExecutionChoice Execution { get; init; } = ExecutionChoice.AsDeclared;

    /// <summary>The execution of populations that declare none, with <see cref="ExecutionChoice.AsDeclared"/> (default: event-driven).</summary>
    public ExecutionMode DefaultExecution { get; init; } = ExecutionMode.Event;

    /// <summary>The step of clock-driven populations that declare none (default 0.1 ms).</summary>
    public SimDuration DefaultDt { get; init; } = SimDuration.FromMicroseconds(100);

    /// <summary>
    /// The device that runs the clock-driven phases (not disposed by the engine); null: a CPU device with <see cref="Threads"/>
    /// threads, owned by the engine. A host-visible device (the CPU device) runs populations from host arrays; a device that
    /// implements <see cref="IResidentClockDevice"/> (the ILGPU device) keeps them resident in its memory.
    /// </summary>
    public IComputeDevice? Device { get; init; }

    /// <summary>
    /// Devices for individual clock-driven populations, by population name, overriding <see cref="Device"/> (not disposed by
    /// the engine): e.g. a large population on a GPU and small ones on the CPU device.
    /// </summary>
    public IReadOnlyDictionary<string, IComputeDevice>? PopulationDevices { get; init; }

    /// <summary>Threads of the CPU device the engine creates when <see cref="Device"/> is null (default 1; results do not depend on it).</summary>
    public int Threads { get; init; } = 1;

    /// <summary>
    /// Whether event-driven populations whose model qualifies run in scaled form (docs/Simulator.md, "Scaled form"); false
    /// runs every event-driven population in the generic form (for tests that compare the two).
    /// </summary>
    internal bool ScaledForm { get; init; } = true;

    /// <summary>The most steps a clock-driven population runs per device call (default 64, 1 to 4096).</summary>
    public int MaxWindowSteps { get; init; } = 64;

    /// <summary>The most pending steps whose summed input a clock-driven population holds in its ring (default 256);
    /// deliveries further ahead wait in the event queue.</summary>
    public int MaxRingSlots { get; init; } = 256;

    /// <summary>An optional logger (network size and executions are logged once).</summary>
    public ILogger? Logger { get; init; }

    /// <summary>The execution a population gets under these options.</summary>
    /// <param name="population">A neuron population.</param>
    public ExecutionSpec ExecutionOf(PopulationSpec population)
    {
        ArgumentNullException.ThrowIfNull(population);
        ExecutionSpec? declared = population.Execution;
        SimDuration dt = declared is { Mode: ExecutionMode.Clock } ? declared.Dt : DefaultDt;
        return Execution switch
        {
            ExecutionChoice.Event => ExecutionSpec.Event,
            ExecutionChoice.Clock => ExecutionSpec.Clock(dt),
            _ => declared ?? (DefaultExecution == ExecutionMode.Clock ? ExecutionSpec.Clock(DefaultDt) : ExecutionSpec.Event),
        };
    }

    /// <summary>The device a clock-driven population runs on under these options: its entry in <see cref="PopulationDevices"/>, else <see cref="Device"/> (null: the engine's own CPU device).</summary>
    /// <param name="population">A neuron population.</param>
    public IComputeDevice? DeviceFor(PopulationSpec population)
    {
        ArgumentNullException.ThrowIfNull(population);
        return PopulationDevices is not null && PopulationDevices.TryGetValue(population.Name, out IComputeDevice? d) ? d : Device;
    }

    internal void Validate()
    {
        if (DefaultDt.Ticks < 1)
        {
            throw new ArgumentOutOfRangeException(nameof(DefaultDt), DefaultDt, "The default step must be at least 1 tick.");
        }

        if (Threads is < 1 or > 1024)
        {
            throw new ArgumentOutOfRangeException(nameof(Threads), Threads, "Threads must be 1 to 1024.");
        }

        if (MaxWindowSteps is < 1 or > 4096)
        {
            throw new ArgumentOutOfRangeException(nameof(MaxWindowSteps), MaxWindowSteps, "The window must be 1 to 4096 steps.");
        }

        if (MaxRingSlots is < 2 or > 65536)
        {
            throw new ArgumentOutOfRangeException(nameof(MaxRingSlots), MaxRingSlots, "The ring must have 2 to 65536 slots.");
        }

        CheckDevice(Device, nameof(Device));
        foreach (KeyValuePair<string, IComputeDevice> entry in PopulationDevices ?? new Dictionary<string, IComputeDevice>())
        {
            if (entry.Value is null)
            {
                throw new ArgumentException($"The device of population '{entry.Key}' is null.", nameof(PopulationDevices));
            }

            CheckDevice(entry.Value, nameof(PopulationDevices));
        }
    }

    private static void CheckDevice(IComputeDevice? device, string name)
    {
        if (device is { IsHostVisible: false } and not IResidentClockDevice)
        {
            throw new ArgumentException($"Device '{device.Name}' is neither host-visible nor able to hold clock-driven populations resident.", name);
        }
    }
}
