/// \file subspace/lowrank/completion.hpp
/// \brief Low-rank matrix completion by alternating minimization, with the per-row and
/// per-column least-squares updates solved exactly or by sketch-and-precondition.
///
/// Papers:
/// - P. Jain, P. Netrapalli, S. Sanghavi, "Low-rank matrix completion using alternating
///   minimization", STOC 2013 (Algorithm 2: spectral initialization from the top-r SVD of
///   P_Ω(M) / p, then alternating least squares V ← argmin ‖P_Ω(U Vᵀ − M)‖_F, U ← ...).
/// - Y. Gu, Z. Song, J. Yin, L. Zhang, "Low rank matrix completion via robust alternating
///   minimization in nearly linear time", ICLR 2024 (arXiv 2302.11068, 2023): each
///   least-squares update may be solved approximately; they solve it with a sketching-based
///   preconditioner and a few iterations (their Algorithm 2 / §4). Here: a sparse sign sketch
///   S (Nelson & Nguyen 2013) of the n_i x r row problem, R from the QR of S A_i, then
///   preconditioned CGLS on min ‖A_i R⁻¹ y − b_i‖ started from the sketched solution.
#pragma once

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <limits>
#include <vector>

#include <Eigen/Core>
#include <Eigen/QR>
#include <Eigen/SparseCore>

#include "subspace/core/config.hpp"
#include "subspace/core/error.hpp"
#include "subspace/core/progress.hpp"
#include "subspace/core/rng.hpp"
#include "subspace/detail/eigen_compat.hpp"
#include "subspace/detail/parallel.hpp"
#include "subspace/lowrank/common.hpp"
#include "subspace/lowrank/rsvd.hpp"
#include "subspace/sketch/sparse_sketch.hpp"

namespace subspace {

/// How complete_matrix() solves its small least-squares updates.
enum class CompletionSolver {
    exact,    ///< column-pivoted Householder QR of each n_i x r problem: O(n_i r²)
    sketched  ///< sketch-and-precondition (Gu, Song, Yin, Zhang 2023) when n_i >= 2 s
};

/// Options of complete_matrix().
struct CompletionOptions {
    /// Alternating steps (each updates U then V). Default 100.
    Index max_iterations = 100;
    /// Stop when the training RMSE falls below tolerance · RMS(observed values) or changes by
    /// less than tolerance (relative) between steps; values below 10 ε of the scalar are raised
    /// to 10 ε. Default 1e-10.
    double tolerance = 1e-10;
    /// Ridge λ >= 0 added to every update (min ‖A x − b‖² + λ ‖x‖²); in units of the squared
    /// entries of M. Default 0.
    double regularization = 0.0;
    /// Fraction of the observed entries held out (not used for fitting) to report a held-out
    /// RMSE; in [0, 1). Default 0.
    double holdout_fraction = 0.0;
    /// Least-squares solver of the updates. Default exact.
    CompletionSolver solver = CompletionSolver::exact;
    /// Sketch rows s = sketch_factor · r for the sketched solver (default 4).
    Index sketch_factor = 4;
    /// Maximum preconditioned CGLS iterations per sketched solve (default 10).
    Index sketch_iterations = 10;
    /// Seed of the hold-out split, the initialization and the sketches.
    std::uint64_t seed = 0x5eed;
    /// Called after every step with (step, training RMSE); return false to stop.
    ProgressCallback callback;
};

/// Result of complete_matrix(): M ≈ U Vᵀ.
template <class Scalar>
struct CompletionResult : IterationInfo {
    Matrix<Scalar> U;         ///< rows x r, U = P_U diag(√σ) (balanced factors)
    Matrix<Scalar> V;         ///< cols x r, V = P_V diag(√σ)
    Vector<Scalar> S;         ///< r singular values of U Vᵀ, decreasing
    double train_rmse = 0.0;  ///< RMSE on the fitted entries
    /// RMSE on the held-out entries (NaN when holdout_fraction = 0).
    double holdout_rmse = std::numeric_limits<double>::quiet_NaN();
    std::vector<double> train_rmse_history;  ///< training RMSE after each step
    Index sketched_solves = 0;               ///< how many updates used the sketched solver
    /// The completed matrix entry (i, j) = U(i, :) V(j, :)ᵀ.
    Scalar operator()(Index i, Index j) const { return U.row(i).dot(V.row(j)); }
};

namespace detail {

inline std::uint64_t mix64(std::uint64_t x) {
    x += 0x9E3779B97F4A7C15ull;
    x = (x ^ (x >> 30)) * 0xBF58476D1CE4E5B9ull;
    x = (x ^ (x >> 27)) * 0x94D049BB133111EBull;
    return x ^ (x >> 31);
}

/// min ‖A x − b‖² + λ‖x‖² for a small dense A (n_i x r). Returns true if sketched.
template <class Scalar>
bool completion_solve(const Matrix<Scalar>& A0, const Vector<Scalar>& b0, double lambda,
                      const CompletionOptions& opts, std::uint64_t seed,
                      Eigen::Ref<Vector<Scalar>> x) {
    const Index r = A0.cols();
    Matrix<Scalar> A;
    Vector<Scalar> b;
    if (lambda > 0.0) {
        A.resize(A0.rows() + r, r);
        A.topRows(A0.rows()) = A0;
        A.bottomRows(r) = Matrix<Scalar>::Identity(r, r) * static_cast<Scalar>(std::sqrt(lambda));
        b = Vector<Scalar>::Zero(A0.rows() + r);
        b.head(A0.rows()) = b0;
    } else {
        A = A0;
        b = b0;
    }
    const Index ni = A.rows();
    const Index s = opts.sketch_factor * r;
    if (opts.solver == CompletionSolver::sketched && ni >= 2 * s && s >= r) {
        const SparseSignSketch<Scalar> S(s, ni, 8, seed);
        const Matrix<Scalar> SA = S.apply(A);
        Eigen::HouseholderQR<Matrix<Scalar>> qr(SA);
        const Matrix<Scalar> R = qr.matrixQR().topRows(r).template triangularView<Eigen::Upper>();
        const auto d = R.diagonal().cwiseAbs();
        if (d.minCoeff() > d.maxCoeff() * Eigen::NumTraits<Scalar>::epsilon() * Scalar(100)) {
            const auto Rt = R.template triangularView<Eigen::Upper>();
            // Start from the sketched solution y0 = Qᵀ S b (x0 = R⁻¹ y0).
            const Vector<Scalar> Sb = S.apply(b);
            Vector<Scalar> y = (qr.householderQ().transpose() * Sb).head(r);
            Vector<Scalar> res = b - A * Rt.solve(y);
            Vector<Scalar> g = Rt.transpose().solve(A.transpose() * res);
            Vector<Scalar> p = g;
            Scalar gamma = g.squaredNorm();
            const Scalar stop = Eigen::NumTraits<Scalar>::epsilon() * Scalar(10);
            for (Index it = 0; it < opts.sketch_iterations; ++it) {
                if (std::sqrt(gamma) <= stop * res.norm()) break;
                const Vector<Scalar> q = A * Rt.solve(p);
                const Scalar qq = q.squaredNorm();
                if (!(qq > Scalar(0))) break;
                const Scalar alpha = gamma / qq;
                y += alpha * p;
                res -= alpha * q;
                g = Rt.transpose().solve(A.transpose() * res);
                const Scalar gnew = g.squaredNorm();
                p = g + (gnew / gamma) * p;
                gamma = gnew;
            }
            x = Rt.solve(y);
            return true;
        }
    }
    if (ni == 0) {
        x.setZero();
        return false;
    }
    x = A.colPivHouseholderQr().solve(b);
    return false;
}

}  // namespace detail

/// Completes a rows x cols matrix of rank `rank` from observed entries, by alternating
/// minimization (Jain, Netrapalli, Sanghavi 2013) with spectral initialization, the updates
/// solved exactly or by sketch-and-precondition (Gu, Song, Yin, Zhang 2023).
///
/// Each step costs O(|Ω| r²) (exact) and is parallel over rows / columns (identical results for
/// any thread count); the initialization is a randomized SVD of the sparse P_Ω(M) / p. Memory
/// O(|Ω| + (rows + cols) r). Recovery needs incoherent factors and |Ω| >~ (rows + cols) r log n.
///
/// \param rows, cols  shape of M.
/// \param observed    the observed entries (row, col, value), each at most once.
/// \param rank        r, 1 <= r <= min(rows, cols).
/// \return {U, V, S, train_rmse, holdout_rmse, history, iterations, converged, stop_reason}.
/// \throws invalid_argument on non-positive shape, rank out of range, empty, out-of-range,
///         duplicated or non-finite observations, and out-of-range options.
template <class Scalar>
CompletionResult<Scalar> complete_matrix(Index rows, Index cols,
                                         const std::vector<Eigen::Triplet<Scalar>>& observed,
                                         Index rank, const CompletionOptions& opts = {}) {
    const char* fn = "subspace::complete_matrix";
    detail::check_positive(fn, "rows", rows);
    detail::check_positive(fn, "cols", cols);
    detail::check_in_range(fn, "rank", rank, Index(1), std::min(rows, cols));
    detail::check_positive(fn, "max_iterations", opts.max_iterations);
    detail::check_nonnegative(fn, "tolerance", opts.tolerance);
    detail::check_nonnegative(fn, "regularization", opts.regularization);
    if (!(opts.holdout_fraction >= 0.0 && opts.holdout_fraction < 1.0))
        detail::throw_invalid(fn, "holdout_fraction", "in [0, 1)",
                              detail::to_text(opts.holdout_fraction));
    detail::check_positive(fn, "sketch_factor", opts.sketch_factor);
    detail::check_nonnegative(fn, "sketch_iterations", opts.sketch_iterations);
    if (observed.empty()) detail::throw_invalid(fn, "observed", "non-empty", "no entries");
    const std::size_t nobs = observed.size();
    std::vector<std::size_t> order(nobs);
    for (std::size_t t = 0; t < nobs; ++t) {
        const auto& e = observed[t];
        if (e.row() < 0 || e.row() >= rows || e.col() < 0 || e.col() >= cols)
            detail::throw_invalid(
                fn, "observed", "entries inside the " + detail::shape_text(rows, cols) + " matrix",
                "(" + detail::to_text(e.row()) + ", " + detail::to_text(e.col()) +
                    ") at position " + detail::to_text(t));
        if (!std::isfinite(static_cast<double>(e.value())))
            detail::throw_invalid(
                fn, "observed", "finite values",
                detail::to_text(e.value()) + " at position " + detail::to_text(t));
        order[t] = t;
    }
    std::sort(order.begin(), order.end(), [&](std::size_t a, std::size_t b) {
        const auto& x = observed[a];
        const auto& y = observed[b];
        return x.col() != y.col() ? x.col() < y.col() : x.row() < y.row();
    });
    for (std::size_t t = 1; t < nobs; ++t) {
        const auto& x = observed[order[t - 1]];
        const auto& y = observed[order[t]];
        if (x.row() == y.row() && x.col() == y.col())
            detail::throw_invalid(
                fn, "observed", "each entry at most once",
                "(" + detail::to_text(y.row()) + ", " + detail::to_text(y.col()) + ") twice");
    }

    // Hold-out split (a pure function of the seed and the entry's position in the input).
    std::vector<char> held(nobs, 0);
    if (opts.holdout_fraction > 0.0) {
        RandomStream rs(opts.seed, 5);
        for (std::size_t t = 0; t < nobs; ++t)
            held[t] = rs.next_uniform() < opts.holdout_fraction ? 1 : 0;
    }
    std::vector<Eigen::Triplet<Scalar>> train;
    for (std::size_t t = 0; t < nobs; ++t)
        if (!held[t]) train.push_back(observed[t]);
    if (train.empty())
        detail::throw_invalid(fn, "holdout_fraction", "small enough to keep training entries",
                              detail::to_text(opts.holdout_fraction));

    // Row-wise (CSR) and column-wise (CSC) index of the training entries.
    Eigen::SparseMatrix<Scalar, Eigen::RowMajor> Mr(rows, cols);
    Mr.setFromTriplets(train.begin(), train.end());
    Eigen::SparseMatrix<Scalar, Eigen::ColMajor> Mc = Mr;
    Mr.makeCompressed();
    Mc.makeCompressed();
    const double rms_obs =
        std::sqrt(static_cast<double>(Mc.squaredNorm()) / static_cast<double>(train.size()));

    // Spectral initialization: top-r SVD of P_Ω(M) / p (Jain et al., Algorithm 2 step 2).
    CompletionResult<Scalar> out;
    const Index r = rank;
    {
        RsvdOptions ro;
        ro.seed = detail::mix64(opts.seed);
        ro.power_iterations = 4;
        const SvdResult<Scalar> init = randomized_svd(Mc, r, ro);
        const Scalar p =
            static_cast<Scalar>(static_cast<double>(train.size()) /
                                (static_cast<double>(rows) * static_cast<double>(cols)));
        const Vector<Scalar> sq = (init.S / p).cwiseSqrt();
        out.U = init.U * sq.asDiagonal();
        out.V = init.V * sq.asDiagonal();
    }

    // One least-squares update of every row of X from the entries of the sparse matrix M
    // (outer index = the row of X) and the other factor F.
    Index sketched = 0;
    auto update = [&](const auto& M, const Matrix<Scalar>& F, Matrix<Scalar>& X, Index step,
                      int side) {
        std::vector<char> used(static_cast<std::size_t>(M.outerSize()), 0);
        detail::parallel_for(
            M.outerSize(),
            [&](Index i) {
                const auto begin = M.outerIndexPtr()[i];
                const auto end = M.outerIndexPtr()[i + 1];
                const Index ni = static_cast<Index>(end - begin);
                Matrix<Scalar> A(ni, r);
                Vector<Scalar> b(ni);
                for (Index t = 0; t < ni; ++t) {
                    A.row(t) = F.row(M.innerIndexPtr()[begin + t]);
                    b(t) = M.valuePtr()[begin + t];
                }
                const std::uint64_t sd =
                    detail::mix64(opts.seed ^
                                  detail::mix64(static_cast<std::uint64_t>(step) * 2u +
                                                static_cast<std::uint64_t>(side)) ^
                                  detail::mix64(static_cast<std::uint64_t>(i) + 0x51ull));
                Vector<Scalar> x(r);
                used[static_cast<std::size_t>(i)] =
                    detail::completion_solve<Scalar>(A, b, opts.regularization, opts, sd, x) ? 1
                                                                                             : 0;
                X.row(i) = x.transpose();
            },
            static_cast<double>(M.nonZeros()) * static_cast<double>(r * r) * 2.0);
        for (char u : used) sketched += u;
    };
    auto train_rmse = [&]() {
        double acc = 0.0;
        for (Index j = 0; j < Mc.outerSize(); ++j)
            for (typename Eigen::SparseMatrix<Scalar>::InnerIterator it(Mc, j); it; ++it) {
                const double e = static_cast<double>(it.value()) -
                                 static_cast<double>(out.U.row(it.row()).dot(out.V.row(j)));
                acc += e * e;
            }
        return std::sqrt(acc / static_cast<double>(train.size()));
    };

    // Tolerances below 10 ε of the scalar cannot be met in its precision.
    const double tol =
        std::max(opts.tolerance, 10.0 * static_cast<double>(Eigen::NumTraits<Scalar>::epsilon()));
    double prev = std::numeric_limits<double>::infinity();
    out.stop_reason = StopReason::max_iterations;
    for (Index step = 1; step <= opts.max_iterations; ++step) {
        update(Mc, out.U, out.V, step, 0);  // V ← argmin over columns
        update(Mr, out.V, out.U, step, 1);  // U ← argmin over rows
        const double rmse = train_rmse();
        out.train_rmse_history.push_back(rmse);
        out.iterations = step;
        out.train_rmse = rmse;
        if (!std::isfinite(rmse)) {
            out.stop_reason = StopReason::breakdown;
            break;
        }
        if (rmse <= tol * rms_obs || (step > 1 && std::abs(prev - rmse) <= tol * prev)) {
            out.converged = true;
            out.stop_reason = StopReason::converged;
            break;
        }
        if (!detail::report_progress(opts.callback, step, rmse)) {
            out.stop_reason = StopReason::callback;
            break;
        }
        prev = rmse;
    }
    out.sketched_solves = sketched;

    // Balance the factors: U Vᵀ = Qu (Ru Rvᵀ) Qvᵀ = (Qu W) Σ (Qv Z)ᵀ.
    {
        Eigen::HouseholderQR<Matrix<Scalar>> qu(out.U);
        Eigen::HouseholderQR<Matrix<Scalar>> qv(out.V);
        const Matrix<Scalar> Qu = qu.householderQ() * Matrix<Scalar>::Identity(rows, r);
        const Matrix<Scalar> Qv = qv.householderQ() * Matrix<Scalar>::Identity(cols, r);
        const Matrix<Scalar> Ru = qu.matrixQR().topRows(r).template triangularView<Eigen::Upper>();
        const Matrix<Scalar> Rv = qv.matrixQR().topRows(r).template triangularView<Eigen::Upper>();
        const Matrix<Scalar> core = Ru * Rv.transpose();
        auto svd = detail::make_thin_bdcsvd(core);
        out.S = svd.singularValues();
        const Vector<Scalar> sq = out.S.cwiseSqrt();
        out.U = Qu * svd.matrixU() * sq.asDiagonal();
        out.V = Qv * svd.matrixV() * sq.asDiagonal();
    }
    if (opts.holdout_fraction > 0.0) {
        double acc = 0.0;
        std::size_t cnt = 0;
        for (std::size_t t = 0; t < nobs; ++t)
            if (held[t]) {
                const auto& e = observed[t];
                const double d =
                    static_cast<double>(e.value()) - static_cast<double>(out(e.row(), e.col()));
                acc += d * d;
                ++cnt;
            }
        out.holdout_rmse = cnt > 0 ? std::sqrt(acc / static_cast<double>(cnt)) : 0.0;
    }
    return out;
}

}  // namespace subspace
