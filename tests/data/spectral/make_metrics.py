#!/usr/bin/python3
"""Reference values for tests/spectral/test_metrics.cpp: scikit-learn's NMI (four
normalisations), adjusted Rand index, and the Hungarian accuracy from scipy's
linear_sum_assignment, for pairs of labellings with different numbers of labels, negative
labels and degenerate cases.

Output: metrics_reference.txt, one case per block:
  n
  pred (n ints)
  truth (n ints)
  nmi_arithmetic nmi_geometric nmi_min nmi_max ari accuracy
Run: /usr/bin/python3 tests/data/spectral/make_metrics.py  (from the repository root or here)
"""
import os

import numpy as np
from scipy.optimize import linear_sum_assignment
from sklearn.metrics import adjusted_rand_score, normalized_mutual_info_score
from sklearn.metrics.cluster import contingency_matrix


def accuracy(pred, truth):
    c = contingency_matrix(truth, pred)
    r, k = linear_sum_assignment(-c)
    return c[r, k].sum() / len(pred)


rng = np.random.default_rng(20261130)
cases = []
# Random labellings with different cluster counts.
for n, kp, kt in [(30, 3, 3), (50, 4, 2), (80, 2, 5), (200, 6, 6), (17, 5, 3), (120, 10, 7)]:
    cases.append((rng.integers(0, kp, n), rng.integers(0, kt, n)))
# Noisy copies of a truth (high agreement), with shifted / negative label values.
for n, k, flip in [(100, 3, 0.1), (150, 5, 0.3), (60, 4, 0.05)]:
    t = rng.integers(0, k, n)
    p = t.copy()
    m = rng.random(n) < flip
    p[m] = rng.integers(0, k, m.sum())
    cases.append((3 * p - 7, t + 10))
# Degenerate: identical up to relabelling, one cluster vs many, all singletons.
t = np.repeat(np.arange(4), 5)
cases.append((np.array([2, 0, 3, 1])[t], t))
cases.append((np.zeros(12, dtype=int), np.arange(12) % 3))
cases.append((np.arange(10), np.arange(10) % 2))
cases.append((np.zeros(7, dtype=int), np.zeros(7, dtype=int)))

out = os.path.join(os.path.dirname(os.path.abspath(__file__)), "metrics_reference.txt")
with open(out, "w") as f:
    f.write(f"{len(cases)}\n")
    for p, t in cases:
        vals = [normalized_mutual_info_score(t, p, average_method=m)
                for m in ("arithmetic", "geometric", "min", "max")]
        vals.append(adjusted_rand_score(t, p))
        vals.append(accuracy(p, t))
        f.write(f"{len(p)}\n")
        f.write(" ".join(str(int(x)) for x in p) + "\n")
        f.write(" ".join(str(int(x)) for x in t) + "\n")
        f.write(" ".join(repr(float(v)) for v in vals) + "\n")
print("wrote", out)
