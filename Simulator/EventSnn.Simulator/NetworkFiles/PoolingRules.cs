using EventSnn.Simulator.Network;

namespace EventSnn.Simulator.NetworkFiles;

/// <summary>
/// The pooling connectivity rules of network files, <c>max_pool2d</c> and <c>avg_pool2d</c>: pre is C×H×W, post must be
/// C×H_out×W_out with <c>H_out = ⌊(H + 2·padding − kernel)/stride⌋ + 1</c> (likewise W), and input (c, y, x) connects to
/// every window (c, oy, ox) that holds it, <c>oy·stride − padding ≤ y &lt; oy·stride − padding + kernel</c>. Max pooling
/// gives each synapse the projection's weight (with an <c>if</c> population and a weight above the threshold gap, a pooling
/// neuron fires once per instant at which any input of its window fires: the maximum of binary spikes); average pooling
/// gives each the projection's constant weight divided by the window's area (zero padding counted, PyTorch's default).
/// Both compile to explicit synapses, so a spike delivers to its windows and nothing is computed as a frame.
/// </summary>
internal sealed partial class NetworkFileReader
{
    private static ExplicitConnectivity ReadPool(ObjectNode o, string rule, Pop pre, Pop post, ObjectNode projection)
    {
        (int ky, int kx) = Pair(o.Required("kernel", "the window size, a number or [height, width]"), 1, 1, "kernel");
        (int sy, int sx) = o.Optional("stride") is Node sn ? Pair(sn, 1, 1, "stride") : (ky, kx);
        (int py, int px) = Pair(o.Optional("padding"), 0, 0, "padding");
        PopulationShape ps = pre.Shape, qs = post.Shape;
        if (!ps.IsSpatial)
        {
            throw o.Error($"{rule} needs a pre population with a shape [channels, height, width] ('{pre.Name}' has size {ps.Size})");
        }

        int ho = ((ps.Height + (2 * py) - ky) / sy) + 1, wo = ((ps.Width + (2 * px) - kx) / sx) + 1;
        if (ps.Height + (2 * py) < ky || ps.Width + (2 * px) < kx)
        {
            throw o.Error($"a {ky}×{kx} window does not fit '{pre.Name}' ({ps}) with padding {py}×{px}");
        }

        var expected = new PopulationShape(ps.Channels, ho, wo);
        if (qs != expected)
        {
            throw o.Error($"'{post.Name}' must have shape [{ps.Channels}, {ho}, {wo}] to pool '{pre.Name}' ({ps}), not {qs}");
        }

        float share = 1f;
        if (rule == "avg_pool2d")
        {
            double w = 1;
            if (projection.Optional("weight") is Node wn)
            {
                w = wn.IsNumber ? wn.Number() : throw wn.Error("avg_pool2d needs a constant weight (it is divided by the window's area)");
            }

            share = (float)(w / (ky * kx));
        }

        var preList = new List<int>();
        var postList = new List<int>();
        for (int c = 0; c < ps.Channels; c++)
        {
            for (int y = 0; y < ps.Height; y++)
            {
                for (int x = 0; x < ps.Width; x++)
                {
                    int i = ps.IndexOf(c, y, x);
                    for (int oy = 0; oy < ho; oy++)
                    {
                        int y0 = (oy * sy) - py;
                        if (y < y0 || y >= y0 + ky)
                        {
                            continue;
                        }

                        for (int ox = 0; ox < wo; ox++)
                        {
                            int x0 = (ox * sx) - px;
                            if (x >= x0 && x < x0 + kx)
                            {
                                preList.Add(i);
                                postList.Add(expected.IndexOf(c, oy, ox));
                            }
                        }
                    }
                }
            }
        }

        if (rule == "max_pool2d")
        {
            return ConnectivitySpec.Explicit([.. preList], [.. postList]);
        }

        float[] weights = new float[preList.Count];
        Array.Fill(weights, share);
        return ConnectivitySpec.Explicit([.. preList], [.. postList], weights);
    }
}
