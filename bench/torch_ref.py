"""PyTorch reference timings for the same problems downhill benchmarks (run on the lent GPU machine).

Full-batch MSE gradient (X@w, then X.T@e), a plain read of X (X.sum(): PyTorch's view of the read ceiling) and
mini-batch SGD epochs in eager mode, N x D float32 resident on the GPU, CUDA-event timing, median of several runs after
a warm-up. Prints one JSON line (bench/gpu_table.mjs reads it: full_grad_ms, sgd_eager_b*_us_per_step, ..._ms_per_epoch).
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


x_bytes = a.rows * a.features * 4
res = {"device": torch.cuda.get_device_name(), "torch": torch.__version__, "rows": a.rows, "features": a.features,
       "full_grad_ms": timed(full_grad, 20), "x_sum_ms": timed(lambda: X.sum(), 20)}
res["full_grad_gb_per_s"] = x_bytes / res["full_grad_ms"] / 1e6
res["x_sum_gb_per_s"] = x_bytes / res["x_sum_ms"] / 1e6
for batch in (65536, 4096):
    ms = timed(sgd_epoch(batch, step_eager), 1)
    res[f"sgd_eager_b{batch}_ms_per_epoch"] = ms
    res[f"sgd_eager_b{batch}_us_per_step"] = ms * 1e3 / -(-a.rows // batch)
print(json.dumps(res))
