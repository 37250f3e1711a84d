"""The bench's LSTM character model in PyTorch (CPU, eager), run by bench/peers/torch.ts.

Usage: python3 torch_lstm.py <fixture dir> <threads> <batches> <weights out>

Reads the shared fixture (bench/out/fixtures/lstm.json + lstm.bin: the same
character sequences and starting weights every peer uses, in layerwise's
layout), trains <batches> batches of 32 sequences in the fixed order on
<threads> intra-op threads with torch.nn.LSTM (its fused CPU path) and a
linear + cross-entropy over every step, Adam; prints one JSON line with each
batch's cost (before its update) and wall seconds.

Layouts: layerwise's gates are Wf, Wi, Wo, Wc (n_a, n_a + n_x) over
[a<t-1>; x<t>] with biases bf, bi, bo, bc; torch.nn.LSTM's weight_ih_l0 is
(4 n_a, n_x) and weight_hh_l0 (4 n_a, n_a), gate rows [i; f; g; o], with two
biases (bias_ih_l0 takes layerwise's; bias_hh_l0 is 0 and not trained).
"""
import sys
import time

import numpy as np
import torch
import torch.nn.functional as F

from torch_common import finish, load, rss_mib

UNITS, STEPS, BATCH, PER_EPOCH = 128, 25, 32, 50
LR, BETAS, EPS = 1e-3, (0.9, 0.999), 1e-8
TORCH_ORDER = ['i', 'f', 'c', 'o']


def main():
    fixture_dir, threads, batches, weights_out = sys.argv[1], int(sys.argv[2]), int(sys.argv[3]), sys.argv[4]
    torch.set_num_threads(threads)
    a = load(fixture_dir, 'lstm')
    V = a['chars'].shape[1]
    text = torch.from_numpy(a['text'].astype(np.int64))  # (sequences, T + 1)
    lstm = torch.nn.LSTM(V, UNITS)  # input (T, batch, V)
    with torch.no_grad():
        lstm.weight_hh_l0.copy_(torch.from_numpy(np.concatenate([a['W' + g][:, :UNITS] for g in TORCH_ORDER])))
        lstm.weight_ih_l0.copy_(torch.from_numpy(np.concatenate([a['W' + g][:, UNITS:] for g in TORCH_ORDER])))
        lstm.bias_ih_l0.copy_(torch.from_numpy(np.concatenate([a['b' + g].reshape(-1) for g in TORCH_ORDER])))
        lstm.bias_hh_l0.zero_()
    Wy = torch.from_numpy(a['Wy'].copy()).requires_grad_()
    by = torch.from_numpy(a['by'].reshape(-1).copy()).requires_grad_()
    # bias_hh would double every bias step under Adam (both get the same gradient): it stays 0, untrained.
    lstm.bias_hh_l0.requires_grad_(False)
    params = [lstm.weight_ih_l0, lstm.weight_hh_l0, lstm.bias_ih_l0, Wy, by]
    opt = torch.optim.Adam(params, lr=LR, betas=BETAS, eps=EPS)
    eye = torch.eye(V)
    costs, seconds = [], []
    mark = time.perf_counter()
    for i in range(batches):
        rows = text[(i % PER_EPOCH) * BATCH:(i % PER_EPOCH + 1) * BATCH]
        x = eye[rows[:, :STEPS].t()]  # (T, batch, V) one-hot
        y = rows[:, 1:].t().reshape(-1)
        h, _ = lstm(x)
        loss = F.cross_entropy(F.linear(h.reshape(-1, UNITS), Wy, by), y)
        opt.zero_grad()
        loss.backward()
        opt.step()
        costs.append(loss.item())
        seconds.append(time.perf_counter() - mark)
        mark = time.perf_counter()
    finish(weights_out, [], {'batchCosts': costs, 'batchSeconds': seconds, 'rssMiB': [rss_mib()]})


if __name__ == '__main__':
    main()
