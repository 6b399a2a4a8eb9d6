#!/usr/bin/env python3
"""Writes Samples/networks/nmnist-conv.json: the N-MNIST-sized conv net of the benchmarks (docs/BENCHMARKS.md).

2x34x34 -> conv 12@5x5 -> max pool 2 -> conv 32@5x5 -> max pool 2 -> linear 10, LIF neurons, integrate-and-fire pooling
neurons. The kernels are drawn uniformly from a seeded generator (Python's Mersenne Twister): an untrained network sized
for throughput measurements, not a classifier.
"""
import json
import random
import sys

rng = random.Random(11)


def kernel(out_c, in_c, k, low, high):
    return [[[[round(rng.uniform(low, high), 3) for _ in range(k)] for _ in range(k)] for _ in range(in_c)] for _ in range(out_c)]


lif = {"tau_m_ms": 20, "v_rest_mV": -65, "v_thresh_mV": -50, "v_reset_mV": -65, "t_ref_ms": 1}
net = {
    "$schema": "../../docs/network-file.schema.json",
    "version": 1,
    "name": "nmnist-conv",
    "description": "N-MNIST-sized conv net (untrained, seeded kernels from scripts/nmnist-conv-sample.py): 2x34x34 -> conv 12@5x5 -> max pool 2 -> conv 32@5x5 -> max pool 2 -> linear 10, LIF.",
    "duration_ms": 320,
    "populations": [
        {"name": "dvs", "kind": "external", "shape": [2, 34, 34]},
        {"name": "conv1", "model": "lif", "shape": [12, 30, 30], "params": lif},
        {"name": "pool1", "model": "if", "shape": [12, 15, 15], "params": {"t_ref_ms": 1}},
        {"name": "conv2", "model": "lif", "shape": [32, 11, 11], "params": lif},
        {"name": "pool2", "model": "if", "shape": [32, 5, 5], "params": {"t_ref_ms": 1}},
        {"name": "out", "model": "lif", "size": 10, "params": lif},
    ],
    "projections": [
        {"pre": "dvs", "post": "conv1", "delay_ms": 1, "connectivity": {"rule": "conv2d", "kernel": kernel(12, 2, 5, -2.5, 2.5)}},
        {"pre": "conv1", "post": "pool1", "weight": 20, "delay_ms": 1, "connectivity": {"rule": "max_pool2d", "kernel": 2}},
        {"pre": "pool1", "post": "conv2", "delay_ms": 1, "connectivity": {"rule": "conv2d", "kernel": kernel(32, 12, 5, -1.0, 1.2)}},
        {"pre": "conv2", "post": "pool2", "weight": 20, "delay_ms": 1, "connectivity": {"rule": "max_pool2d", "kernel": 2}},
        {"pre": "pool2", "post": "out", "weight": {"uniform": [-0.5, 1.0], "seed": 12}, "delay_ms": 1, "connectivity": {"rule": "all_to_all"}},
    ],
}
out = sys.argv[1] if len(sys.argv) > 1 else "Samples/networks/nmnist-conv.json"

def one_line(value):
    return json.dumps(value, separators=(", ", ": "))


with open(out, "w") as f:
    f.write("{\n")
    scalars = [k for k in net if k not in ("populations", "projections")]
    for k in scalars:
        f.write(f'  "{k}": {one_line(net[k])},\n')
    for k in ("populations", "projections"):
        f.write(f'  "{k}": [\n')
        f.write(",\n".join("    " + one_line(item) for item in net[k]))
        f.write("\n  ]" + ("," if k == "populations" else "") + "\n")
    f.write("}\n")
