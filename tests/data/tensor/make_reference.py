#!/usr/bin/python3
"""Small reference tensors for tests/tensor/test_tucker_reference.cpp, built with the construction
of ../shared/reference/gen_tensors.py (low-multilinear-rank signal of norm 1 from
numpy.random.default_rng(seed): factors = Householder QR of standard normal I_n x R_n, core
standard normal (optionally scaled by decay^(i+j+...)), plus noise * E / ||E||), at sizes small
enough to store, with the relative errors of numpy HOSVD, ST-HOSVD and HOOI (SVD-based, errors
computed directly as ||Y - Yhat|| / ||Y||).

Output: tucker_reference.txt, one case per block:
  case <name>
  order N
  dims d_0 ... d_{N-1}
  ranks r_0 ... r_{N-1}          (target ranks)
  hosvd <err>  sthosvd <err>  hooi <err> <iterations>   (ST-HOSVD in the natural mode order)
  values <count>  then the entries in column-major (Fortran) order, one per line, %.17g
Usage: /usr/bin/python3 make_reference.py   (numpy only; deterministic)
"""
import numpy as np

CASES = [
    # name, shape, true rank, decay, noise, seed, target ranks
    ("cube3_small_exact", (14, 12, 10), (4, 4, 4), None, 0.1, 20240601, (4, 4, 4)),
    ("cube3_small_decay", (14, 12, 10), (6, 6, 6), 0.8, 0.01, 20240602, (3, 3, 3)),
    ("four_small_decay", (9, 8, 7, 4), (4, 4, 4, 2), 0.8, 0.01, 20240604, (3, 3, 3, 2)),
]


def mode_dot(T, M, n):
    return np.moveaxis(np.tensordot(M, T, axes=(1, n)), 0, n)


def unfold(X, n):
    return np.moveaxis(X, n, 0).reshape(X.shape[n], -1)


def make(shape, rank, decay, noise, seed):
    rng = np.random.default_rng(seed)
    U = [np.linalg.qr(rng.standard_normal((I, R)))[0] for I, R in zip(shape, rank)]
    G = rng.standard_normal(rank)
    if decay is not None:
        G = G * decay ** np.indices(rank).sum(axis=0)
    X = G
    for n, Un in enumerate(U):
        X = mode_dot(X, Un, n)
    X /= np.linalg.norm(X)
    E = rng.standard_normal(shape)
    return X + noise * E / np.linalg.norm(E)


def leading(M, r):
    return np.linalg.svd(M, full_matrices=False)[0][:, :r]


def rel_err(Y, G, U):
    R = G
    for n, Un in enumerate(U):
        R = mode_dot(R, Un, n)
    return np.linalg.norm(Y - R) / np.linalg.norm(Y)


def hosvd(Y, ranks):
    U = [leading(unfold(Y, n), r) for n, r in enumerate(ranks)]
    G = Y
    for n, Un in enumerate(U):
        G = mode_dot(G, Un.T, n)
    return G, U


def sthosvd(Y, ranks):
    G, U = Y, []
    for n, r in enumerate(ranks):
        Un = leading(unfold(G, n), r)
        U.append(Un)
        G = mode_dot(G, Un.T, n)
    return G, U


def hooi(Y, ranks, tol=1e-15, max_iter=2000):
    G, U = sthosvd(Y, ranks)
    nY = np.linalg.norm(Y)
    err = np.sqrt(max(0.0, nY**2 - np.linalg.norm(G) ** 2)) / nY
    for it in range(1, max_iter + 1):
        for n in range(Y.ndim):
            Z = Y
            for m in range(Y.ndim):
                if m != n:
                    Z = mode_dot(Z, U[m].T, m)
            U[n] = leading(unfold(Z, n), ranks[n])
        G = Y
        for m in range(Y.ndim):
            G = mode_dot(G, U[m].T, m)
        e = np.sqrt(max(0.0, nY**2 - np.linalg.norm(G) ** 2)) / nY
        if abs(err - e) < tol:
            return G, U, it
        err = e
    return G, U, max_iter


with open("tucker_reference.txt", "w") as f:
    for name, shape, rank, decay, noise, seed, target in CASES:
        Y = make(shape, rank, decay, noise, seed)
        e_ho = rel_err(Y, *hosvd(Y, target))
        e_st = rel_err(Y, *sthosvd(Y, target))
        G, U, it = hooi(Y, target)
        e_hooi = rel_err(Y, G, U)
        f.write(f"case {name}\norder {Y.ndim}\n")
        f.write("dims " + " ".join(map(str, shape)) + "\n")
        f.write("ranks " + " ".join(map(str, target)) + "\n")
        f.write(f"hosvd {e_ho:.17g}\nsthosvd {e_st:.17g}\nhooi {e_hooi:.17g} {it}\n")
        vals = Y.flatten(order="F")
        f.write(f"values {vals.size}\n")
        f.write("\n".join(f"{v:.17g}" for v in vals) + "\n")
        print(name, shape, target, e_ho, e_st, e_hooi, it)
