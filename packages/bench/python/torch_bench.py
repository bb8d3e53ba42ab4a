#!/usr/bin/env python3
"""PyTorch side of @x/bench: the same cases as the JS systems, run by Debian's python3-torch.

Usage (from dist/main.js): torch_bench.py <threads> <cases-json> [digits.csv.gz]
Prints one line per case: "@@bench " + JSON {system, threads, caseId, status, seconds, times,
extra, note}, as src/protocol.ts describes. Prints status "absent" when torch cannot be imported.
"""
import gzip
import json
import os
import statistics
import sys
import time

PREFIX = "@@bench "


def emit(sample):
    print(PREFIX + json.dumps(sample), flush=True)


def measure(run, reps):
    """Untimed warm-up, then timed iterations under the case's repetition policy (stats.ts)."""
    for _ in range(reps["warmup"]):
        t0 = time.perf_counter()
        run()
        if time.perf_counter() - t0 > reps["maxSeconds"] / 4:
            break
    times = []
    start = time.perf_counter()
    while True:
        t0 = time.perf_counter()
        run()
        t1 = time.perf_counter()
        times.append(t1 - t0)
        spent = t1 - start
        if len(times) >= reps["maxReps"]:
            break
        if len(times) >= reps["minReps"] and spent >= reps["minSeconds"]:
            break
        if len(times) >= 2 and spent >= reps["maxSeconds"]:
            break
    return times


def load_digits(path, rows):
    with gzip.open(path, "rt") as f:
        lines = [l for l in f.read().split("\n") if l.strip()][:rows]
    vals = [[float(v) for v in l.split(",")] for l in lines]
    return vals


def prepare(torch, case, digits_path):
    """Returns (run, extra) for a case: run() is one iteration, extra() sanity figures."""
    nn = torch.nn
    F = nn.functional
    w = case["workload"]
    p = case["params"]
    if w == "matmul":
        n = p["n"]
        a, b = torch.randn(n, n), torch.randn(n, n)
        return (lambda: torch.mm(a, b)), None
    if w == "elementwise":
        n = int(p["n"])
        a, b, c = torch.randn(n), torch.randn(n), torch.randn(n)
        return (lambda: a * b + c), None
    if w == "add":
        ops = p["ops"]
        a = torch.randn(4, requires_grad=p["grad"])
        b = torch.randn(4, requires_grad=p["grad"])

        def run_add():
            for _ in range(ops):
                a + b

        return run_add, None
    if w in ("mlp", "cnn"):
        B = p["batch"]
        if w == "mlp":
            model = nn.Sequential(nn.Linear(784, 256), nn.ReLU(), nn.Linear(256, 128), nn.ReLU(), nn.Linear(128, 10))
            x = torch.randn(B, 784)
        else:
            model = nn.Sequential(
                nn.Conv2d(1, 16, 3), nn.ReLU(), nn.MaxPool2d(2),
                nn.Conv2d(16, 32, 3), nn.ReLU(), nn.MaxPool2d(2),
                nn.Flatten(), nn.Linear(800, 10),
            )
            x = torch.randn(B, 1, 28, 28)
        y = torch.randint(0, 10, (B,))
        opt = torch.optim.SGD(model.parameters(), lr=p["lr"])
        last = {"loss": float("nan")}

        def step():
            opt.zero_grad()
            loss = F.cross_entropy(model(x), y)
            loss.backward()
            opt.step()
            last["loss"] = loss.item()

        return step, (lambda: dict(last))
    if w == "digits":
        vals = load_digits(digits_path, p["rows"])
        X = torch.tensor([r[:64] for r in vals], dtype=torch.float32).reshape(-1, 1, 8, 8) / 16
        Y = torch.tensor([int(r[64]) for r in vals], dtype=torch.int64)
        out = {"lastEpochLoss": float("nan")}

        def run_digits():
            torch.manual_seed(0)
            model = nn.Sequential(
                nn.Conv2d(1, 16, 3, padding=1), nn.ReLU(),
                nn.Conv2d(16, 32, 3, padding=1), nn.ReLU(),
                nn.MaxPool2d(2), nn.Flatten(),
                nn.Linear(512, 64), nn.ReLU(), nn.Linear(64, 10),
            )
            opt = torch.optim.Adam(model.parameters(), lr=p["lr"])
            bs = p["batch"]
            start = time.perf_counter()
            out["epochs"] = 0
            for _ in range(p["epochs"]):
                perm = torch.randperm(X.shape[0])
                total = 0.0
                for i in range(0, X.shape[0], bs):
                    idx = perm[i:i + bs]
                    xb, yb = X[idx], Y[idx]
                    opt.zero_grad()
                    loss = F.cross_entropy(model(xb), yb)
                    loss.backward()
                    opt.step()
                    total += loss.item() * xb.shape[0]
                out["lastEpochLoss"] = total / X.shape[0]
                out["epochs"] += 1
                if time.perf_counter() - start > p.get("budget", float("inf")):
                    break

        return run_digits, (lambda: dict(out))
    raise ValueError("unknown workload " + w)


def reference_blas():
    """A note when torch's generic BLAS resolves to netlib's reference BLAS (Debian's libblas3):
    then torch.mm runs at a few GFLOP/s, far below an optimized BLAS (OpenBLAS, MKL)."""
    import os
    import torch
    if "BLAS_INFO=generic" not in torch.__config__.show():
        return None
    for lib in ("/usr/lib/x86_64-linux-gnu/libblas.so.3", "/usr/lib/aarch64-linux-gnu/libblas.so.3"):
        if os.path.exists(lib):
            real = os.path.realpath(lib)
            if "openblas" in real or "blis" in real or "mkl" in real:
                return None
            return "torch.mm uses the reference BLAS %s (install an optimized one, e.g. libopenblas0)" % real
    return None


def main():
    threads = int(sys.argv[1])
    cases = json.loads(sys.argv[2])
    digits_path = sys.argv[3] if len(sys.argv) > 3 else None
    base = {"system": "pytorch", "threads": threads}
    # an optimized BLAS behind torch.mm (OpenBLAS) has its own thread pool, sized when it loads:
    # hold it to the row's thread count as torch.set_num_threads holds PyTorch's own
    for var in ("OPENBLAS_NUM_THREADS", "OMP_NUM_THREADS", "MKL_NUM_THREADS"):
        os.environ[var] = str(threads)
    try:
        import torch
    except Exception as e:  # noqa: BLE001 - any import failure means "absent"
        for c in cases:
            emit({**base, "caseId": c["id"], "status": "absent", "note": "PyTorch is not installed (%s)" % e})
        return
    blas_note = reference_blas()
    torch.set_num_threads(threads)
    torch.manual_seed(0)
    for c in cases:
        try:
            run, extra = prepare(torch, c, digits_path)
            times = measure(run, c["reps"])
            seconds = statistics.median(times)
            notes = []
            ex = extra() if extra is not None else None
            if c["workload"] == "digits" and ex and 0 < ex["epochs"] < c["params"]["epochs"]:
                seconds *= c["params"]["epochs"] / ex["epochs"]
                notes.append("extrapolated from %d of %d epochs (time budget %s s)"
                             % (ex["epochs"], c["params"]["epochs"], c["params"]["budget"]))
            if c["workload"] in ("matmul", "mlp") and blas_note:
                notes.append(blas_note)
            sample = {**base, "caseId": c["id"], "status": "ok", "seconds": seconds, "times": times}
            if ex is not None:
                sample["extra"] = ex
            if notes:
                sample["note"] = "; ".join(notes)
            emit(sample)
        except Exception as e:  # noqa: BLE001 - reported, the other cases still run
            emit({**base, "caseId": c["id"], "status": "error", "note": ("%s: %s" % (type(e).__name__, e))[:300]})


if __name__ == "__main__":
    main()
