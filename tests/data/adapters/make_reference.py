#!/usr/bin/python3
"""Reference numbers for tests/adapters/*.cpp, from the numpy formulas of
../shared/reference/adapters_ref.py (forward, analytic gradients, merge rule), evaluated on one
fixed small input and written in OUR layout (columns are samples: X is in x n, Y = W X is
out x n; adapters_ref.py uses PyTorch's X (n x in), Y = X W^T).

Each gradient is also checked here by central finite differences (as adapters_ref.py does), so
the file holds numbers that were verified twice.

Output: adapters_reference.txt, items "name rows cols" followed by the values row by row (%.17g).
The loss is L = 0.5 ||Y - T||_F^2, so dY = Y - T.
Usage (from this directory):  /usr/bin/python3 make_reference.py > adapters_reference.txt
"""
import numpy as np

rng = np.random.default_rng(20241130)
n, d_in, d_out, r = 7, 10, 12, 3
Xt = rng.standard_normal((n, d_in))        # PyTorch layout (n, in)
Tt = rng.standard_normal((n, d_out))
W = rng.standard_normal((d_out, d_in)) / np.sqrt(d_in)
OUT = []


def put(name, M):
    M = np.atleast_2d(np.asarray(M, dtype=float))
    if M.shape[0] == 1 and np.ndim(M) == 2 and name.endswith("_vec"):
        M = M.T
    OUT.append(f"{name} {M.shape[0]} {M.shape[1]}")
    OUT.extend(" ".join(f"{v:.17g}" for v in row) for row in M)


def vec(name, v):
    put(name + "_vec", np.asarray(v).reshape(1, -1))


def L(Y):
    return 0.5 * np.sum((Y - Tt) ** 2)


def fd(P, lossf, grad, h=1e-6):
    flat = P.reshape(-1); g = grad.reshape(-1); worst = 0.0
    for i in range(flat.size):
        old = flat[i]
        flat[i] = old + h; lp = lossf()
        flat[i] = old - h; lm = lossf()
        flat[i] = old
        num = (lp - lm) / (2 * h)
        worst = max(worst, abs(num - g[i]) / max(1.0, abs(num)))
    assert worst < 1e-6, worst


put("W", W)
put("X", Xt.T)
put("T", Tt.T)


def lora(tag, alpha, rslora):
    s = alpha / (np.sqrt(r) if rslora else r)
    A = rng.uniform(-1, 1, (r, d_in)) / np.sqrt(d_in)
    B = rng.standard_normal((d_out, r)) * 0.1
    fwd = lambda: Xt @ W.T + s * (Xt @ A.T) @ B.T
    Y = fwd(); G = Y - Tt
    U = Xt @ A.T
    gB = s * G.T @ U; gA = s * (G @ B).T @ Xt
    fd(A, lambda: L(fwd()), gA); fd(B, lambda: L(fwd()), gB)
    Wm = W + s * B @ A
    put(tag + "_A", A); put(tag + "_B", B); put(tag + "_alpha", alpha)
    put(tag + "_Y", Y.T); put(tag + "_gA", gA); put(tag + "_gB", gB); put(tag + "_gX", (G @ Wm).T)
    put(tag + "_merged", Wm)


def dora(tag, detach):
    alpha = 2.0 * r          # s = alpha / r = 2 as in adapters_ref.py
    s = alpha / r
    A = rng.standard_normal((r, d_in)) * 0.3; B = rng.standard_normal((d_out, r)) * 0.3
    m = np.linalg.norm(W, axis=1) * (1 + 0.1 * rng.standard_normal(d_out))

    def fwd():
        V = W + s * B @ A
        nrm = np.linalg.norm(V, axis=1)
        return Xt @ (V * (m / nrm)[:, None]).T, V, nrm

    Y, V, nrm = fwd(); G = Y - Tt
    Y0 = Xt @ V.T; c = m / nrm; Gc = G * c
    g_m = np.sum(G * Y0, axis=0) / nrm
    gV = Gc.T @ Xt
    if not detach:
        gV -= (np.sum(G * Y0, axis=0) * m / nrm ** 3)[:, None] * V
    gB = s * gV @ A.T; gA = s * B.T @ gV
    if detach:
        nrm0 = nrm.copy()
        lossf = lambda: L(Xt @ ((W + s * B @ A) * (m / nrm0)[:, None]).T)
    else:
        lossf = lambda: L(fwd()[0])
    fd(A, lossf, gA); fd(B, lossf, gB); fd(m, lossf, g_m)
    Wm = V * c[:, None]
    put(tag + "_A", A); put(tag + "_B", B); vec(tag + "_m", m); put(tag + "_alpha", alpha)
    put(tag + "_Y", Y.T); put(tag + "_gA", gA); put(tag + "_gB", gB); vec(tag + "_gm", g_m)
    put(tag + "_gX", (Gc @ V).T); put(tag + "_merged", Wm)


def vera():
    rv = 6
    bound = np.sqrt(3.0) * np.sqrt(2.0)
    A = rng.uniform(-1, 1, (rv, d_in)) * bound / np.sqrt(d_in)
    B = rng.uniform(-1, 1, (d_out, rv)) * bound / np.sqrt(rv)
    lb = rng.standard_normal(d_out) * 0.1
    ld = np.full(rv, 0.1) + 0.05 * rng.standard_normal(rv)
    fwd = lambda: Xt @ W.T + lb * (((Xt @ A.T) * ld) @ B.T)
    Y = fwd(); G = Y - Tt
    u = Xt @ A.T; w = (u * ld) @ B.T
    glb = np.sum(G * w, axis=0); gld = np.sum(((G * lb) @ B) * u, axis=0)
    fd(lb, lambda: L(fwd()), glb); fd(ld, lambda: L(fwd()), gld)
    Wm = W + (lb[:, None] * B) @ (ld[:, None] * A)
    put("vera_A", A); put("vera_B", B); vec("vera_lb", lb); vec("vera_ld", ld)
    put("vera_Y", Y.T); vec("vera_glb", glb); vec("vera_gld", gld); put("vera_gX", (G @ Wm).T)
    put("vera_merged", Wm)


def adalora(orth_w=0.5):
    alpha = 32.0
    c = alpha / (r + 1e-5)
    A = rng.standard_normal((r, d_in)) * 0.2; B = rng.standard_normal((d_out, r)) * 0.2
    E = rng.standard_normal(r) * 0.1
    fwd = lambda: Xt @ W.T + c * ((Xt @ A.T) * E) @ B.T
    pen = lambda: np.sum((A @ A.T - np.eye(r)) ** 2) + np.sum((B.T @ B - np.eye(r)) ** 2)
    Y = fwd(); G = Y - Tt
    U = Xt @ A.T; GB = G @ B
    gE = c * np.sum(GB * U, axis=0); gA = c * (GB * E).T @ Xt; gB = c * G.T @ (U * E)
    pA = 4 * (A @ A.T - np.eye(r)) @ A; pB = 4 * B @ (B.T @ B - np.eye(r))
    lossf = lambda: L(fwd()) + orth_w * pen()
    fd(A, lossf, gA + orth_w * pA); fd(B, lossf, gB + orth_w * pB); fd(E, lossf, gE)
    Wm = W + c * B @ np.diag(E) @ A
    put("adalora_A", A); put("adalora_B", B); vec("adalora_E", E); put("adalora_alpha", alpha)
    put("adalora_Y", Y.T); put("adalora_gA", gA); put("adalora_gB", gB); vec("adalora_gE", gE)
    put("adalora_pA", pA); put("adalora_pB", pB); put("adalora_penalty", pen())
    put("adalora_gX", (G @ Wm).T); put("adalora_merged", Wm)


def svd_family():
    U_, S_, Vt = np.linalg.svd(W, full_matrices=False)
    # PiSSA (alpha = 6, s = 2): W_res and the initial s B A = U_r S_r V_r^T (sign-free)
    s = 6.0 / r
    Sr = S_[:r] / s
    A = np.diag(np.sqrt(Sr)) @ Vt[:r]; B = U_[:, :r] @ np.diag(np.sqrt(Sr))
    put("pissa_alpha", 6.0); put("pissa_res", W - s * B @ A); put("pissa_BA", s * B @ A)
    # SVFit: sigma = factor * S_r, trainable; store the factors and the results
    Ur, Vr = U_[:, :r], Vt[:r].T
    We = W - Ur @ np.diag(S_[:r]) @ Vr.T
    f = 1 + 0.05 * rng.standard_normal(r)
    sig = S_[:r] * f
    fwd = lambda: Xt @ We.T + ((Xt @ Vr) * sig) @ Ur.T
    Y = fwd(); G = Y - Tt
    gs = np.sum((G @ Ur) * (Xt @ Vr), axis=0)
    fd(sig, lambda: L(fwd()), gs)
    Wm = We + Ur @ np.diag(sig) @ Vr.T
    vec("svfit_factor", f); put("svfit_Y", Y.T); vec("svfit_gsigma", gs); put("svfit_merged", Wm)
    put("svfit_gX", (G @ Wm).T)
    # SVFT plain: M diagonal (sign-free: U diag(M) V^T)
    k = S_.size
    Md = rng.standard_normal(k) * 0.05
    V = Vt.T
    fwd2 = lambda: Xt @ W.T + ((Xt @ V) * Md) @ U_.T
    Y2 = fwd2(); G2 = Y2 - Tt
    gM = np.sum((G2 @ U_) * (Xt @ V), axis=0)
    fd(Md, lambda: L(fwd2()), gM)
    vec("svft_M", Md); put("svft_Y", Y2.T); vec("svft_gM", gM)
    put("svft_merged", W + U_ @ np.diag(Md) @ V.T)


def hra():
    rr = 4
    Uh = rng.standard_normal((d_in, rr))

    def chain(Uv):
        Q = np.eye(d_in)
        for i in range(rr):
            v = Uv[:, i] / np.linalg.norm(Uv[:, i])
            Q = Q - 2 * np.outer(Q @ v, v)
        return Q

    fwd = lambda: Xt @ (W @ chain(Uh)).T
    Y = fwd(); G = Y - Tt
    Q = chain(Uh)
    # gradient by the reverse chain of adapters_ref.py
    vs = [Uh[:, i] / np.linalg.norm(Uh[:, i]) for i in range(rr)]
    pref = [np.eye(d_in)]
    for v in vs:
        pref.append(pref[-1] - 2 * np.outer(pref[-1] @ v, v))
    gQ = W.T @ G.T @ Xt
    gu = np.zeros_like(Uh); gcur = gQ
    for i in reversed(range(rr)):
        v = vs[i]; Qp = pref[i]
        gv = -2 * (Qp.T @ gcur @ v + (Qp.T @ gcur).T @ v)
        nu = np.linalg.norm(Uh[:, i])
        gu[:, i] = (gv - v * (v @ gv)) / nu
        gcur = gcur - 2 * np.outer(gcur @ v, v)
    fd(Uh, lambda: L(fwd()), gu)
    put("hra_u", Uh); put("hra_Y", Y.T); put("hra_gu", gu); put("hra_merged", W @ Q)
    put("hra_gX", (G @ W @ Q).T)


def lamda():
    s = 2.0
    U_, S_, Vt = np.linalg.svd(W, full_matrices=False)
    A = Vt[:r].copy(); B = U_[:, :r].copy()
    S = rng.standard_normal((r, r)) * 0.05
    fwd = lambda: Xt @ W.T + s * ((Xt @ A.T) @ S.T) @ B.T
    Y = fwd(); G = Y - Tt
    U = Xt @ A.T; GB = G @ B
    gS = s * GB.T @ U; gB = s * G.T @ (U @ S.T)
    fd(S, lambda: L(fwd()), gS); fd(B, lambda: L(fwd()), gB)
    # B S A is invariant to the joint sign flips of (u_i, v_i) only when S is diagonal; store the
    # sign-free quantities: the loss and the merged weight for S diagonal, and the full gradients
    # in the SVD basis given (A, B) so a test can rebuild them.
    put("lamda_A", A); put("lamda_B", B); put("lamda_S", S); put("lamda_Y", Y.T)
    put("lamda_gS", gS); put("lamda_gB", gB); put("lamda_merged", W + s * B @ S @ A)


def mode_dot(Tn, M, k):
    return np.moveaxis(np.tensordot(M, Tn, axes=(1, k)), 0, k)


def flora():
    dims = (4, 6, 3, 3); ranks = (2, 3, 2, 2); scale = 0.5
    Gc = rng.standard_normal(ranks) * 0.3
    Us = [rng.standard_normal((dd, rr)) * 0.5 for dd, rr in zip(dims, ranks)]
    Tgt = rng.standard_normal(dims)

    def dW():
        Z = Gc
        for i in range(4):
            Z = mode_dot(Z, Us[i], i)
        return scale * Z

    D = dW() - Tgt
    gG = scale * D
    for i in range(4):
        gG = mode_dot(gG, Us[i].T, i)
    gU = []
    for k in range(4):
        Z = Gc
        for i in range(4):
            if i != k:
                Z = mode_dot(Z, Us[i], i)
        Dk = np.moveaxis(D, k, 0).reshape(dims[k], -1)
        Zk = np.moveaxis(Z, k, 0).reshape(ranks[k], -1)
        gU.append(scale * Dk @ Zk.T)
    fd(Gc, lambda: 0.5 * np.sum((dW() - Tgt) ** 2), gG)
    # tensors stored column-major (Eigen's Tensor layout) as a column
    colmaj = lambda Tn: Tn.reshape(-1, order="F").reshape(-1, 1)
    put("flora_core", colmaj(Gc)); put("flora_target", colmaj(Tgt)); put("flora_delta", colmaj(dW()))
    put("flora_gcore", colmaj(gG))
    for k in range(4):
        put(f"flora_U{k}", Us[k]); put(f"flora_gU{k}", gU[k])


lora("lora", 16.0, False)
lora("rslora", 16.0, True)
dora("dora_detached", True)
dora("dora_exact", False)
vera()
adalora()
svd_family()
hra()
lamda()
flora()
print("# adapters reference: /usr/bin/python3 make_reference.py > adapters_reference.txt")
print("\n".join(OUT))
