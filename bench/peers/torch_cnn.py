"""The bench's MNIST CNN in PyTorch (CPU, eager), run by bench/peers/torch.ts.

Usage: python3 torch_cnn.py <fixture dir> <threads> <batches> <weights out>

Reads the shared fixture (bench/out/fixtures/cnn.json + cnn.bin: the same
digits and starting weights every peer uses, in layerwise's layout), trains
<batches> batches of 64 in the fixed order on <threads> intra-op threads, and
prints one JSON line: each batch's cost and wall seconds, RSS at each full
epoch's end, peak RSS. The weights after each full epoch go to <weights out>
as float32, converted back to layerwise's layout, for the shared evaluator.

Layouts: layerwise's conv kernels are (f, f, c_in, c_out), PyTorch's
(c_out, c_in, f, f); layerwise flattens the pooled (h, w, c) volume, PyTorch
its (c, h, w) one, so the dense weights' 256 columns are permuted.
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
K, C1, C2, CLASSES, POOL_HW = 5, 8, 16, 10, 4


def to_torch(a):
    """layerwise layout -> PyTorch tensors (leaf, requires grad)."""
    w1 = torch.from_numpy(a['W1'].reshape(K, K, 1, C1).transpose(3, 2, 0, 1).copy())
    w2 = torch.from_numpy(a['W2'].reshape(K, K, C1, C2).transpose(3, 2, 0, 1).copy())
    # (10, h, w, c) -> (10, c, h, w)
    w3 = torch.from_numpy(a['W3'].reshape(CLASSES, POOL_HW, POOL_HW, C2).transpose(0, 3, 1, 2).reshape(CLASSES, -1).copy())
    ps = [w1, torch.from_numpy(a['b1'].reshape(-1).copy()), w2, torch.from_numpy(a['b2'].reshape(-1).copy()),
          w3, torch.from_numpy(a['b3'].reshape(-1).copy())]
    return [p.requires_grad_() for p in ps]


def to_layerwise(ps):
    w1, b1, w2, b2, w3, b3 = [p.detach().numpy() for p in ps]
    return np.concatenate([
        w1.transpose(2, 3, 1, 0).reshape(-1), b1.reshape(-1),
        w2.transpose(2, 3, 1, 0).reshape(-1), b2.reshape(-1),
        w3.reshape(CLASSES, C2, POOL_HW, POOL_HW).transpose(0, 2, 3, 1).reshape(-1), b3.reshape(-1),
    ]).astype('<f4')


def main():
    fixture_dir, threads, batches, weights_out = sys.argv[1], int(sys.argv[2]), int(sys.argv[3]), sys.argv[4]
    torch.set_num_threads(threads)
    a = load(fixture_dir, 'cnn')
    m = a['trainX'].shape[0]
    X = torch.from_numpy(a['trainX'].reshape(m, 1, 28, 28).copy())  # NHWC with C = 1 is NCHW
    y = torch.from_numpy(a['trainY'].argmax(axis=0).astype(np.int64))
    W1, b1, W2, b2, W3, b3 = params = to_torch(a)
    opt = torch.optim.Adam(params, lr=LR, betas=BETAS, eps=EPS)
    per_epoch = m // BATCH
    costs, seconds, rss = [], [], [rss_mib()]
    snapshots = []
    mark = time.perf_counter()
    for i in range(batches):
        start = (i % per_epoch) * BATCH
        x, t = X[start:start + BATCH], y[start:start + BATCH]
        a1 = F.max_pool2d(F.relu(F.conv2d(x, W1, b1)), 2)
        a2 = F.max_pool2d(F.relu(F.conv2d(a1, W2, b2)), 2)
        loss = F.cross_entropy(F.linear(a2.reshape(BATCH, -1), W3, b3), t)
        opt.zero_grad()
        loss.backward()
        opt.step()
        costs.append(loss.item())
        seconds.append(time.perf_counter() - mark)
        if (i + 1) % per_epoch == 0:
            gc.collect()
            rss.append(rss_mib())
            snapshots.append(to_layerwise(params))
        mark = time.perf_counter()
    finish(weights_out, snapshots, {'batchCosts': costs, 'batchSeconds': seconds, 'rssMiB': rss})


if __name__ == '__main__':
    main()
