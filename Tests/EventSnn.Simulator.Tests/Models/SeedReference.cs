using System.Text.Json.Nodes;

namespace EventSnn.Simulator.Tests.Models;

/// <summary>
/// Independent implementations of the seed libraries' neurons, written from the libraries' own update equations
/// (snnTorch 0.9.4 <c>_neurons/*.py</c> and <c>functional/quant.py</c>, Matterhorn 2.0.0 <c>snn/functional.py</c>, PySNN 0.1.1
/// <c>neuron.py</c>/<c>functional.py</c>): plain float32 loops over neurons, one step per call, reading the same PARAMS
/// JSON object the trace contract takes. They share no code with the models under test.
/// </summary>
internal static class SeedReference
{
    /// <summary>Runs model <paramref name="model"/> for x.Length steps; returns columns by name (step-major T×N).</summary>
    public static Dictionary<string, float[]> Run(string model, JsonObject p, float[][] x, float[][]? second = null)
    {
        int n = x[0].Length;
        int steps = x.Length;
        var cols = new Dictionary<string, float[]>();
        IStepper s = model switch
        {
            "snntorch.leaky" or "snntorch.synaptic" or "snntorch.alpha" or "snntorch.lapicque" or "snntorch.rleaky" or "snntorch.rsynaptic" => new SnnTorch(model, p, n),
            "pysnn.if" or "pysnn.lif" or "pysnn.adaptive_lif" or "pysnn.fede" or "pysnn.input" => new PySnn(model, p, n),
            _ => new Matterhorn(model, p, n),
        };
        for (int t = 0; t < steps; t++)
        {
            foreach (var (name, values) in s.Step(x[t], second?[t]))
            {
                if (!cols.TryGetValue(name, out float[]? c))
                {
                    cols[name] = c = new float[steps * n];
                }

                values.CopyTo(c, t * n);
            }
        }

        return cols;
    }

    private interface IStepper
    {
        IEnumerable<(string, float[])> Step(float[] x, float[]? second);
    }

    private static double D(JsonObject p, string name, int i, double fallback)
    {
        if (!p.TryGetPropertyValue(name, out JsonNode? node) || node is null)
        {
            return fallback;
        }

        if (node is JsonArray a)
        {
            node = a[i]!;
        }

        JsonValue v = node.AsValue();
        if (v.TryGetValue(out bool b))
        {
            return b ? 1 : 0;
        }

        return v.GetValue<double>();
    }

    private static float F(JsonObject p, string name, int i, double fallback) => (float)D(p, name, i, fallback);

    private static bool B(JsonObject p, string name, int i, bool fallback) => D(p, name, i, fallback ? 1 : 0) != 0;

    private static string S(JsonObject p, string name, string fallback)
        => p.TryGetPropertyValue(name, out JsonNode? node) && node is not null ? node.GetValue<string>() : fallback;

    private static float[] Init(JsonObject p, string name, int n, float fallback)
    {
        var r = new float[n];
        for (int i = 0; i < n; i++)
        {
            r[i] = p["init"] is JsonObject init && init.ContainsKey(name) ? (float)D(init, name, i, fallback) : fallback;
        }

        return r;
    }

    /// <summary>snnTorch's state_quant levels, computed as quant.py does (uniform: torch.linspace in float32).</summary>
    public static float[]? Levels(JsonObject p)
    {
        if (p["state_quant"] is not JsonObject q)
        {
            return null;
        }

        int bits = (int)D(q, "num_bits", 0, 8);
        bool uniform = B(q, "uniform", 0, true);
        bool centered = B(q, "thr_centered", 0, true);
        double thr = D(q, "threshold", 0, 1);
        double lower = D(q, "lower_limit", 0, 0);
        double upper = D(q, "upper_limit", 0, 0.2);
        int num = 2 << (bits - 1);
        if (uniform)
        {
            float start = (float)(-thr - (thr * lower));
            float end = (float)(thr + (thr * upper));
            float step = (end - start) / (num - 1);
            var l = new float[num];
            for (int i = 0; i < num; i++)
            {
                l[i] = i < num / 2 ? start + (step * i) : end - (step * (num - i - 1));
            }

            return l;
        }

        double mult = q.ContainsKey("multiplier") && q["multiplier"] is not null ? D(q, "multiplier", 0, 0) : bits switch
        {
            1 => 0.05, 2 => 0.1, 3 => 0.3, 4 => 0.5, 5 => 0.7, 6 => 0.9, 7 => 0.925, _ => 0.95,
        };
        double maxVal = thr + (thr * upper);
        double minVal = -(thr + (thr * lower));
        double zeroOrThr = centered ? thr : 0;
        double lowerRange = zeroOrThr - minVal;
        double upperRange = maxVal - zeroOrThr;
        int lowerBits = (int)Math.Floor(num * (lowerRange / (maxVal - minVal)));
        int upperBits = num - lowerBits;
        var store = new List<double>();
        if (lowerBits != 0)
        {
            double sum = 0;
            for (int j = lowerBits - 1; j >= 0; j--)
            {
                sum += Math.Pow(mult, j);
            }

            double room = sum / lowerRange;
            double m = minVal;
            for (int j = 0; j < lowerBits; j++)
            {
                store.Add(m);
                m += Math.Pow(mult, j) / room;
            }
        }

        if (upperBits != 0)
        {
            double sum = 0;
            for (int j = upperBits - 1; j >= 0; j--)
            {
                sum += Math.Pow(mult, j);
            }

            double room = sum / upperRange;
            double m = zeroOrThr;
            for (int j = upperBits - 1; j >= 0; j--)
            {
                m += Math.Pow(mult, j) / room;
                store.Add(m);
            }
        }

        return [.. store.Select(v => (float)v)];
    }

    /// <summary>Nearest level, first on ties (torch.min over |levels − x|).</summary>
    private static float Quant(float[] levels, float x)
    {
        int best = 0;
        for (int k = 1; k < levels.Length; k++)
        {
            if (Math.Abs(levels[k] - x) < Math.Abs(levels[best] - x))
            {
                best = k;
            }
        }

        return levels[best];
    }

    private sealed class SnnTorch : IStepper
    {
        private readonly string _model;
        private readonly JsonObject _p;
        private readonly int _n;
        private readonly float[]? _levels;
        private readonly float[] _mem;
        private readonly float[] _syn;
        private readonly float[] _exc;
        private readonly float[] _inh;
        private float[] _spk;
        private readonly float[,]? _w;
        private readonly float[] _bias;

        public SnnTorch(string model, JsonObject p, int n)
        {
            _model = model;
            _p = p;
            _n = n;
            _levels = Levels(p);
            _mem = Init(p, "mem", n, 0);
            _syn = Init(p, "syn", n, 0);
            _exc = Init(p, "syn_exc", n, 0);
            _inh = Init(p, "syn_inh", n, 0);
            _spk = Init(p, "spk", n, 0);
            _bias = new float[n];
            if (model is "snntorch.rleaky" or "snntorch.rsynaptic")
            {
                _w = new float[n, n];
                if (B(p, "all_to_all", 0, true))
                {
                    JsonArray rows = p["V_weight"]!.AsArray();
                    for (int i = 0; i < n; i++)
                    {
                        for (int j = 0; j < n; j++)
                        {
                            _w[i, j] = (float)rows[i]![j]!.GetValue<double>();
                        }

                        _bias[i] = F(p, "V_bias", i, 0);
                    }
                }
                else
                {
                    for (int i = 0; i < n; i++)
                    {
                        _w[i, i] = F(p, "V", i, 1);
                    }
                }
            }
        }

        private float Q(float x) => _levels is null ? x : Quant(_levels, x);

        private static float Clamp(float v) => Math.Min(Math.Max(v, 0f), 1f);

        public IEnumerable<(string, float[])> Step(float[] x, float[]? second)
        {
            int n = _n;
            string mech = S(_p, "reset_mechanism", _model == "snntorch.alpha" ? "zero" : "subtract");
            bool delay = B(_p, "reset_delay", 0, true) || _model is "snntorch.alpha" or "snntorch.lapicque" or "snntorch.rsynaptic";
            bool inhibition = B(_p, "inhibition", 0, false);
            var rec = new float[n];
            if (_w is not null)
            {
                for (int i = 0; i < n; i++)
                {
                    float dot = 0;
                    for (int j = 0; j < n; j++)
                    {
                        if (_spk[j] != 0)
                        {
                            dot += _w[i, j] * _spk[j];
                        }
                    }

                    rec[i] = dot + _bias[i];
                }
            }

            var reset = new float[n];
            var spk = new float[n];
            for (int i = 0; i < n; i++)
            {
                float th = F(_p, "threshold", i, 1);
                reset[i] = _mem[i] - th > 0 ? 1 : 0;
                float r = reset[i];
                switch (_model)
                {
                    case "snntorch.leaky":
                    {
                        float b = Clamp(F(_p, "beta", i, 0));
                        _mem[i] = mech switch
                        {
                            "subtract" => (b * _mem[i]) + x[i] - (r * th),
                            "zero" => (b * ((1 - r) * _mem[i])) + x[i],
                            _ => (b * _mem[i]) + x[i],
                        };
                        _mem[i] = Q(_mem[i]);
                        break;
                    }

                    case "snntorch.rleaky":
                    {
                        float b = Clamp(F(_p, "beta", i, 0));
                        float m = (b * _mem[i]) + x[i] + rec[i];
                        _mem[i] = mech switch { "subtract" => m - (r * th), "zero" => m - (r * m), _ => m };
                        _mem[i] = Q(_mem[i]);
                        break;
                    }

                    case "snntorch.synaptic":
                    case "snntorch.rsynaptic":
                    {
                        float a = Clamp(F(_p, "alpha", i, 0));
                        float b = Clamp(F(_p, "beta", i, 0));
                        float syn = (a * _syn[i]) + x[i];
                        if (_model == "snntorch.rsynaptic")
                        {
                            syn += rec[i];
                        }

                        float m = (b * _mem[i]) + syn;
                        _mem[i] = mech switch { "subtract" => m - (r * th), "zero" => m - (m * r), _ => m };
                        _syn[i] = syn;
                        if (_model == "snntorch.rsynaptic")
                        {
                            _syn[i] = Q(_syn[i]);
                            _mem[i] = Q(_mem[i]);
                        }
                        else
                        {
                            _mem[i] = Q(_mem[i]);
                            _syn[i] = Q(_syn[i]);
                        }

                        break;
                    }

                    case "snntorch.alpha":
                    {
                        float a = Clamp(F(_p, "alpha", i, 0));
                        float b = Clamp(F(_p, "beta", i, 0));
                        float tau = (MathF.Log(a) / (MathF.Log(b) - MathF.Log(a))) + 1;
                        float exc = (a * _exc[i]) + x[i];
                        float inh = (b * _inh[i]) - x[i];
                        float m = tau * (exc + inh);
                        if (mech == "subtract")
                        {
                            exc -= th * r;
                            inh -= ((b * _inh[i]) - x[i]) * r;
                            m -= -_inh[i] * r;
                        }
                        else if (mech == "zero")
                        {
                            exc -= exc * r;
                            inh -= inh * r;
                            m -= m * r;
                        }

                        _exc[i] = Q(exc);
                        _inh[i] = Q(inh);
                        _mem[i] = Q(m);
                        break;
                    }

                    case "snntorch.lapicque":
                    {
                        float ts = F(_p, "time_step", i, 1);
                        double beta = D(_p, "beta", i, 0);
                        double rr = D(_p, "R", i, 0);
                        double cc = D(_p, "C", i, 0);
                        float R, C;
                        if (beta == 0)
                        {
                            R = (float)rr;
                            C = (float)cc;
                        }
                        else if (rr == 0 && cc == 0)
                        {
                            R = 1;
                            C = ts / (R * MathF.Log(1 / (float)beta));
                        }
                        else if (rr != 0)
                        {
                            R = (float)rr;
                            C = ts / (R * MathF.Log(1 / (float)beta));
                        }
                        else
                        {
                            C = (float)cc;
                            R = ts / (C * MathF.Log(1 / (float)beta));
                        }

                        float m = (x[i] * R * (1 / (R * C)) * ts) + ((1 - (ts / (R * C))) * _mem[i]);
                        _mem[i] = Q(mech switch { "subtract" => m - (r * th), "zero" => m - (r * m), _ => m });
                        break;
                    }
                }

                float gsf = _model == "snntorch.leaky" ? F(_p, "graded_spikes_factor", i, 1) : 1;
                spk[i] = _mem[i] - th > 0 ? gsf : 0;
            }

            if (inhibition)
            {
                int best = 0;
                for (int i = 1; i < n; i++)
                {
                    if (_mem[i] - F(_p, "threshold", i, 1) > _mem[best] - F(_p, "threshold", best, 1))
                    {
                        best = i;
                    }
                }

                for (int i = 0; i < n; i++)
                {
                    spk[i] = i == best && _mem[i] - F(_p, "threshold", i, 1) > 0 ? 1 : 0;
                }
            }

            if (!delay)
            {
                for (int i = 0; i < n; i++)
                {
                    float gsf = _model == "snntorch.leaky" ? F(_p, "graded_spikes_factor", i, 1) : 1;
                    float doReset = (spk[i] / gsf) - reset[i];
                    if (mech == "subtract")
                    {
                        _mem[i] -= doReset * F(_p, "threshold", i, 1);
                    }
                    else if (mech == "zero")
                    {
                        _mem[i] -= doReset * _mem[i];
                    }
                }
            }

            _spk = spk;
            yield return ("spk", spk);
            if (_model is "snntorch.synaptic" or "snntorch.rsynaptic")
            {
                yield return ("syn", (float[])_syn.Clone());
            }

            if (_model == "snntorch.alpha")
            {
                yield return ("syn_exc", (float[])_exc.Clone());
                yield return ("syn_inh", (float[])_inh.Clone());
            }

            yield return ("mem", (float[])_mem.Clone());
        }
    }

    private sealed class Matterhorn : IStepper
    {
        private readonly string _model;
        private readonly JsonObject _p;
        private readonly int _n;
        private readonly float[] _h;
        private readonly float[] _w;

        public Matterhorn(string model, JsonObject p, int n)
        {
            _model = model;
            _p = p;
            _n = n;
            _h = new float[n];
            for (int i = 0; i < n; i++)
            {
                _h[i] = F(p, "u_rest", i, 0);
            }

            _h = Init(p, "h", n, float.NaN).Select((v, i) => float.IsNaN(v) ? _h[i] : v).ToArray();
            _w = Init(p, "w", n, 0);
        }

        public IEnumerable<(string, float[])> Step(float[] x, float[]? second)
        {
            // The library names the firing function by its class: Ceil() -> "ceil".
            string firing = S(_p, "spiking_function", "gaussian").Replace("()", string.Empty, StringComparison.Ordinal).ToLowerInvariant();
            bool hard = B(_p, "hard_reset", 0, true);
            var o = new float[_n];
            for (int i = 0; i < _n; i++)
            {
                float th = F(_p, "u_threshold", i, 1);
                float rest = F(_p, "u_rest", i, 0);
                float tau = F(_p, "tau_m", i, 2);
                float h = _h[i];
                float u;
                switch (_model)
                {
                    case "matterhorn.if":
                        u = h + x[i];
                        break;
                    case "matterhorn.qif":
                        u = h + ((1f / tau) * ((F(_p, "a_0", i, 1) * (h - rest) * (h - F(_p, "u_c", i, 1))) + x[i]));
                        break;
                    case "matterhorn.expif":
                    {
                        float dT = F(_p, "delta_t", i, 0.001);
                        u = h + ((1f / tau) * (-(h - rest) + (dT * MathF.Exp((h - F(_p, "u_t", i, 0)) / dT)) + x[i]));
                        break;
                    }

                    case "matterhorn.izhikevich":
                    {
                        float a = F(_p, "a", i, 1);
                        float b = F(_p, "b", i, 1);
                        _w[i] = _w[i] + (a * ((b * h) - _w[i]));
                        u = h + ((0.00004f * h * h) + (0.005f * h) + 0.14f + rest - _w[i] + x[i]);
                        break;
                    }

                    case "matterhorn.klif":
                        u = h + ((1f / tau) * (-(h - rest) + x[i]));
                        u = Math.Max(F(_p, "k", i, 2) * (u - rest), 0f) + rest;
                        break;
                    default:
                        u = h + ((1f / tau) * (-(h - rest) + x[i]));
                        break;
                }

                float spike = firing switch
                {
                    "floor" => Math.Max(MathF.Floor((u - rest) / (th - rest)), 0f),
                    "ceil" => Math.Max(MathF.Ceiling((u - rest) / (th - rest)), 0f),
                    "round" => Math.Max(MathF.Round((u - rest) / (th - rest), MidpointRounding.ToEven), 0f),
                    _ => u - th >= 0 ? 1f : 0f,
                };
                if (hard)
                {
                    float s = spike > 0.5f ? 1f : 0f;
                    _h[i] = (u * (1f - s)) + (rest * s);
                }
                else
                {
                    _h[i] = u - (spike * (th - rest));
                }

                o[i] = _model != "matterhorn.liaf" ? spike : S(_p, "activation_function", "relu") switch
                {
                    "relu" => Math.Max(u, 0f),
                    "sigmoid" => 1f / (1f + MathF.Exp(-u)),
                    _ => u,
                };
            }

            yield return ("o", o);
            yield return ("h", (float[])_h.Clone());
            if (_model == "matterhorn.izhikevich")
            {
                yield return ("w", (float[])_w.Clone());
            }
        }
    }

    private sealed class PySnn : IStepper
    {
        private readonly string _model;
        private readonly JsonObject _p;
        private readonly int _n;
        private readonly float[] _v;
        private readonly float[] _trace;
        private readonly float[] _thresh;
        private readonly float[] _refrac;

        public PySnn(string model, JsonObject p, int n)
        {
            _model = model;
            _p = p;
            _n = n;
            _v = new float[n];
            _thresh = new float[n];
            for (int i = 0; i < n; i++)
            {
                _v[i] = F(p, "v_rest", i, 0);
                _thresh[i] = F(p, "thresh", i, 1);
            }

            _trace = Init(p, "trace", n, 0);
            _refrac = Init(p, "refrac_counts", n, 0);
        }

        public IEnumerable<(string, float[])> Step(float[] x, float[]? second)
        {
            bool linear = S(_p, "update_type", "linear") == "linear" && _model != "pysnn.fede";
            var spk = new float[_n];
            for (int i = 0; i < _n; i++)
            {
                float dt = F(_p, "dt", i, 1);
                float alphaT = F(_p, "alpha_t", i, 1);
                float tauT = F(_p, "tau_t", i, 1);
                if (_model == "pysnn.input")
                {
                    _trace[i] = linear ? (_trace[i] * tauT) + (alphaT * x[i]) : _trace[i] + ((dt / tauT) * (-_trace[i] + (alphaT * x[i])));
                    spk[i] = x[i];
                    continue;
                }

                float rest = F(_p, "v_rest", i, 0);
                float alphaV = F(_p, "alpha_v", i, 1);
                float nonRefrac = _refrac[i] == 0 ? 1f : 0f;
                switch (_model)
                {
                    case "pysnn.if":
                        _v[i] += alphaV * x[i] * nonRefrac;
                        break;
                    case "pysnn.fede":
                        float forcing = alphaV * (x[i] - (second?[i] ?? 0f));
                        _v[i] += (dt / F(_p, "tau_v", i, 1)) * (-(_v[i] - rest) + forcing) * nonRefrac;
                        break;
                    default:
                        float tauV = F(_p, "tau_v", i, 1);
                        if (linear)
                        {
                            float delta = ((_v[i] - rest) * tauV) + (alphaV * x[i]);
                            _v[i] = rest + (delta * nonRefrac);
                        }
                        else
                        {
                            _v[i] += (dt / tauV) * (-(_v[i] - rest) + (alphaV * x[i])) * nonRefrac;
                        }

                        break;
                }

                float s = _v[i] >= _thresh[i] ? 1f : 0f;
                spk[i] = s;
                _trace[i] = linear ? (_trace[i] * tauT) + (alphaT * s) : _trace[i] + ((dt / tauT) * (-_trace[i] + (alphaT * s)));
                if (_model == "pysnn.adaptive_lif")
                {
                    float a = F(_p, "alpha_thresh", i, 0);
                    float tau = F(_p, "tau_thresh", i, 1);
                    _thresh[i] = linear ? (_thresh[i] * tau) + (a * s) : _thresh[i] + ((dt / tau) * (-_thresh[i] + (a * s)));
                }

                float duration = F(_p, "duration_refrac", i, 0);
                if (duration > 0)
                {
                    if (_refrac[i] > 0)
                    {
                        _refrac[i] -= dt;
                    }

                    _refrac[i] += duration * s;
                }

                if (s != 0)
                {
                    _v[i] = rest;
                }
            }

            yield return ("spk", spk);
            if (_model != "pysnn.input")
            {
                yield return ("v", (float[])_v.Clone());
            }

            yield return ("trace", (float[])_trace.Clone());
        }
    }
}
