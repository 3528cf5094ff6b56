#!/usr/bin/env python3
"""Compare scikit-learn's randomized_svd and scipy's svds with subspace's randomized SVD.

Runs on the reference matrices written by bench_lowrank (4000 x 3000, sigma_i = 0.9^i "geo" and
1/sqrt(i) "slow"; files lowrank_geo.npy / lowrank_slow.npy in $SUBSPACE_BENCH_DIR, default /tmp)
and on our timings in lowrank_results.txt written by the same run. Rank 50, oversampling 10.
Prints, per case, CPU time (median of repeats; process CPU time, so single thread unless
--threads, to compare with the CPU-time column of Google Benchmark), spectral error /
optimal, max relative singular value error, and the ratios to ours.

    ./build/.../bench/bench_lowrank --benchmark_filter='Rsvd|Krylov'
    /usr/bin/python3 bench/compare/lowrank_sklearn.py [--threads N] [--repeats R]
(Debian's python3 with python3-sklearn / python3-scipy installed.)
"""
import argparse
import os
import statistics
import sys
import time

import numpy as np
import scipy.sparse.linalg as spla
from sklearn.utils.extmath import randomized_svd
from threadpoolctl import threadpool_limits

K, P = 50, 10


def spectral_error(A, U, S, Vt, iters=40):
    rng = np.random.default_rng(7)
    x = rng.standard_normal(A.shape[1])
    s = 0.0
    for _ in range(iters):
        x /= np.linalg.norm(x)
        y = A @ x - U @ (S * (Vt @ x))
        z = A.T @ y - Vt.T @ (S * (U.T @ y))
        s = np.sqrt(np.linalg.norm(z))
        x = z
    return s


def timed(f, repeats):
    times, out = [], None
    for _ in range(repeats):
        t0 = time.process_time()
        out = f()
        times.append(time.process_time() - t0)
    return statistics.median(times), out


def read_ours(path):
    ours = {}
    if not os.path.exists(path):
        return ours
    with open(path) as f:
        for line in f:
            parts = line.split()
            if len(parts) >= 4:
                ours[parts[0]] = (float(parts[1]), float(parts[2]), float(parts[3]))
    return ours


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--threads", type=int, default=1)
    ap.add_argument("--repeats", type=int, default=3)
    ap.add_argument("--kinds", default="geo,slow", help="comma-separated: geo, slow")
    ap.add_argument("--no-svds", action="store_true", help="skip scipy's svds (slow)")
    ap.add_argument("--dir", default=os.environ.get("SUBSPACE_BENCH_DIR", "/tmp"))
    args = ap.parse_args()
    ours = read_ours(os.path.join(args.dir, "lowrank_results.txt"))
    status = 0
    with threadpool_limits(args.threads):
        for kind in args.kinds.split(","):
            path = os.path.join(args.dir, "lowrank_%s.npy" % kind)
            if not os.path.exists(path):
                print("missing %s: run bench_lowrank first" % path)
                status = 1
                continue
            A = np.load(path)
            n = A.shape[1]
            i = np.arange(n, dtype=float)
            sigma = 0.9 ** i if kind == "geo" else 1.0 / np.sqrt(i + 1)
            opt = sigma[K]
            cases = []
            sweep = (2, "auto") if kind == "geo" else (2, 4, 5, 6, "auto")
            for n_iter in sweep:
                f = lambda n_iter=n_iter: randomized_svd(A, K, n_oversamples=P, n_iter=n_iter,
                                                         random_state=0)
                t, (U, S, Vt) = timed(f, args.repeats)
                cases.append(("sklearn randomized_svd n_iter=%s" % n_iter, t, U, S, Vt))
            if not args.no_svds:
                f = lambda: spla.svds(A, k=K, tol=1e-10, random_state=0)
                t, (U, S, Vt) = timed(f, 1)
                order = np.argsort(S)[::-1]
                cases.append(("scipy svds (ARPACK, tol 1e-10)", t, U[:, order], S[order],
                              Vt[order]))
            print("== %s spectrum, %d x %d, rank %d, p = %d, %d thread(s)" %
                  (kind, A.shape[0], n, K, P, args.threads))
            needed = None  # the cheapest scikit-learn setting meeting issue 4's slow target
            for name, t, U, S, Vt in cases:
                err = spectral_error(A, U, S, Vt) / opt
                sv = np.max(np.abs(S[:K] - sigma[:K]) / sigma[:K])
                meets = err <= 1.01 and sv <= 1e-2
                if meets and needed is None and name.startswith("sklearn"):
                    needed = (name, t)
                print("  %-36s time %8.1f ms  spec_err/opt %.5f  max_sv_rel_err %.2e%s" %
                      (name, 1e3 * t, err, sv, "  (meets 1.01x / 1e-2)" if meets else ""))
            baselines = [(c[0], c[1]) for c in cases
                         if c[0].endswith("n_iter=2") or c[0].endswith("n_iter=auto")]
            if kind == "slow" and needed is not None and needed not in baselines:
                baselines.append(needed)
            for key, (t_ms, err, sv) in sorted(ours.items()):
                if not key.startswith(kind + ":"):
                    continue
                print("  ours %-31s time %8.1f ms  spec_err/opt %.5f  max_sv_rel_err %.2e" %
                      (key, t_ms, err, sv))
                for name, t in baselines:
                    print("      time ratio ours / %s = %.2f" % (name, t_ms / (1e3 * t)))
            if kind == "slow":
                print("  scikit-learn needs %s for spec_err <= 1.01x opt and sv <= 1e-2" %
                      (needed[0] if needed else "more than n_iter=auto"))
    return status


if __name__ == "__main__":
    sys.exit(main())
