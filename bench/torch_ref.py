"""PyTorch reference timings for the same problems downhill benchmarks (run on the lent GPU machine).

Full-batch MSE gradient (X@w, then X.T@e) and mini-batch SGD epochs (eager, and torch.compile), N x D float32
resident on the GPU, CUDA-event timing, median of several runs after a warm-up. Prints one JSON line.
Usage: python3 bench/torch_ref.py [--rows 4194304] [--features 64]
"""
import argparse, json, statistics
import torch

p = argparse.ArgumentParser()
p.add_argument("--rows", type=int, default=4 * 2**20)
p.add_argument("--features", type=int, default=64)
p.add_argument("--runs", type=int, default=5)
a = p.parse_args()
dev = "cuda"
g = torch.Generator(device=dev).manual_seed(0)
X = torch.rand(a.rows, a.features, device=dev, generator=g) * 2 - 1
w_true = torch.rand(a.features, device=dev, generator=g) * 4 - 2
y = X @ w_true + 0.5 + 0.1 * torch.randn(a.rows, device=dev, generator=g)


def timed(fn, reps):
    fn()
    torch.cuda.synchronize()
    out = []
    for _ in range(a.runs):
        s, e = torch.cuda.Event(enable_timing=True), torch.cuda.Event(enable_timing=True)
        s.record()
        for _ in range(reps):
            fn()
        e.record()
        torch.cuda.synchronize()
        out.append(s.elapsed_time(e) / reps)
    return statistics.median(out)


w = torch.zeros(a.features, device=dev)
b = torch.zeros((), device=dev)


def full_grad():
    e = X @ w + b - y
    return (2.0 / a.rows) * (X.T @ e), 2.0 * e.mean()


def sgd_epoch(batch, step):
    def run():
        for i in range(0, a.rows, batch):
            step(X[i:i + batch], y[i:i + batch])
    return run


def step_eager(xb, yb):
    global w, b
    e = xb @ w + b - yb
    w = w - 0.01 * (2.0 / xb.shape[0]) * (xb.T @ e)
    b = b - 0.01 * 2.0 * e.mean()


res = {"device": torch.cuda.get_device_name(), "rows": a.rows, "features": a.features,
       "full_grad_ms": timed(full_grad, 20)}
for batch in (65536, 4096):
    res[f"sgd_eager_b{batch}_ms_per_epoch"] = timed(sgd_epoch(batch, step_eager), 1)
print(json.dumps(res))
