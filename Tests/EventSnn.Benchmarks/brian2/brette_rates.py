#!/usr/bin/env python3
"""Mean firing rates of the Brette et al. (2007) CUBA and COBA networks, EventSnn next to Brian2, over several seeds.

For each model and seed k it runs
  * Brian2 (cuba_coba.py beside this file, runtime target, compiled once and cached), seed k;
  * `eventsnn run Samples/networks/brette-<model>.json` on a copy of the file whose every "seed" is offset by 1000·k
    (the network a user runs, with other random draws of initial potentials and connectivity);
and prints one table row per seed and the mean rate of each side with their relative difference.

Usage (from the repository root, after `dotnet build Simulator/EventSnn.Cli -c Release`):
  /usr/bin/python3 Tests/EventSnn.Benchmarks/brian2/brette_rates.py [--models cuba coba] [--seeds 5] [--duration 10]
      [--execution as-declared|clock|event] [--eventsnn "dotnet Simulator/EventSnn.Cli/bin/Release/net10.0/eventsnn.dll"]
"""
import argparse
import json
import os
import shlex
import subprocess
import sys
import tempfile

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.abspath(os.path.join(HERE, "..", "..", ".."))


def offset_seeds(node, offset):
    """Returns a copy of a parsed network file with every "seed" value offset."""
    if isinstance(node, dict):
        return {k: (v + offset if k == "seed" and isinstance(v, int) else offset_seeds(v, offset)) for k, v in node.items()}
    if isinstance(node, list):
        return [offset_seeds(v, offset) for v in node]
    return node


def brian2_rate(model, seed, duration, python):
    out = subprocess.run([python, os.path.join(HERE, "cuba_coba.py"), model, "--seed", str(seed), "--duration", str(duration)],
                         check=True, capture_output=True, text=True).stdout
    return json.loads(out.strip().splitlines()[-1])["rate_hz"]


def eventsnn_rate(model, seed, duration, execution, eventsnn, work):
    with open(os.path.join(ROOT, "Samples", "networks", "brette-%s.json" % model)) as f:
        net = json.load(f)
    net = offset_seeds(net, 1000 * seed)
    net.pop("$schema", None)
    path = os.path.join(work, "%s-%d.json" % (model, seed))
    with open(path, "w") as f:
        json.dump(net, f)
    cmd = shlex.split(eventsnn) + ["run", path, "--duration", str(duration), "--execution", execution, "--json",
                                   "--out", os.path.join(work, "out-%s-%d" % (model, seed))]
    summary = json.loads(subprocess.run(cmd, check=True, capture_output=True, text=True, cwd=ROOT).stdout.strip().splitlines()[-1])
    return summary["spikes"] / (summary["neurons"] * duration)


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--models", nargs="+", choices=["cuba", "coba"], default=["cuba", "coba"])
    parser.add_argument("--seeds", type=int, default=5)
    parser.add_argument("--duration", type=float, default=10.0)
    parser.add_argument("--execution", choices=["as-declared", "clock", "event"], default="as-declared")
    parser.add_argument("--eventsnn", default="dotnet Simulator/EventSnn.Cli/bin/Release/net10.0/eventsnn.dll")
    parser.add_argument("--python", default=sys.executable, help="interpreter with Brian2 installed")
    args = parser.parse_args()

    work = tempfile.mkdtemp(prefix="brette_rates_")
    print("model  seed  brian2_hz  eventsnn_hz  diff")
    for model in args.models:
        b, e = [], []
        for seed in range(1, args.seeds + 1):
            rb = brian2_rate(model, seed, args.duration, args.python)
            re = eventsnn_rate(model, seed, args.duration, args.execution, args.eventsnn, work)
            b.append(rb)
            e.append(re)
            print("%-5s  %4d  %9.3f  %11.3f  %+5.1f %%" % (model, seed, rb, re, 100 * (re - rb) / rb), flush=True)
        mb, me = sum(b) / len(b), sum(e) / len(e)
        print("%-5s  mean  %9.3f  %11.3f  %+5.1f %%" % (model, mb, me, 100 * (me - mb) / mb), flush=True)


if __name__ == "__main__":
    main()
