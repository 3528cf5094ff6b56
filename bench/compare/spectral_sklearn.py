#!/usr/bin/env python3
"""Compare scikit-learn's SpectralClustering with subspace's spectral_clustering on the same
graphs.

Reads the symmetric k-NN affinities written by bench_spectral (spectral_graph_<n>_{rows,cols,
vals,labels}.npy in $SUBSPACE_BENCH_DIR, default /tmp) and our median times / accuracies from
spectral_results.txt written by the same run. Runs SpectralClustering(affinity="precomputed",
n_clusters=10, n_init=10, assign_labels="kmeans") with each eigen_solver asked for ("arpack" is
scikit-learn's default; "lobpcg" is its iterative alternative), and prints wall time, accuracy
(Hungarian matching, scipy) and the time ratio to ours.

    OMP_NUM_THREADS=1 ./build/.../bench/bench_spectral
    /usr/bin/python3 bench/compare/spectral_sklearn.py [--sizes 1500 100000]
        [--solvers arpack lobpcg] [--threads N]
"""
import argparse
import os
import sys
import time

import numpy as np
import scipy.sparse as sp
from scipy.optimize import linear_sum_assignment
from sklearn.cluster import SpectralClustering
from sklearn.metrics.cluster import contingency_matrix
from threadpoolctl import threadpool_limits

K = 10


def accuracy(pred, truth):
    c = contingency_matrix(truth, pred)
    r, k = linear_sum_assignment(-c)
    return c[r, k].sum() / len(pred)


def read_ours(path):
    ours = {}
    if os.path.exists(path):
        with open(path) as f:
            for line in f:
                name, ms, acc = line.split()
                ours[name] = (float(ms) / 1000.0, float(acc))
    return ours


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--sizes", type=int, nargs="+", default=[1500, 100000])
    ap.add_argument("--solvers", nargs="+", default=["arpack", "lobpcg"])
    ap.add_argument("--threads", type=int, default=1)
    args = ap.parse_args()
    d = os.environ.get("SUBSPACE_BENCH_DIR", "/tmp")
    ours = read_ours(os.path.join(d, "spectral_results.txt"))
    for n in args.sizes:
        base = os.path.join(d, f"spectral_graph_{n}")
        if not os.path.exists(base + "_rows.npy"):
            print(f"missing {base}_*.npy: run bench_spectral first", file=sys.stderr)
            continue
        W = sp.csr_matrix((np.load(base + "_vals.npy"),
                           (np.load(base + "_rows.npy"), np.load(base + "_cols.npy"))),
                          shape=(n, n))
        truth = np.load(base + "_labels.npy")
        mine = ours.get(f"BM_SpectralLanczos_{n}")
        print(f"n = {n}, nnz = {W.nnz}")
        if mine:
            print(f"  subspace (Lanczos)       {mine[0]:9.3f} s  accuracy {mine[1]:.4f}")
        dense = ours.get(f"BM_SpectralDense_{n}")
        if dense:
            print(f"  subspace (dense eigh)    {dense[0]:9.3f} s  accuracy {dense[1]:.4f}")
        for solver in args.solvers:
            sc = SpectralClustering(n_clusters=K, affinity="precomputed", n_init=10,
                                    assign_labels="kmeans", eigen_solver=solver, random_state=0)
            with threadpool_limits(args.threads):
                t0 = time.perf_counter()
                labels = sc.fit_predict(W)
                t = time.perf_counter() - t0
            ratio = f"  ({t / mine[0]:.1f}x ours)" if mine else ""
            print(f"  sklearn ({solver:7s})       {t:9.3f} s  accuracy {accuracy(labels, truth):.4f}"
                  f"{ratio}")


if __name__ == "__main__":
    main()
