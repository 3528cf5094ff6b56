#!/usr/bin/env python3
"""Python (numpy + scikit-learn) reference implementations of SSC-ADMM, SSC-OMP and EnSC, for the
speed comparison with bench/cluster/bench_affinity.cpp.

- SSC-ADMM: the ADMM of Elhamifar & Vidal's released code (admmLasso_mat_func, affine, alpha 800,
  thr 2e-4, 200 iterations; inverse of the N x N system matrix formed once), run on every
  Hopkins155 sequence of HOPKINS_DIR (NAME.X.f64, NAME.s.i32, index.json): total time.
- SSC-OMP: OMP per point in numpy (k_max 10, residual 1e-6; least squares on the support).
- EnSC: scikit-learn ElasticNet per point on an active set grown by the ORGEN oracle
  (You et al. 2016), the reference's `active_support` loop.

The synthetic set is 20 random 6-dimensional subspaces of R^100, 1000 points each (20000), as
in bench_affinity. Single thread unless --threads. Prints the times (seconds).

    /usr/bin/python3 bench/compare/cluster_python.py --hopkins ../shared/data/hopkins155 \
        [--n 20000] [--threads 1] [--skip-ensc]
"""
import argparse
import json
import os
import time

import numpy as np
from sklearn.linear_model import ElasticNet
from threadpoolctl import threadpool_limits


def ssc_admm_affine(Y, alpha=800.0, thr=2e-4, max_iter=200):
    D, N = Y.shape
    G = Y.T @ Y
    T = np.abs(G - np.diag(np.diag(G)))
    mu_z = T.max(axis=0).min()
    mu1, mu2 = alpha / mu_z, alpha
    A = np.linalg.inv(mu1 * G + mu2 * np.eye(N) + mu2 * np.ones((N, N)))
    C1 = np.zeros((N, N))
    L2 = np.zeros((N, N))
    L3 = np.zeros((1, N))
    for _ in range(max_iter):
        Z = A @ (mu1 * G + mu2 * (C1 - L2 / mu2) + mu2 * np.ones((N, 1)) @ (np.ones((1, N)) - L3 / mu2))
        Z -= np.diag(np.diag(Z))
        V = Z + L2 / mu2
        C2 = np.maximum(0, np.abs(V) - 1 / mu2) * np.sign(V)
        C2 -= np.diag(np.diag(C2))
        L2 += mu2 * (Z - C2)
        L3 += mu2 * (np.ones((1, N)) @ Z - np.ones((1, N)))
        err1 = np.abs(Z - C2).max()
        err3 = np.abs(np.ones((1, N)) @ Z - np.ones((1, N))).max()
        C1 = C2
        if err1 < thr and err3 < thr:
            break
    return C1


def ssc_omp(X, k_max=10, tol=1e-6, block=256):
    Xn = X / np.maximum(np.linalg.norm(X, axis=0, keepdims=True), 1e-300)
    n = Xn.shape[1]
    rows, cols, vals = [], [], []
    for b0 in range(0, n, block):
        idx = np.arange(b0, min(n, b0 + block))
        for j in idx:
            mask = np.ones(n, bool)
            mask[j] = False
            Xm = Xn[:, mask]
            c = _omp(Xm, Xn[:, j], k_max, tol)
            nz = np.nonzero(c)[0]
            full = np.arange(n)[mask][nz]
            rows.extend(full)
            cols.extend([j] * len(full))
            vals.extend(c[nz])
    return rows, cols, vals


def _omp(Xm, x, k_max, tol):
    r = x.copy()
    S = []
    c = np.zeros(Xm.shape[1])
    coef = None
    while len(S) < k_max and np.linalg.norm(r) > tol:
        corr = np.abs(Xm.T @ r)
        corr[S] = -1
        S.append(int(np.argmax(corr)))
        coef, *_ = np.linalg.lstsq(Xm[:, S], x, rcond=None)
        r = x - Xm[:, S] @ coef
    if S:
        c[S] = coef
    return c


def ensc(X, lam=0.9, alpha=50.0, k0=50, max_outer=20):
    Xn = X / np.maximum(np.linalg.norm(X, axis=0, keepdims=True), 1e-300)
    d, n = Xn.shape
    nnz = 0
    for j in range(n):
        corr = np.abs(Xn.T @ Xn[:, j])
        corr[j] = -1
        mx = corr.max()
        gamma = alpha * lam / mx
        T = np.argsort(-corr)[:k0]
        # sklearn ElasticNet: 1/(2 d)‖x − A c‖² + a ρ‖c‖₁ + a(1−ρ)/2‖c‖²  with ρ = lam, a = 1/(γ d)
        model = ElasticNet(alpha=1.0 / (gamma * d), l1_ratio=lam, fit_intercept=False, tol=1e-6,
                           max_iter=1000, warm_start=False)
        for _ in range(max_outer):
            model.fit(Xn[:, T], Xn[:, j])
            c = model.coef_
            delta = gamma * (Xn[:, j] - Xn[:, T] @ c)
            viol = np.abs(Xn.T @ delta) > lam
            viol[j] = False
            new = np.union1d(T[c != 0], np.nonzero(viol)[0])
            if np.setdiff1d(new, T).size == 0:
                break
            T = new
        nnz += int(np.count_nonzero(c))
    return nnz


def synthetic(n_sub=20, dim=6, ambient=100, per=1000, seed=0):
    rng = np.random.default_rng(seed)
    X = np.empty((ambient, n_sub * per))
    for s in range(n_sub):
        B = np.linalg.qr(rng.standard_normal((ambient, dim)))[0]
        X[:, s * per:(s + 1) * per] = B @ rng.standard_normal((dim, per))
    return X


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--hopkins", default=None)
    ap.add_argument("--n", type=int, default=20000)
    ap.add_argument("--threads", type=int, default=1)
    ap.add_argument("--skip-ensc", action="store_true")
    ap.add_argument("--skip-omp", action="store_true")
    a = ap.parse_args()
    with threadpool_limits(a.threads):
        if a.hopkins:
            idx = json.load(open(os.path.join(a.hopkins, "index.json")))
            t0 = time.perf_counter()
            for s in idx["sequences"]:
                X = np.fromfile(os.path.join(a.hopkins, s["name"] + ".X.f64")).reshape(
                    (s["rows"], s["cols"]), order="F")
                ssc_admm_affine(X)
            print(f"python SSC-ADMM Hopkins155 total: {time.perf_counter() - t0:.2f} s")
        X = synthetic(per=a.n // 20)
        if not a.skip_omp:
            t0 = time.perf_counter()
            ssc_omp(X)
            print(f"python SSC-OMP n={X.shape[1]}: {time.perf_counter() - t0:.2f} s")
        if not a.skip_ensc:
            t0 = time.perf_counter()
            ensc(X)
            print(f"python EnSC n={X.shape[1]}: {time.perf_counter() - t0:.2f} s")


if __name__ == "__main__":
    main()
