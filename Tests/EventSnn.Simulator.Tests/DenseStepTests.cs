using EventSnn.Simulator.Models;

namespace EventSnn.Simulator.Tests;

public class DenseStepTests
{
    private static void Compare<TModel>(TModel model, int n, int vars, ulong seed)
        where TModel : struct, INeuronModel<TModel>
    {
        var rng = new Random((int)seed);
        double[][] a = new double[vars][];
        for (int k = 0; k < vars; k++)
        {
            a[k] = new double[n];
            for (int i = 0; i < n; i++)
            {
                a[k][i] = k == 0 ? -70 + (25 * rng.NextDouble()) : 5 * (rng.NextDouble() - 0.3);
            }
        }

        double dt = 100_000;
        double[] refr = new double[n];
        for (int i = 0; i < n; i++)
        {
            refr[i] = (i % 7) switch { 0 => 3 * dt, 1 => dt, 2 => 0.5 * dt, _ => 0 };
        }

        double[] in0 = [.. Enumerable.Range(0, n).Select(_ => rng.NextDouble() * 4)];
        double[] in1 = [.. Enumerable.Range(0, n).Select(_ => -rng.NextDouble() * 2)];
        double[][] b = [.. a.Select(c => (double[])c.Clone())];
        double[] refrB = (double[])refr.Clone();
        TModel[] prepared = [model.WithTimeStep(dt)];
        int[] sa = new int[n];
        int[] sb = new int[n];

        for (int step = 0; step < 20; step++)
        {
            var blockA = new DenseBlock(a[0], vars > 1 ? a[1] : default, vars > 2 ? a[2] : default, default, refr, in0, vars > 1 ? in1 : default);
            var blockB = new DenseBlock(b[0], vars > 1 ? b[1] : default, vars > 2 ? b[2] : default, default, refrB, in0, vars > 1 ? in1 : default);
            int na = TModel.StepDense(prepared, blockA, 0, n, sa);
            int nb = DenseStepper.StepScalar<TModel>(prepared, blockB, 0, n, sb);
            Assert.Equal(sb.AsSpan(0, nb).ToArray(), sa.AsSpan(0, na).ToArray());
            for (int k = 0; k < vars; k++)
            {
                Assert.Equal(b[k], a[k]);
            }

            Assert.Equal(refrB, refr);
        }
    }

    [Fact]
    public void LifVectorPathEqualsScalarPathBitwise()
        => Compare(Lif.Create([20, -65, -50, -65, 14, 2], SpikeRules.Default), 103, 1, 1);

    [Fact]
    public void CubaVectorPathEqualsScalarPathBitwise()
        => Compare(CubaLif.Create([20, 5, 10, -49, -50, -60, 0, 5], new SpikeRules(ResetMode.Subtract, ThresholdComparison.Greater)), 257, 3, 2);

    [Fact]
    public void DenseStepWithExactPropagatorEqualsEventAdvance()
    {
        // A dense step is the event-mode exact advance over dt: k steps agree with one advance of k·dt to rounding.
        var m = CubaLif.Create([20, 5, 10, -65, -50, -60, 0, 0], SpikeRules.Default);
        double dt = 100_000;
        double[] v = [-60];
        double[] ie = [3];
        double[] ii = [-1];
        double[] r = [0];
        CubaLif[] prepared = [m.WithTimeStep(dt)];
        for (int k = 0; k < 100; k++)
        {
            CubaLif.StepDense(prepared, new DenseBlock(v, ie, ii, default, r, default, default), 0, 1, new int[1]);
        }

        var s = new NeuronState { V = -60, S1 = 3, S2 = -1 };
        m.AdvanceFree(ref s, 100 * dt);
        Assert.Equal(s.V, v[0], 1e-11);
        Assert.Equal(s.S1, ie[0], 1e-13);
    }
}
