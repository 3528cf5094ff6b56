# numpy/scipy transcription of scikit-dimension 0.3.4 FisherS (fit with defaults, then
# point_inseparability_to_pointID(idx="all_inseparable", force_definite_dim=True)); sklearn's
# PCA().fit_transform replaced by the SVD it performs (signs do not affect FisherS).
import sys
import numpy as np
from scipy.special import lambertw

def fishers(X, cond=10.0):
    alphas = np.arange(0.6, 1, 0.02)
    n = len(X)
    X = X - X.mean(axis=0)
    Xc = X - X.mean(axis=0)
    U, S, Vt = np.linalg.svd(Xc, full_matrices=False)
    u = U * S
    s = S**2 / (n - 1)
    ind = np.where(s / s[0] > 1 / cond)[0]
    Y = u[:, ind]
    Y = Y / np.std(Y, axis=0, ddof=1)
    Y = Y / np.sqrt(np.sum(Y**2, axis=1))[:, None]
    bins = np.concatenate([[-np.inf], alphas, [1.0], [np.inf]])
    counts = np.zeros((n, len(bins)))
    leng = np.sum(Y * Y, axis=1)
    for k in range(0, n, 500):
        xy = Y[k:k + 500] @ Y.T
        for t in range(xy.shape[0]):
            xy[t, k + t] = 0.0
        xy = xy / leng[k:k + 500, None]
        idx = np.digitize(xy, bins)
        for t in range(xy.shape[0]):
            counts[k + t] += np.bincount(idx[t] - 1, minlength=len(bins))
    counts = np.cumsum(counts[:, ::-1], axis=1)[:, ::-1]
    py = (counts / n).T[1:-2, :]
    def dim(a, p):
        a2 = a * a
        w = np.log(1 - a2)
        return np.real(lambertw(-(w / (2 * np.pi * p * p * a2 * (1 - a2))))) / (-w)
    pm = py.mean(axis=1)
    n_alpha = np.array([dim(a, p) if p > 0 else np.nan for a, p in zip(alphas, pm)])
    inds = np.where(~np.isnan(n_alpha))[0]
    amax = alphas[inds].max()
    ref = amax * 0.9
    kk = np.where(abs(alphas[inds] - ref) == min(abs(alphas - ref)))[0]
    d = n_alpha[inds[kk]].max()
    sel = np.argwhere(np.all(py != 0, axis=1)).max()
    p = py[sel].copy()
    p[p == 0] = 1 / len(p)
    pw = dim(alphas[sel], p)
    return d, sel, pw

out_dir = sys.argv[1]
pws = []
with open(out_dir + "/fishers_reference.txt", "w") as f:
    f.write("# dataset n D estimator value  (numpy/scipy transcription of skdim 0.3.4 FisherS, %.17g)\n")
    f.write("# fishers_pw_reference.f64: the per-point values of the four sets below, in this order,\n")
    f.write("# 4 x 2500 little-endian float64 (made by make_fishers_reference.py, see test_fishers.cpp)\n")
    for name, n, D in [("bench_M2_Affine_3to5_n2500", 2500, 5),
                       ("bench_M3_Nonlinear_4to6_n2500", 2500, 6),
                       ("bench_M5a_Helix1d_n2500", 2500, 3), ("bench_M7_Roll_n2500", 2500, 3)]:
        X = np.fromfile(out_dir + "/" + name + ".f64").reshape(n, D)
        d, sel, pw = fishers(X)
        pws.append(pw)
        f.write("%s %d %d FisherS %.17g\n" % (name, n, D, d))
        f.write("%s %d %d FisherS_pw_alpha_index %d\n" % (name, n, D, sel))
        f.write("%s %d %d FisherS_pw_mean %.17g\n" % (name, n, D, pw.mean()))
np.concatenate(pws).astype("<f8").tofile(out_dir + "/fishers_pw_reference.f64")
