using EventSnn.Devices;
using EventSnn.EventQueue;
using EventSnn.Simulator.Connectivity;
using EventSnn.Simulator.Models;
using EventSnn.Simulator.Network;
using EventSnn.Simulator.State;

namespace EventSnn.Simulator.Engines.Clock;

/// <summary>
/// The clock-driven execution of a population of model <typeparamref name="TModel"/> on a device that keeps it resident
/// (<see cref="IResidentClockDevice"/>, e.g. a GPU): state, input ring and incoming synapses live on the device; deliveries
/// are queued there in emission order and accumulated on the device before each window; each window returns only its spike
/// list. <see cref="ClockPopulation.State"/> and <see cref="ClockPopulation.Ring"/> are a host mirror, brought up to date
/// on demand (<see cref="SyncHost"/>) for sampling and saving.
/// </summary>
/// <typeparam name="TModel">The neuron model.</typeparam>
internal sealed class ResidentClockPopulation<TModel> : ClockPopulation, IDisposable
    where TModel : struct, INeuronModel<TModel>
{
    private readonly TModel[] _initialModels;
    private readonly IResidentClockPopulation _resident;
    private readonly SpikeBuffer _spikes;
    private readonly float[][]? _amplitudes;
    private bool _hostStale;

    public ResidentClockPopulation(PopulationSpec spec, SimDuration dt, int ringSlots, int maxWindow, IComputeDevice device, IResidentClockDevice resident)
        : base(new ClockPopulationState(spec, dt, ClockPopulation<TModel>.PadToVectors(spec.Size)), dt.Ticks, ringSlots, TModel.Info.Receptors.Length, hostRing: false)
    {
        int n = spec.PerNeuronParameters.IsEmpty ? 1 : spec.Size;
        var models = new TModel[n];
        _initialModels = new TModel[n];
        Span<double> p = stackalloc double[spec.Parameters.Length];
        for (int j = 0; j < n; j++)
        {
            spec.GetParameters(j, p);
            _initialModels[j] = TModel.Create(p, spec.Rules);
            models[j] = _initialModels[j].WithTimeStep(dt.Ticks);
        }

        bool graded = TModel.Info.GradedOutput;
        var layout = new ResidentClockLayout(spec.Size, State.PaddedSize, State.Columns.Length, Receptors, ringSlots, maxWindow, graded);
        _resident = resident.CreateClockPopulation<TModel>(layout, models);
        _spikes = device.CreateSpikeBuffer(State.PaddedSize, maxWindow);
        if (graded)
        {
            _amplitudes = new float[maxWindow][];
            for (int k = 0; k < maxWindow; k++)
            {
                _amplitudes[k] = new float[State.PaddedSize];
            }
        }

        Initialize();
    }

    public override SpikeBuffer Spikes => _spikes;

    public override bool Graded => _amplitudes is not null;

    public override float Amplitude(int step, int neuron) => _amplitudes is null ? 1f : _amplitudes[step][neuron];

    public override void Initialize()
    {
        State.Initialize(j => _initialModels[_initialModels.Length == 1 ? 0 : j].InitialState);
        foreach (float[] slot in Ring)
        {
            Array.Clear(slot);
        }

        PushHost();
    }

    public override void RunWindow(int steps)
    {
        _resident.RunWindow((StateTime / Dt) + 1, steps, _spikes, _amplitudes);
        StateTime += steps * Dt;
        _hostStale = true;
    }

    public override void SyncHost()
    {
        if (_hostStale)
        {
            _resident.Download(State.Columns, State.RefractorySteps, Ring);
            _hostStale = false;
        }
    }

    public override void PushHost()
    {
        _resident.Upload(State.Columns, State.RefractorySteps, Ring);
        _hostStale = false;
    }

    public void Dispose() => _resident.Dispose();

    private protected override int OnAttach(SynapseTable table, bool plastic)
        => _resident.AddIncoming(table.GroupStart, table.Targets, table.Weights, plastic);

    private protected override void AddGroup(int row, in Incoming input, int group, float amplitude)
    {
        _hostStale = true;
        _resident.Deliver(input.Handle, group, row, amplitude, input.Table.GroupWeights(group));
    }
}
