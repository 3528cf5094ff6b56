#!/usr/bin/env python3
"""Intrinsic dimension: subspace (bench_intrinsic) against scikit-learn/numpy and skdim.

Usage: intrinsic_skdim.py PATH/TO/bench_intrinsic [n]

Generates the two timing sets of bench_intrinsic's shape (10-sphere in R^11, uniform 10-ball in
R^100, n points, default 20000), times single-threaded
  - skdim 0.3.4 MLE(k=20), TwoNN, CorrInt when skdim is installed,
  - otherwise the same algorithms written with scikit-learn NearestNeighbors + numpy
    (skdim's code path: sklearn k-NN, then the per-point formula),
runs the C++ benchmarks in the same session and prints time ratios and the estimates.
skdim's CPU seconds on the stored timing files (issue 8) are printed for reference.
"""
import json
import os
import subprocess
import sys
import time

os.environ.setdefault("OMP_NUM_THREADS", "1")
os.environ.setdefault("OPENBLAS_NUM_THREADS", "1")
import numpy as np  # noqa: E402
from sklearn.neighbors import NearestNeighbors  # noqa: E402

SKDIM_CPU = {("mle", 0): 6.65, ("mle", 1): 2.78, ("twonn", 1): 34.65, ("corrint", 0): 12.7,
             ("corrint", 1): 9.5}


def data(kind, n, rng):
    if kind == 0:
        X = rng.standard_normal((n, 11))
        return X / np.linalg.norm(X, axis=1, keepdims=True)
    G = rng.standard_normal((n, 10))
    B = G / np.linalg.norm(G, axis=1, keepdims=True) * rng.random((n, 1)) ** (1 / 10)
    return B @ rng.standard_normal((10, 100))


def py_mle(X, k=20):
    d, _ = NearestNeighbors(n_neighbors=k).fit(X).kneighbors()
    pw = (k - 1) / np.sum(np.log(d[:, -1:] / d), axis=1)
    return 1 / np.mean(1 / pw)


def py_twonn(X):
    d, _ = NearestNeighbors(n_neighbors=2).fit(X).kneighbors()
    n = len(X)
    mu = np.sort(d[:, 1] / d[:, 0])[: int(n * 0.9)]
    x = np.log(mu)
    y = -np.log(1 - np.arange(1, len(mu) + 1) / n)
    return np.sum(x * y) / np.sum(x * x)


def timed(f, X):
    t = time.process_time()
    v = f(X)
    return time.process_time() - t, v


def main():
    exe = sys.argv[1]
    n = int(sys.argv[2]) if len(sys.argv) > 2 else 20000
    try:
        import skdim

        algos = {"mle": lambda X: skdim.id.MLE().fit(X, n_neighbors=20).dimension_,
                 "twonn": lambda X: skdim.id.TwoNN().fit(X).dimension_,
                 "corrint": lambda X: skdim.id.CorrInt().fit(X).dimension_}
        who = "skdim"
    except ImportError:
        algos = {"mle": py_mle, "twonn": py_twonn}
        who = "sklearn+numpy"
    out = subprocess.run([exe, "--benchmark_format=json",
                          "--benchmark_filter=BM_(mle_k20|twonn|corrint)"],
                         capture_output=True, text=True, check=True).stdout
    cpp = {b["name"].split("/iterations")[0]: b["cpu_time"] / 1e3 for b in json.loads(out)["benchmarks"]}
    rng = np.random.default_rng(0)
    print(f"baseline: {who}, n = {n} (C++ benchmark at n = 20000)")
    print(f"{'estimator':10s} {'set':8s} {'base cpu s':>10s} {'C++ cpu s':>10s} {'ratio':>7s} "
          f"{'skdim stored':>12s} {'vs stored':>9s}  estimate")
    names = {"mle": "BM_mle_k20", "twonn": "BM_twonn", "corrint": "BM_corrint"}
    for kind in (0, 1):
        X = data(kind, n, rng)
        for a, f in algos.items():
            key = f"{names[a]}/{kind}"
            if key not in cpp:
                continue
            t, v = timed(f, X)
            stored = SKDIM_CPU.get((a, kind))
            print(f"{a:10s} {'R^11' if kind == 0 else 'R^100':8s} {t:10.2f} {cpp[key]:10.2f} "
                  f"{t / cpp[key]:7.1f} {stored if stored else float('nan'):12.2f} "
                  f"{(stored / cpp[key]) if stored else float('nan'):9.1f}  {v:.3f}")


if __name__ == "__main__":
    main()
