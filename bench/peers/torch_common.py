"""What bench/peers/torch_cnn.py and torch_mlp.py share: reading a fixture,
setting the threads, RSS, and the JSON line and weights file they hand back
to bench/peers/torch.ts."""
import json
import os
import resource

import numpy as np
import torch


def load(fixture_dir, name):
    """The fixture's arrays (bench/shared/fixtures.ts: a JSON index and one float32 blob), each (rows, cols)."""
    with open(os.path.join(fixture_dir, name + '.json')) as f:
        index = json.load(f)
    blob = np.fromfile(os.path.join(fixture_dir, name + '.bin'), dtype='<f4')
    out = {}
    for key, e in index.items():
        out[key] = blob[e['offset']:e['offset'] + e['rows'] * e['cols']].reshape(e['rows'], e['cols'])
    return out


def rss_mib():
    with open('/proc/self/statm') as f:
        return int(f.read().split()[1]) * os.sysconf('SC_PAGE_SIZE') / 2**20


def blas():
    """The BLAS libraries this process has loaded (their real paths): Debian's torch calls whichever
    libblas.so.3 the system provides, the reference BLAS unless OpenBLAS is installed."""
    libs = set()
    with open('/proc/self/maps') as f:
        for line in f:
            parts = line.split()
            if len(parts) >= 6 and ('blas' in os.path.basename(parts[5]).lower() or 'mkl' in os.path.basename(parts[5]).lower()):
                libs.add(os.path.realpath(parts[5]))
    return sorted(libs)


def finish(weights_out, snapshots, report):
    """Writes each snapshot (float32, layerwise's layout) to weights_out and prints the report as one JSON line."""
    with open(weights_out, 'wb') as f:
        for s in snapshots:
            f.write(s.tobytes())
    print(json.dumps({
        'torch': torch.__version__,
        'threads': torch.get_num_threads(),
        'epochs': len(snapshots),
        'maxRssMiB': resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024,
        'blas': blas(),
        **report,
    }))
