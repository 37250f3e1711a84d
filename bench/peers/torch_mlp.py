"""The bench's MNIST MLP in PyTorch (CPU, eager), run by bench/peers/torch.ts.

Usage: python3 torch_mlp.py <fixture dir> <threads> <epochs> <weights out>

Reads the shared fixture (bench/out/fixtures/mnist.json + mnist.bin: the same
digits, starting weights and per-epoch batch order every peer uses), trains
<epochs> epochs of 784-128-64-10 (ReLU, softmax cross-entropy, Adam 1e-3,
batch 64) on <threads> intra-op threads and prints one JSON line: each
epoch's wall seconds, RSS at each epoch's end, peak RSS. The weights after
each epoch go to <weights out> as float32 in the course's layout (W is
(out, in), which is F.linear's own), for the shared evaluator.

The examples are rows, PyTorch's own layout ((m, 784), made once before the
clock starts); each batch is gathered by index from the epoch's permutation
(X[idx], as a shuffled training loop does), inside the timing.
"""
import gc
import sys
import time

import numpy as np
import torch
import torch.nn.functional as F

from torch_common import finish, load, rss_mib

PARAMS = ['W1', 'b1', 'W2', 'b2', 'W3', 'b3']
BATCH, LR, BETAS, EPS = 64, 1e-3, (0.9, 0.999), 1e-8


def main():
    fixture_dir, threads, epochs, weights_out = sys.argv[1], int(sys.argv[2]), int(sys.argv[3]), sys.argv[4]
    torch.set_num_threads(threads)
    a = load(fixture_dir, 'mnist')
    X = torch.from_numpy(np.ascontiguousarray(a['trainX'].T))  # (m, 784): one example per row
    y = torch.from_numpy(a['trainY'].argmax(axis=0).astype(np.int64))
    order = a['order'].astype(np.int64)
    if epochs > order.shape[0]:
        raise SystemExit(f'the fixture holds the batch order of {order.shape[0]} epochs, asked for {epochs}')
    # The course's shapes: W (out, in) as F.linear takes it, b (out, 1) flattened.
    W1, b1, W2, b2, W3, b3 = params = [
        torch.from_numpy(a[k].copy() if k[0] == 'W' else a[k].reshape(-1).copy()).requires_grad_() for k in PARAMS
    ]
    opt = torch.optim.Adam(params, lr=LR, betas=BETAS, eps=EPS)
    m = X.shape[0]
    seconds, rss, snapshots = [], [rss_mib()], []
    for e in range(epochs):
        start = time.perf_counter()
        perm = torch.from_numpy(order[e])
        for b in range(0, m, BATCH):
            idx = perm[b:b + BATCH]
            x, t = X[idx], y[idx]
            h = F.relu(F.linear(x, W1, b1))
            h = F.relu(F.linear(h, W2, b2))
            loss = F.cross_entropy(F.linear(h, W3, b3), t)
            opt.zero_grad()
            loss.backward()
            opt.step()
            loss.item()
        seconds.append(time.perf_counter() - start)
        gc.collect()
        rss.append(rss_mib())
        snapshots.append(np.concatenate([p.detach().numpy().reshape(-1) for p in params]).astype('<f4'))
    finish(weights_out, snapshots, {'epochSeconds': seconds, 'rssMiB': rss})


if __name__ == '__main__':
    main()
