#!/usr/bin/env python3
"""Brian2 reference for `eventsnn bench cuba` / `eventsnn bench coba`.

Runs the same two Brette et al. (2007) benchmark networks in Brian2 and prints one JSON line with the
fields `eventsnn bench ... --json` prints, so the two can be compared side by side.

  cuba: benchmark 2 as in Brian2's examples/CUBA.py (current-based exponential synapses, exact
        integration), generalised to N neurons with connection probability 80/N.
  coba: benchmark 1 in the form used by the Brian2 COBA benchmark (conductances relative to the
        leak conductance gl = 10 nS, we = 0.6 (6 nS), wi = 6.7 (67 nS), constant drive I = 20 mV,
        forward Euler, v(0) normal with mean -55 mV and sd 5 mV), generalised to N neurons with
        connection probability 80/N.

Initial potentials follow each reference: uniform on [vr, vt] for cuba (Brian2's CUBA example), normal
N(-55 mV, 5 mV) for coba (the Brian2 COBA benchmark), as Samples/networks/brette-*.json declare them.
`--method` overrides the integration method (e.g. `exponential_euler` or `euler` with a smaller `--dt`, to
see how much of a rate is the integrator's error).

Usage:
  python3 cuba_coba.py cuba [--neurons 4000] [--duration 10] [--dt 0.1] [--seed 1] [--standalone]
  python3 cuba_coba.py coba ... [--method euler|exponential_euler] [--target cython|numpy]

`--standalone` uses Brian2's C++ standalone device (needs a C++ compiler); otherwise the runtime
target `--target` (default cython: compiled once, cached across seeds) is used. `loop_s` is the simulation loop only (Brian2's measured run time, wall clock);
with `--standalone`, `loop_cpu_s` is the processor time of that loop, measured inside the generated program, and
`directory` is the generated project: `cd DIR && ./main` runs the same simulation again without compiling (then
`loop_cpu_s.txt` holds the loop's processor time and `results/last_run_info.txt` its wall time first).
Install Brian2 with `bash scripts/install-benchmark-references.sh` (Debian package python3-brian and g++).
"""
import argparse
import json
import os
import tempfile
import time


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("model", choices=["cuba", "coba"])
    parser.add_argument("--neurons", type=int, default=4000)
    parser.add_argument("--duration", type=float, default=10.0, help="seconds")
    parser.add_argument("--dt", type=float, default=0.1, help="milliseconds")
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--standalone", action="store_true")
    parser.add_argument("--target", choices=["cython", "numpy"], default="cython")
    parser.add_argument("--method", default=None, help="integration method (default: exact for cuba, euler for coba)")
    args = parser.parse_args()

    import brian2 as b2
    from brian2 import ms, mV, second

    if args.standalone:
        directory = tempfile.mkdtemp(prefix="brian2_" + args.model + "_")
        b2.set_device("cpp_standalone", directory=directory, build_on_run=False)
    else:
        b2.prefs.codegen.target = args.target
    b2.seed(args.seed)
    b2.defaultclock.dt = args.dt * ms

    n = args.neurons
    n_exc = int(round(0.8 * n))
    p = min(1.0, 80.0 / n)
    taum, taue, taui = 20 * ms, 5 * ms, 10 * ms
    vt, vr = -50 * mV, -60 * mV
    setup_start = time.perf_counter()
    if args.model == "cuba":
        el = -49 * mV
        eqs = """
        dv/dt  = (ge+gi-(v-el))/taum : volt (unless refractory)
        dge/dt = -ge/taue : volt
        dgi/dt = -gi/taui : volt
        """
        group = b2.NeuronGroup(n, eqs, threshold="v>vt", reset="v = vr", refractory=5 * ms, method=args.method or "exact")
        group.v = "vr + rand() * (vt - vr)"
        we = (60 * 0.27 / 10) * mV
        wi = (-20 * 4.5 / 10) * mV
    else:
        el = -60 * mV
        ee, ei = 0 * mV, -80 * mV
        drive = 20 * mV
        eqs = """
        dv/dt  = (ge*(ee-v)+gi*(ei-v)-(v-el) + drive)*(1./taum) : volt (unless refractory)
        dge/dt = -ge/taue : 1
        dgi/dt = -gi/taui : 1
        """
        group = b2.NeuronGroup(n, eqs, threshold="v>vt", reset="v = vr", refractory=5 * ms, method=args.method or "euler")
        group.v = "(randn() * 5 - 55) * mV"
        we = 0.6
        wi = 6.7
    ce = b2.Synapses(group[:n_exc], group, on_pre="ge += we")
    ci = b2.Synapses(group[n_exc:], group, on_pre="gi += wi")
    ce.connect(p=p)
    ci.connect(p=p)
    spikes = b2.SpikeMonitor(group)
    net = b2.Network(group, ce, ci, spikes)

    cpu_file = None
    if args.standalone:
        # Processor time of the loop alone, measured inside the generated program (comparable with loop_cpu_s of
        # `eventsnn bench` on a shared machine, where wall time includes waiting for a core).
        cpu_file = os.path.join(directory, "loop_cpu_s.txt")
        b2.device.insert_code("main", "std::clock_t _loop_cpu_start = std::clock();")
    run_start = time.perf_counter()
    net.run(args.duration * second, profile=False)
    run_wall = time.perf_counter() - run_start
    if args.standalone:
        b2.device.insert_code(
            "main",
            'std::ofstream("%s") << double(std::clock() - _loop_cpu_start) / CLOCKS_PER_SEC << std::endl;' % cpu_file)
    if args.standalone:
        b2.device.build(directory=directory, compile=True, run=True)
        loop_s = b2.device._last_run_time
    else:
        loop_s = run_wall
    setup_s = time.perf_counter() - setup_start - (loop_s if loop_s == loop_s else 0.0)

    synapses = len(ce) + len(ci)
    count = int(spikes.num_spikes)
    print(json.dumps({
        "model": args.model,
        "mode": "brian2-standalone" if args.standalone else "brian2-" + args.target,
        "method": args.method or ("exact" if args.model == "cuba" else "euler"),
        "dt_ms": args.dt,
        "seed": args.seed,
        "neurons": n,
        "synapses": int(synapses),
        "duration_s": args.duration,
        "setup_s": round(setup_s, 3),
        "loop_s": round(float(loop_s), 3),
        **({"loop_cpu_s": round(float(open(cpu_file).read()), 3), "directory": directory} if cpu_file else {}),
        "spikes": count,
        "rate_hz": round(count / n / args.duration, 4),
    }))


if __name__ == "__main__":
    main()
