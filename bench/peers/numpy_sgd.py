"""numpy peer for `downhill bench --peers`: the same mini-batch SGD workload (N x D float32 rows, batch B, one
epoch = ceil(N / B) steps of w <- w - lr * mean gradient) timed in numpy, so the CPU backends' figures are compared
side by side in one run. Two row orders: `sequential` (contiguous slices X[i:i+B], numpy's fastest: no copy) and
`shuffled` (a fresh permutation each epoch, rows gathered with X[idx]: the order the downhill backends train in).
Reads one JSON object of options as argv[1]; prints one JSON object per (order, batch) on stdout."""
import json
import sys
import time

import numpy as np


def epoch(X, y, w, b, batch, lr, loss, rng, order):
    n = X.shape[0]
    idx = rng.permutation(n) if order == 'shuffled' else None
    for i in range(0, n, batch):
        if idx is None:
            xb, yb = X[i:i + batch], y[i:i + batch]
        else:
            rows = idx[i:i + batch]
            xb, yb = X[rows], y[rows]
        z = xb @ w + b
        if loss == 'logistic':
            r = 1 / (1 + np.exp(-z)) - yb          # dL/dz = sigma(z) - y for y in {0, 1}
        else:
            r = 2 * (z - yb)                       # squared error
        scale = np.float32(lr / len(r))
        w -= scale * (xb.T @ r)
        b -= scale * r.sum()
    return w, b


def main():
    o = json.loads(sys.argv[1])
    n, d, runs = o['rows'], o['features'], o['runs']
    rng = np.random.default_rng(o.get('seed', 0))
    X = rng.standard_normal((n, d), dtype=np.float32)
    y = rng.standard_normal(n, dtype=np.float32)
    if o['loss'] == 'logistic':
        y = (y > 0).astype(np.float32)
    info = {'numpy': np.__version__}
    try:
        blas = np.show_config(mode='dicts')['Build Dependencies']['blas']
        info['blas'] = f"{blas.get('name', '?')} {blas.get('version', '')}".strip()
    except Exception:
        pass
    for order in o['orders']:
        for batch in o['batches']:
            batch = min(batch, n)
            w = np.zeros(d, dtype=np.float32)
            b = np.float32(0)
            per_run = max(1, o.get('epochsPerRun', 1))
            times = []
            cpu = []
            for r in range(runs + 1):  # the first run warms up
                t0 = time.perf_counter()
                c0 = time.process_time()  # every thread of the process, OpenBLAS's included
                for _ in range(per_run):
                    w, b = epoch(X, y, w, b, batch, o['lr'], o['loss'], rng, order)
                if r > 0:
                    times.append((time.perf_counter() - t0) / per_run)
                    cpu.append((time.process_time() - c0) / per_run)
            print(json.dumps({**info, 'order': order, 'batch': batch, 'runs': times, 'cpuRuns': cpu}), flush=True)


if __name__ == '__main__':
    main()
