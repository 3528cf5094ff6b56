/// \file subspace/sketch/lstsq.hpp
/// \brief Sketched least squares: sketch-and-precondition (full precision) and sketch-and-solve.
///
/// Solves min_x ‖A x − b‖₂ for a tall A (m x d, m >= d, dense or sparse):
/// 1. sketch: S A and S b with a k x m embedding S (sparse sign by default, k = 4d);
/// 2. QR: S A = Q R (Householder);
/// 3. sketch-and-solve start x₀ = R⁻¹ Qᵀ S b (Sarlós 2006; alone, the `sketch_and_solve` mode:
///    ‖A x₀ − b‖ <= (1 + O(sqrt(d/k))) min ‖A x − b‖);
/// 4. LSQR (or, on request, the equivalent CGLS with fused products) (Paige &
///    Saunders 1982, "LSQR: an algorithm for sparse linear equations and sparse
///    least squares", Section 4) on the preconditioned, well-conditioned problem
///    min_y ‖A R⁻¹ y − (b − A x₀)‖, x = x₀ + R⁻¹ y, as in Blendenpik (Avron, Maymounkov &
///    Toledo 2010, "Blendenpik: supercharging LAPACK's least-squares solver") and LSRN (Meng,
///    Saunders & Mahoney 2014). κ(A R⁻¹) <= (1 + sqrt(d/k)) / (1 − sqrt(d/k)) (about 3 for
///    k = 4d) whatever κ(A), so LSQR converges at a fixed rate; the warm start x₀ keeps the
///    method stable (Meier, Nakatsukasa, Townsend & Webb 2024, "Are sketch-and-precondition
///    least squares solvers numerically stable?").
#pragma once

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <limits>

#include <Eigen/Core>
#include <Eigen/QR>
#include <Eigen/SparseCore>

#include "subspace/core/config.hpp"
#include "subspace/core/error.hpp"
#include "subspace/core/progress.hpp"
#include "subspace/sketch/detail/operator_base.hpp"
#include "subspace/sketch/sketch_kind.hpp"

namespace subspace {

/// How sketched_lstsq solves the problem.
enum class LstsqMode {
    precondition,     ///< sketch-and-precondition + LSQR: full precision (default)
    sketch_and_solve  ///< x = argmin ‖S(A x − b)‖: one sketch and a small QR, approximate
};

/// The Krylov iteration sketch-and-precondition runs on the preconditioned problem.
enum class LstsqIteration {
    automatic,  ///< lsqr (dense and sparse A)
    lsqr,       ///< LSQR (Paige & Saunders 1982): two passes over A per iteration
    cgls        ///< CGLS (Hestenes & Stiefel 1952) with A z and Aᵀ(A z) fused in one pass over
                ///< row blocks of a dense A; as stable as LSQR here because κ(A R⁻¹) is small.
                ///< Half the passes over A, but measured 1.1-1.2x slower than LSQR's two
                ///< separate GEMVs on a dense 20000 x 500 A (Eigen's GEMV streams A faster
                ///< than the blocked fused product)
};

/// Options of sketched_lstsq.
struct LstsqOptions {
    LstsqMode mode = LstsqMode::precondition;     ///< precondition or sketch-and-solve
    SketchKind sketch = SketchKind::sparse_sign;  ///< the embedding S
    /// Sketch rows k (0: min(m, max(d + 1, ceil(oversampling d)))).
    Index sketch_size = 0;
    double oversampling = 4.0;  ///< k / d when sketch_size = 0 (>= 1)
    /// LSQR stops when ‖Mᵀ r‖ <= tolerance ‖M‖ ‖r‖ or ‖r‖ <= tolerance ‖b‖ (M = A R⁻¹, r the
    /// residual). 0: 100 eps of the scalar.
    double tolerance = 0.0;
    Index max_iterations = 300;                            ///< LSQR iterations at most
    std::uint64_t seed = 0;                                ///< seed of the sketch
    LstsqIteration iteration = LstsqIteration::automatic;  ///< LSQR or fused CGLS
    ProgressCallback callback;  ///< called with (iteration, ‖Mᵀ r‖ / (‖M‖ ‖r‖)); false stops
};

/// Result of sketched_lstsq.
template <class Scalar>
struct LstsqResult : IterationInfo {
    Vector<Scalar> x;          ///< the solution (d)
    double residual_norm = 0;  ///< ‖A x − b‖₂, computed from x
    double normal_residual = 0;  ///< final estimate of ‖Mᵀ r‖ / (‖M‖ ‖r‖) (0 for sketch-and-solve)
    Index sketch_size = 0;  ///< rows k of the sketch used
};

namespace detail {

// y = A x and y = Aᵀ x for the two input kinds; dense products run in fixed panels so the bits
// do not depend on the thread count.
template <class Scalar>
struct LstsqDenseOp {
    const Eigen::Ref<const Matrix<Scalar>>& A;
    void mul(const Vector<Scalar>& x, Vector<Scalar>& y) const {
        const Index m = A.rows(), w = 2048;
        y.resize(m);
        parallel_panels(
            panel_count(m, w),
            [&](Index p) {
                const Index r0 = p * w, r = std::min(w, m - r0);
                y.segment(r0, r).noalias() = A.middleRows(r0, r) * x;
            },
            double(A.size()));
    }
    void mul_t(const Vector<Scalar>& x, Vector<Scalar>& y) const {
        const Index d = A.cols(), w = 64;
        y.resize(d);
        parallel_panels(
            panel_count(d, w),
            [&](Index p) {
                const Index c0 = p * w, c = std::min(w, d - c0);
                y.segment(c0, c).noalias() = A.middleCols(c0, c).transpose() * x;
            },
            double(A.size()));
    }
    static constexpr bool fusable = true;
    // q = A z and t = Aᵀ q in one pass over row blocks (partial sums added in a fixed order).
    void mul_fused(const Vector<Scalar>& z, Vector<Scalar>& q, Vector<Scalar>& t) const {
        const Index m = A.rows(), d = A.cols(), w = 128;  // a block of rows stays in cache
        const Index np = panel_count(m, w);
        q.resize(m);
        Matrix<Scalar> part(d, np);
        parallel_panels(
            np,
            [&](Index p) {
                const Index r0 = p * w, r = std::min(w, m - r0);
                q.segment(r0, r).noalias() = A.middleRows(r0, r) * z;
                part.col(p).noalias() = A.middleRows(r0, r).transpose() * q.segment(r0, r);
            },
            2.0 * double(A.size()));
        t = part.col(0);
        for (Index p = 1; p < np; ++p) t += part.col(p);
    }
};
template <class Scalar>
struct LstsqSparseOp {
    const SketchSparse<Scalar>& A;
    static constexpr bool fusable = false;
    void mul_fused(const Vector<Scalar>&, Vector<Scalar>&, Vector<Scalar>&) const {}
    void mul(const Vector<Scalar>& x, Vector<Scalar>& y) const { y.noalias() = A * x; }
    void mul_t(const Vector<Scalar>& x, Vector<Scalar>& y) const {
        const Index d = A.cols();
        y.resize(d);
        const int* inner = A.innerIndexPtr();
        const Scalar* val = A.valuePtr();
        parallel_panels(
            panel_count(d, 256),
            [&](Index p) {
                const Index c1 = std::min(d, (p + 1) * 256);
                for (Index j = p * 256; j < c1; ++j) {
                    const auto r = column_range<Scalar>(A, j);
                    Scalar s = 0;
                    for (Index q = r.first; q < r.second; ++q) s += val[q] * x(inner[q]);
                    y(j) = s;
                }
            },
            double(A.nonZeros()));
    }
};

template <class Scalar, class Op, class AType>
LstsqResult<Scalar> sketched_lstsq_impl(const Op& op, const AType& A,
                                        const Eigen::Ref<const Vector<Scalar>>& b,
                                        const LstsqOptions& opt) {
    const char* fn = "subspace::sketched_lstsq";
    const Index m = A.rows(), d = A.cols();
    check_nonnegative(fn, "sketch_size", opt.sketch_size);
    if (!(opt.oversampling >= 1.0) || !std::isfinite(opt.oversampling))
        throw_invalid(fn, "oversampling", "a finite number >= 1", to_text(opt.oversampling));
    check_nonnegative(fn, "tolerance", opt.tolerance);
    check_positive(fn, "max_iterations", opt.max_iterations);
    const Index k =
        opt.sketch_size > 0
            ? opt.sketch_size
            : std::min(m, std::max(d + 1, static_cast<Index>(std::ceil(opt.oversampling *
                                                                       static_cast<double>(d)))));
    check_in_range(fn, "sketch_size", k, d, m);

    LstsqResult<Scalar> res;
    res.sketch_size = k;
    // 1-2. Sketch [A b] and factor S A = Q R.
    Matrix<Scalar> SA, Sb;
    with_sketch<Scalar>(opt.sketch, k, m, opt.seed, [&](const auto& S) {
        SA = S.apply(A);
        Sb = S.apply(b);
        return 0;
    });
    Eigen::HouseholderQR<Matrix<Scalar>> qr(SA);
    const Matrix<Scalar> R = qr.matrixQR().topRows(d).template triangularView<Eigen::Upper>();
    const auto Rt = R.template triangularView<Eigen::Upper>();
    // A numerically rank-deficient R cannot precondition: report a breakdown.
    const Scalar rmax = R.diagonal().cwiseAbs().maxCoeff();
    const Scalar rmin = R.diagonal().cwiseAbs().minCoeff();
    const Scalar eps = std::numeric_limits<Scalar>::epsilon();
    Vector<Scalar> QtSb = Sb.col(0);
    QtSb.applyOnTheLeft(qr.householderQ().adjoint());
    Vector<Scalar> r(m), tmp;
    if (!(rmin > rmax * eps * static_cast<Scalar>(d))) {
        // Fall back to the rank-revealing sketch-and-solve answer.
        res.x = Eigen::ColPivHouseholderQR<Matrix<Scalar>>(SA).solve(Sb).col(0);
        op.mul(res.x, r);
        res.residual_norm = static_cast<double>((b - r).norm());
        res.converged = false;
        res.stop_reason = StopReason::breakdown;
        return res;
    }
    // 3. Sketch-and-solve start.
    Vector<Scalar> x = Rt.solve(QtSb.head(d));
    if (opt.mode == LstsqMode::sketch_and_solve) {
        op.mul(x, r);
        res.x = x;
        res.residual_norm = static_cast<double>((b - r).norm());
        res.converged = true;
        res.stop_reason = StopReason::none;
        return res;
    }
    // 4. LSQR on M = A R⁻¹ for the correction, from y = 0.
    const Scalar tol = opt.tolerance > 0 ? static_cast<Scalar>(opt.tolerance) : 100 * eps;
    const Scalar bnorm = b.norm();
    auto M = [&](const Vector<Scalar>& v, Vector<Scalar>& out) {
        const Vector<Scalar> z = Rt.solve(v);
        op.mul(z, out);
    };
    auto Mt = [&](const Vector<Scalar>& u, Vector<Scalar>& out) {
        op.mul_t(u, tmp);
        out = R.transpose().template triangularView<Eigen::Lower>().solve(tmp);
    };
    op.mul(x, r);
    const bool use_cgls = opt.iteration == LstsqIteration::cgls;
    if (use_cgls) {
        // CGLS on min ‖M y − r‖, M = A R⁻¹, updating x = x₀ + R⁻¹ y directly.
        Vector<Scalar> res_vec = b - r;
        op.mul_t(res_vec, tmp);
        Vector<Scalar> s = R.transpose().template triangularView<Eigen::Lower>().solve(tmp);
        Vector<Scalar> p = s, q(m), t(d);
        Scalar gamma = s.squaredNorm();
        Scalar mnorm2 = 0;  // running estimate of ‖M‖₂² (Rayleigh quotients of MᵀM)
        res.stop_reason = StopReason::max_iterations;
        Index it = 0;
        if (gamma == 0 || res_vec.norm() <= tol * bnorm) {
            res.converged = true;
            res.stop_reason = StopReason::converged;
        }
        while (!res.converged && it < opt.max_iterations) {
            ++it;
            const Vector<Scalar> z = Rt.solve(p);
            if constexpr (Op::fusable) {
                op.mul_fused(z, q, t);
            } else {
                op.mul(z, q);
                op.mul_t(q, t);
            }
            const Scalar delta = q.squaredNorm();
            if (!(delta > 0)) {
                res.stop_reason = StopReason::breakdown;
                break;
            }
            mnorm2 = std::max(mnorm2, delta / p.squaredNorm());
            const Scalar alpha = gamma / delta;
            x += alpha * z;
            res_vec -= alpha * q;
            s -= alpha * R.transpose().template triangularView<Eigen::Lower>().solve(t);
            const Scalar gamma_new = s.squaredNorm();
            const Scalar rn = res_vec.norm();
            const double test =
                rn > 0 ? static_cast<double>(std::sqrt(gamma_new) / (std::sqrt(mnorm2) * rn)) : 0.0;
            res.normal_residual = test;
            if (test <= static_cast<double>(tol) || rn <= tol * bnorm) {
                res.converged = true;
                res.stop_reason = StopReason::converged;
            }
            if (!report_progress(opt.callback, it, test) && !res.converged) {
                res.stop_reason = StopReason::callback;
                break;
            }
            p = s + (gamma_new / gamma) * p;
            gamma = gamma_new;
        }
        res.iterations = it;
        op.mul(x, r);
        res.x = x;
        res.residual_norm = static_cast<double>((b - r).norm());
        return res;
    }
    Vector<Scalar> u = b - r;
    Scalar beta = u.norm();
    Vector<Scalar> v(d), w(d), y = Vector<Scalar>::Zero(d), Mv(m), Mtu(d);
    Scalar alpha = 0;
    if (beta > 0) {
        u /= beta;
        Mt(u, v);
        alpha = v.norm();
    }
    if (alpha > 0) v /= alpha;
    w = v;
    Scalar phibar = beta, rhobar = alpha, anorm = 0;
    res.stop_reason = StopReason::max_iterations;
    if (beta == 0 || alpha == 0) {
        res.converged = true;
        res.stop_reason = StopReason::converged;
    }
    Index it = 0;
    while (!res.converged && it < opt.max_iterations) {
        ++it;
        M(v, Mv);
        u = Mv - alpha * u;
        beta = u.norm();
        if (beta > 0) u /= beta;
        anorm = std::sqrt(anorm * anorm + alpha * alpha + beta * beta);
        Mt(u, Mtu);
        v = Mtu - beta * v;
        alpha = v.norm();
        if (alpha > 0) v /= alpha;
        const Scalar rho = std::sqrt(rhobar * rhobar + beta * beta);
        const Scalar c = rhobar / rho, s = beta / rho;
        const Scalar theta = s * alpha;
        rhobar = -c * alpha;
        const Scalar phi = c * phibar;
        phibar = s * phibar;
        y += (phi / rho) * w;
        w = v - (theta / rho) * w;
        const Scalar rnorm = phibar;  // ‖r‖ estimate
        const Scalar arnorm = phibar * alpha * std::abs(c);
        const double test = rnorm > 0 ? static_cast<double>(arnorm / (anorm * rnorm)) : 0.0;
        res.normal_residual = test;
        if (test <= static_cast<double>(tol) || rnorm <= tol * bnorm || alpha == 0 || beta == 0) {
            res.converged = true;
            res.stop_reason = StopReason::converged;
        }
        if (!report_progress(opt.callback, it, test) && !res.converged) {
            res.stop_reason = StopReason::callback;
            break;
        }
    }
    res.iterations = it;
    x += Rt.solve(y);
    op.mul(x, r);
    res.x = x;
    res.residual_norm = static_cast<double>((b - r).norm());
    return res;
}

template <class Scalar, class DB>
void check_lstsq_inputs(Index m, Index d, const Eigen::MatrixBase<DB>& b) {
    const char* fn = "subspace::sketched_lstsq";
    check_not_empty(fn, "A", m, d);
    if (m < d) throw_invalid(fn, "A", "a tall matrix (rows >= columns)", shape_text(m, d));
    if (b.cols() != 1) throw_invalid(fn, "b", "a column vector", shape_text(b.rows(), b.cols()));
    check_rows(fn, "b", b.rows(), m, "the rows of A");
    check_finite(fn, "b", b);
}

}  // namespace detail

/// Solves min_x ‖A x − b‖₂ for a dense tall A (m x d, m >= d, full column rank) by
/// sketch-and-precondition (default: LSQR on A R⁻¹ to full precision) or sketch-and-solve.
/// Cost: one sketch of A (O(8 m d) with the sparse sign default), a QR of the k x d sketch
/// (O(k d²), k = 4d), then per iteration two products with A (4 m d flops; LSQR by default,
/// CGLS with the two products fused into one pass over A on request); the iteration count
/// depends only on k/d and the tolerance (about 40 for k = 4d in double). Memory: O(k d)
/// beside A and O(m) vectors. A numerically rank-deficient sketch ends with
/// stop_reason = breakdown (and the rank-revealing sketch-and-solve answer).
/// \throws invalid_argument for empty, wide or non-finite A, a b of the wrong size or
/// non-finite, or invalid options.
template <class DA, class DB>
LstsqResult<typename DA::Scalar> sketched_lstsq(const Eigen::MatrixBase<DA>& A,
                                                const Eigen::MatrixBase<DB>& b,
                                                const LstsqOptions& opt = {}) {
    using Scalar = typename DA::Scalar;
    detail::check_lstsq_inputs<Scalar>(A.rows(), A.cols(), b);
    detail::check_finite("subspace::sketched_lstsq", "A", A);
    const Eigen::Ref<const Matrix<Scalar>> Ar(A.derived());
    const Vector<Scalar> bv = b.col(0);
    const detail::LstsqDenseOp<Scalar> op{Ar};
    return detail::sketched_lstsq_impl<Scalar>(op, Ar, bv, opt);
}

/// Sparse overload of sketched_lstsq (column- or row-major A; row-major is copied once to
/// column-major). Products with A cost O(nnz(A)).
template <class DA, class DB>
LstsqResult<typename DA::Scalar> sketched_lstsq(const Eigen::SparseMatrixBase<DA>& A,
                                                const Eigen::MatrixBase<DB>& b,
                                                const LstsqOptions& opt = {}) {
    using Scalar = typename DA::Scalar;
    detail::check_lstsq_inputs<Scalar>(A.rows(), A.cols(), b);
    const Vector<Scalar> bv = b.col(0);
    LstsqResult<Scalar> res;
    detail::with_colmajor<Scalar>(A, [&](const detail::SketchSparse<Scalar>& As) {
        detail::check_finite("subspace::sketched_lstsq", "A", As);
        const detail::LstsqSparseOp<Scalar> op{As};
        res = detail::sketched_lstsq_impl<Scalar>(op, As, bv, opt);
    });
    return res;
}

}  // namespace subspace
