#!/usr/bin/python3
"""numpy reference for bench/tensor: ST-HOSVD (Gram + eigh), T-HOSVD and HOOI on the four Tucker
reference tensors (same construction and seeds as the project's gen_tensors.py), then, when the
benchmark binary is given, runs bench_tensor on the SAME tensors (written as .npy and passed through
SUBSPACE_TUCKER_DATA) and prints time and error ratios.

Usage: /usr/bin/python3 bench/compare/tensor_numpy.py [path/to/bench_tensor] [--keep DIR]
Writes ~450 MB of .npy files to a temporary directory (removed unless --keep). Single-threaded
numpy: run with OPENBLAS_NUM_THREADS=1 OMP_NUM_THREADS=1 for the table's setting.
"""
import json, os, subprocess, sys, tempfile, time, shutil
import numpy as np

CASES = {
    "cube3_exact": dict(shape=(200, 200, 200), rank=(10, 10, 10), decay=None, noise=0.1, seed=20240601),
    "cube3_decay": dict(shape=(200, 200, 200), rank=(20, 20, 20), decay=0.8, noise=0.01, seed=20240602),
    "four_exact": dict(shape=(100, 100, 100, 20), rank=(10, 10, 10, 10), decay=None, noise=0.1, seed=20240603),
    "four_decay": dict(shape=(100, 100, 100, 20), rank=(20, 20, 20, 10), decay=0.8, noise=0.01, seed=20240604),
}
TENSORLY_HOOI = {"cube3_exact": 0.0994653, "cube3_decay": 0.1413847, "four_exact": 0.0994723,
                 "four_decay": 0.1791586}


def mode_dot(T, M, n):
    return np.moveaxis(np.tensordot(M, T, axes=(1, n)), 0, n)


def unfold(X, n):
    return np.moveaxis(X, n, 0).reshape(X.shape[n], -1)


def make(c):  # the construction of gen_tensors.py
    rng = np.random.default_rng(c["seed"])
    U = [np.linalg.qr(rng.standard_normal((I, R)))[0] for I, R in zip(c["shape"], c["rank"])]
    G = rng.standard_normal(c["rank"])
    if c["decay"] is not None:
        G = G * c["decay"] ** np.indices(c["rank"]).sum(axis=0)
    X = G
    for n, Un in enumerate(U):
        X = mode_dot(X, Un, n)
    X /= np.linalg.norm(X)
    E = rng.standard_normal(c["shape"])
    return np.ascontiguousarray(X + c["noise"] * E / np.linalg.norm(E))


def gram_factor(Y, n, r):
    M = unfold(Y, n)
    w, V = np.linalg.eigh(M @ M.T)
    return V[:, ::-1][:, :r]


def sthosvd(Y, ranks):
    G, U = Y, [None] * Y.ndim
    for n in range(Y.ndim):
        U[n] = gram_factor(G, n, ranks[n])
        G = mode_dot(G, U[n].T, n)
    return G, U


def hooi(Y, ranks, tol=1e-4, max_iter=100):
    G, U = sthosvd(Y, ranks)
    nY = np.linalg.norm(Y)
    err = np.sqrt(max(0.0, nY**2 - np.linalg.norm(G) ** 2)) / nY
    for _ in range(max_iter):
        for n in range(Y.ndim):
            Z = Y
            for m in range(Y.ndim):
                if m != n:
                    Z = mode_dot(Z, U[m].T, m)
            U[n] = gram_factor(Z, n, ranks[n])
        G = Y
        for m in range(Y.ndim):
            G = mode_dot(G, U[m].T, m)
        e = np.sqrt(max(0.0, nY**2 - np.linalg.norm(G) ** 2)) / nY
        if abs(err - e) < tol:
            break
        err = e
    return G, U


def rel_err(Y, G, U):
    R = G
    for n, Un in enumerate(U):
        R = mode_dot(R, Un, n)
    return np.linalg.norm(Y - R) / np.linalg.norm(Y)


def timed(f, reps=3):
    ts = []
    for _ in range(reps):
        t0 = time.perf_counter()
        out = f()
        ts.append(time.perf_counter() - t0)
    return sorted(ts)[len(ts) // 2], out


def main():
    args = sys.argv[1:]
    keep = None
    if "--keep" in args:
        i = args.index("--keep")
        keep = args[i + 1]
        del args[i:i + 2]
    bench = args[0] if args else None
    outdir = keep or tempfile.mkdtemp(prefix="tucker_npy_")
    os.makedirs(outdir, exist_ok=True)
    numpy_res = {}
    for name, c in CASES.items():
        Y = make(c)
        np.save(os.path.join(outdir, name + ".npy"), Y)
        ranks = (10,) * Y.ndim
        t_st, (G, U) = timed(lambda: sthosvd(Y, ranks))
        e_st = rel_err(Y, G, U)
        t_ho, (G, U) = timed(lambda: hooi(Y, ranks), reps=1)
        e_ho = rel_err(Y, G, U)
        numpy_res[name] = dict(st=(t_st, e_st), hooi=(t_ho, e_ho))
        print(f"numpy {name}: ST-HOSVD {t_st:.3f}s err {e_st:.7f} | HOOI {t_ho:.3f}s err {e_ho:.7f}"
              f" (TensorLy HOOI err {TENSORLY_HOOI[name]})", flush=True)
        del Y
    if bench:
        env = dict(os.environ, SUBSPACE_TUCKER_DATA=outdir)
        out = subprocess.run([bench, "--benchmark_filter=BM_Tucker/[0-3]/[02]/",
                              "--benchmark_format=json"], env=env, capture_output=True, text=True,
                             check=True).stdout
        res = json.loads(out)["benchmarks"]
        names = list(CASES)
        for b in res:
            if b.get("aggregate_name") != "median":
                continue
            _, case, algo = b["run_name"].split("/")[:3]
            name = names[int(case)]
            key = "st" if algo == "0" else "hooi"
            t_np, e_np = numpy_res[name][key]
            t = b["real_time"] / 1e3
            line = (f"ours {name} {'ST-HOSVD' if key == 'st' else 'HOOI    '}: {t:.3f}s err "
                    f"{b['rel_err']:.7f} | numpy/ours time {t_np / t:.2f}x, err diff "
                    f"{b['rel_err'] - e_np:+.1e}")
            if key == "hooi":
                line += f", vs TensorLy err {b['rel_err'] - TENSORLY_HOOI[name]:+.1e}"
            else:
                line += f", TensorLy default tucker / ours {b['tensorly_s'] / t:.0f}x"
            print(line, flush=True)
    if not keep:
        shutil.rmtree(outdir)


if __name__ == "__main__":
    main()
