#!/usr/bin/env python3
"""Compare subspace's sketching operators with scikit-learn's random projections.

Same problem as bench/sketch: 20000 points in R^1000 (sklearn: X is 20000 x 1000, samples as
rows; subspace: A = X^T is 1000 x 20000, points as columns) projected to k = 200 dimensions.

Times scikit-learn's GaussianRandomProjection.transform and SparseRandomProjection.transform
(median of 5 runs, fit excluded: fit only draws the matrix), runs bench_sketch for our medians,
and prints the time ratios. Also prints the pairwise-distance distortion of sklearn's
projections on 200 points for reference.

Usage: python3 bench/compare/sketch_sklearn.py [path/to/bench_sketch]
(default: build/bench/bench_sketch; build it in Release, see README).
"""
import json
import os
import subprocess
import sys
import tempfile
import time

import numpy as np
from sklearn.random_projection import GaussianRandomProjection, SparseRandomProjection

N_FEATURES, N_SAMPLES, K = 1000, 20000, 200


def median_time(f, reps=5):
    ts = []
    for _ in range(reps):
        t0 = time.perf_counter()
        f()
        ts.append(time.perf_counter() - t0)
    return float(np.median(ts)) * 1e3  # ms


def distortion(X, Y, m=200):
    d0 = np.linalg.norm(X[:m, None, :] - X[None, :m, :], axis=-1)
    d1 = np.linalg.norm(Y[:m, None, :] - Y[None, :m, :], axis=-1)
    iu = np.triu_indices(m, 1)
    r = d1[iu] / d0[iu]
    return float(r.min()), float(r.max())


def ours(bench):
    if not os.path.exists(bench):
        print(f"(bench binary {bench} not found: build bench_sketch to compare)")
        return {}
    with tempfile.TemporaryDirectory() as tmp:
        path = os.path.join(tmp, "ours.json")
        subprocess.run([bench, "--benchmark_filter=BM_dense", f"--benchmark_out={path}",
                        "--benchmark_out_format=json"], check=True, capture_output=True)
        with open(path) as f:
            doc = json.load(f)
    res = {}
    for b in doc["benchmarks"]:
        if b.get("aggregate_name") == "median":
            res[b["run_name"]] = b["real_time"]
    return res


def main():
    bench = sys.argv[1] if len(sys.argv) > 1 else "build/bench/bench_sketch"
    rng = np.random.default_rng(1)
    X = rng.standard_normal((N_SAMPLES, N_FEATURES))
    g = GaussianRandomProjection(n_components=K, random_state=0).fit(X)
    s = SparseRandomProjection(n_components=K, random_state=0).fit(X)
    tg = median_time(lambda: g.transform(X))
    ts = median_time(lambda: s.transform(X))
    print(f"sklearn GaussianRandomProjection.transform  {tg:9.1f} ms  distortion "
          f"{distortion(X, g.transform(X))}")
    print(f"sklearn SparseRandomProjection.transform    {ts:9.1f} ms  distortion "
          f"{distortion(X, s.transform(X))}  (density {s.density_:.4f})")
    res = ours(bench)
    if not res:
        return 0
    rows = [("BM_dense/gaussian", tg, "GaussianRandomProjection"),
            ("BM_dense/sparse_sign", ts, "SparseRandomProjection"),
            ("BM_dense/count_sketch", ts, "SparseRandomProjection"),
            ("BM_dense/srht", ts, "SparseRandomProjection")]
    print(f"\n{'ours':24s} {'ms':>9s}   {'sklearn':26s} {'ms':>9s}  speed-up")
    for name, t_sk, sk in rows:
        key = next((k for k in res if k.startswith(name)), None)
        if key is None:
            continue
        print(f"{name:24s} {res[key]:9.1f}   {sk:26s} {t_sk:9.1f}  {t_sk / res[key]:6.2f}x")
    key = next((k for k in res if k.startswith("BM_dense/sparse_sign")), None)
    if key is not None:
        ratio = ts / res[key]
        print(f"\nSparseSign vs SparseRandomProjection.transform: {ratio:.2f}x faster "
              f"(target >= 6x: {'met' if ratio >= 6 else 'MISSED'})")
    return 0


if __name__ == "__main__":
    sys.exit(main())
