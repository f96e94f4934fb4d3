"""PyTorch (CPU, float32, NCHW) on the same workload and batches as the tapegrad benchmark.
Adapted from shared/peers/torch_bench.py (beside the project). Reads its settings as JSON on stdin:
{"data_dir", "train_idx": [[...100 indices...], ...], "threads", "infer_reps", "mm_reps", "warmup"}
and prints one JSON line."""
import json, os, resource, sys, time

import numpy as np
import torch
import torch.nn as nn
import torch.nn.functional as F


def read_idx(path):
    with open(path, "rb") as f:
        data = f.read()
    ndim = data[3]
    dims = [int.from_bytes(data[4 + 4 * i:8 + 4 * i], "big") for i in range(ndim)]
    return np.frombuffer(data, dtype=np.uint8, offset=4 + 4 * ndim).reshape(dims)


def stats(ms):
    s = sorted(ms)
    q = lambda f: s[min(len(s) - 1, int(f * (len(s) - 1) + 0.5))]
    r = lambda v: round(v, 3)
    return {"median": r(q(0.5)), "min": r(s[0]), "max": r(s[-1]), "p10": r(q(0.1)), "p90": r(q(0.9)), "n": len(s)}


def timed(fn, warmup, reps):
    ms = []
    for i in range(warmup + reps):
        t0 = time.perf_counter()
        fn()
        t1 = time.perf_counter()
        if i >= warmup:
            ms.append((t1 - t0) * 1e3)
    return stats(ms)


def main():
    cfg = json.load(sys.stdin)
    torch.set_num_threads(cfg["threads"])
    d = cfg["data_dir"]
    xtr = read_idx(os.path.join(d, "train-images-idx3-ubyte")).reshape(-1, 1, 28, 28)
    ttr = read_idx(os.path.join(d, "train-labels-idx1-ubyte")).astype(np.int64)
    xte = read_idx(os.path.join(d, "t10k-images-idx3-ubyte")).reshape(-1, 1, 28, 28)
    tte = read_idx(os.path.join(d, "t10k-labels-idx1-ubyte"))
    torch.manual_seed(0)
    net = nn.Sequential(nn.Conv2d(1, 30, 5), nn.ReLU(), nn.MaxPool2d(2, 2), nn.Flatten(),
                        nn.Linear(4320, 100), nn.ReLU(), nn.Linear(100, 10))
    for m in net:
        if isinstance(m, (nn.Conv2d, nn.Linear)):
            nn.init.normal_(m.weight, 0.0, 0.01)
            nn.init.zeros_(m.bias)
    opt = torch.optim.Adam(net.parameters(), lr=0.001, betas=(0.9, 0.999), eps=1e-7)
    out = {"peer": f"torch-{cfg['threads']}t", "torch": torch.__version__, "threads": torch.get_num_threads()}
    batches = [(torch.from_numpy(xtr[idx].astype(np.float32) / 255.0), torch.from_numpy(ttr[idx])) for idx in cfg["train_idx"]]
    ms = []
    for s, (x, t) in enumerate(batches):
        t0 = time.perf_counter()
        opt.zero_grad(set_to_none=True)
        loss = F.cross_entropy(net(x), t)
        loss.backward()
        opt.step()
        lv = loss.item()
        t1 = time.perf_counter()
        if s >= cfg["warmup"]:
            ms.append((t1 - t0) * 1e3)
    out["train_step_ms"] = stats(ms)
    out["loss_after"] = round(lv, 4)
    net.eval()
    xt = torch.from_numpy(xte[:1000].astype(np.float32) / 255.0)
    res = {}
    with torch.inference_mode():
        def infer():
            res["pred"] = net(xt).argmax(dim=1)
        out["infer_1000_ms"] = timed(infer, 2, cfg["infer_reps"])
    out["test_acc_first1000_after_bench_steps"] = float((res["pred"].numpy() == tte[:1000]).mean())
    out["peak_rss_mb_after_train_infer"] = round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024)
    g = torch.Generator().manual_seed(7)
    for name, (m, k, n) in cfg["gemm_shapes"].items():
        A = torch.rand(m, k, generator=g) * 2 - 1
        B = torch.rand(k, n, generator=g) * 2 - 1
        s = timed(lambda: torch.mm(A, B), 2, cfg["mm_reps"])
        out[f"{name}_ms"] = s
        out[f"{name}_gflops_median"] = round(2 * m * k * n / (s["median"] * 1e6), 2)
    out["peak_rss_mb"] = round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024)
    print(json.dumps(out))


if __name__ == "__main__":
    main()
