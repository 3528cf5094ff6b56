#!/usr/bin/env python3
"""Compare scikit-learn's PCA (svd_solver="randomized" and "full") with subspace's Pca.

Runs on the matrix written by bench_projection (100000 points x 500 features, file
projection_pca.npy in $SUBSPACE_BENCH_DIR, default /tmp) and reads our median times from
projection_results.txt written by the same run. 50 components. Prints, per solver, the median
wall time over --repeats runs (single thread unless --threads), the sum of the explained
variance ratios, and the time ratios to ours.

    OMP_NUM_THREADS=1 ./build/.../bench/bench_projection --benchmark_repetitions=3
    /usr/bin/python3 bench/compare/projection_sklearn.py [--threads N] [--repeats R]
"""
import argparse
import os
import statistics
import sys
import time

import numpy as np
from sklearn.decomposition import PCA
from threadpoolctl import threadpool_limits

K = 50


def timed(f, repeats):
    times, out = [], None
    for _ in range(repeats):
        t0 = time.perf_counter()
        out = f()
        times.append(time.perf_counter() - t0)
    return statistics.median(times), out


def read_ours(path):
    ours = {}
    if os.path.exists(path):
        with open(path) as f:
            for line in f:
                parts = line.split()
                if len(parts) == 3:
                    ours[parts[0]] = (float(parts[1]), float(parts[2]))
    return ours


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--threads", type=int, default=1)
    ap.add_argument("--repeats", type=int, default=3)
    ap.add_argument("--dir", default=os.environ.get("SUBSPACE_BENCH_DIR", "/tmp"))
    args = ap.parse_args()
    path = os.path.join(args.dir, "projection_pca.npy")
    if not os.path.exists(path):
        print("missing %s: run bench_projection first" % path)
        return 1
    X = np.load(path)
    ours = read_ours(os.path.join(args.dir, "projection_results.txt"))
    print("data %s, %d components, %d thread(s), median of %d runs" %
          (X.shape, K, args.threads, args.repeats))
    res = {}
    with threadpool_limits(args.threads):
        for solver in ("randomized", "full"):
            t, pca = timed(lambda: PCA(n_components=K, svd_solver=solver,
                                       random_state=0).fit(X), args.repeats)
            ev = float(pca.explained_variance_ratio_.sum())
            res[solver] = (t, ev)
            line = "sklearn %-10s %8.3f s  explained variance ratio sum %.8f" % (solver, t, ev)
            if solver in ours:
                ot, oev = ours[solver]
                line += ("   | subspace %8.3f s  sum %.8f  sklearn/subspace time %.2fx  "
                         "|ev diff| %.2e" % (ot, oev, t / ot, abs(ev - oev)))
            print(line)
    print("sklearn full / randomized = %.2fx" % (res["full"][0] / res["randomized"][0]))
    if "randomized" in ours and "full" in ours:
        print("subspace full / randomized = %.2fx" % (ours["full"][0] / ours["randomized"][0]))
    return 0


if __name__ == "__main__":
    sys.exit(main())
