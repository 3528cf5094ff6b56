/// \file subspace/cluster/ensc.hpp
/// \brief Elastic-net subspace clustering with the ORGEN active-set solver: ensc().
///
/// Paper: C. You, C.-G. Li, D. P. Robinson, R. Vidal, "Oracle based active set algorithm for
/// scalable elastic net subspace clustering", CVPR 2016. For each unit-norm point x_j:
///
///   min_c λ‖c‖₁ + (1 − λ)/2 ‖c‖² + γ/2 ‖x_j − X c‖²  s.t. c_j = 0            (eq. 3)
///
/// The oracle point δ = γ(x_j − X c*) (Definition 2.1) decides the support: c*_i ≠ 0 only if
/// |x_iᵀ δ| > λ (Theorem 2.2 / eq. 7). ORGEN (Algorithm 1) solves the problem on a small active
/// set T, computes δ for that solution and adds every i with |x_iᵀ δ| > λ, until no point
/// outside T qualifies; the subproblem solution is then the solution of the full problem
/// (Proposition 3.1). γ = α γ₀ with γ₀ = λ / max_{i≠j} |x_iᵀ x_j| (the smallest γ for which
/// c* ≠ 0), as in the paper's experiments (α > 1).
///
/// Implementation: the subproblems are solved by cyclic coordinate descent on the Gram matrix of
/// the active set; the oracle correlations of a block of points are one product Xᵀ Δ; points of
/// a block run in parallel; no n x n dense matrix is formed (memory O(n · block + nnz(C))).
#pragma once

#include <algorithm>
#include <cmath>
#include <numeric>
#include <vector>

#include <Eigen/Core>
#include <Eigen/SparseCore>

#include "subspace/cluster/common.hpp"
#include "subspace/core/config.hpp"
#include "subspace/core/error.hpp"
#include "subspace/detail/parallel.hpp"

namespace subspace {

/// Options of ensc().
struct EnscOptions {
    double lambda = 0.9;         ///< ℓ1 / ℓ2 trade-off λ in (0, 1] (1 = Lasso, SSC)
    double alpha = 50.0;         ///< γ = alpha · γ₀ (alpha > 1 gives non-zero coefficients)
    Index initial_support = 50;  ///< |T₀|: the points most correlated with x_j
    Index max_outer = 20;        ///< ORGEN iterations (active-set updates) per point
    Index max_cd_sweeps = 500;   ///< coordinate-descent sweeps per subproblem
    double cd_tolerance = 1e-6;  ///< stop CD when the largest update is below this
    Index block_size = 256;      ///< points processed together
};

namespace detail {

/// Coordinate descent for min λ|c|₁ + (1−λ)/2|c|² + γ/2 (cᵀGc − 2bᵀc) on an active set.
template <class Scalar>
void ensc_cd(const Matrix<Scalar>& G, const Vector<Scalar>& b, Scalar lam, Scalar gamma,
             Vector<Scalar>& c, Index sweeps, Scalar tol) {
    const Index m = b.size();
    Vector<Scalar> Gc = G * c;
    for (Index s = 0; s < sweeps; ++s) {
        Scalar change = 0;
        for (Index i = 0; i < m; ++i) {
            const Scalar gii = G(i, i);
            const Scalar rho = gamma * (b(i) - Gc(i) + gii * c(i));
            const Scalar ci = soft_threshold(rho, lam) / (gamma * gii + (Scalar(1) - lam));
            const Scalar dc = ci - c(i);
            if (dc != Scalar(0)) {
                Gc.noalias() += dc * G.col(i);
                c(i) = ci;
                change = std::max(change, std::abs(dc));
            }
        }
        if (change < tol) break;
    }
}

}  // namespace detail

/// EnSC self-expression by ORGEN (You, Li, Robinson & Vidal 2016, Algorithm 1).
///
/// \param X d x n data, columns are points (n >= 2, finite); normalised to unit norm inside.
/// \return sparse C (n x n, C(j, j) = 0) and sparse W = |C| + |C|ᵀ; `converged` is false if
/// some point reached max_outer before its active set stopped growing.
/// Complexity: per point and ORGEN step O(d n) (in blocked products) + the CD on |T|;
/// memory O(n · block + nnz(C)).
/// \throws invalid_argument for empty, one-point or non-finite X, lambda not in (0, 1],
/// alpha <= 0, or non-positive sizes.
template <class Derived>
SparseAffinity<typename Derived::Scalar> ensc(const Eigen::MatrixBase<Derived>& X,
                                              const EnscOptions& opts = {}) {
    using Scalar = typename Derived::Scalar;
    static const char* fn = "ensc";
    detail::check_cluster_data(fn, X);
    if (!(opts.lambda > 0 && opts.lambda <= 1))
        detail::throw_invalid(fn, "opts.lambda", "in (0, 1]", detail::to_text(opts.lambda));
    detail::check_positive(fn, "opts.alpha", opts.alpha);
    detail::check_positive(fn, "opts.initial_support", opts.initial_support);
    detail::check_positive(fn, "opts.max_outer", opts.max_outer);
    detail::check_positive(fn, "opts.max_cd_sweeps", opts.max_cd_sweeps);
    detail::check_positive(fn, "opts.cd_tolerance", opts.cd_tolerance);
    detail::check_positive(fn, "opts.block_size", opts.block_size);
    Matrix<Scalar> Xn = X;
    const Index d = Xn.rows(), n = Xn.cols();
    for (Index j = 0; j < n; ++j) {
        const Scalar nj = Xn.col(j).norm();
        if (nj > Scalar(0)) Xn.col(j) /= nj;
    }
    const Scalar lam = static_cast<Scalar>(opts.lambda);
    const Scalar cdtol = static_cast<Scalar>(opts.cd_tolerance);
    const Index bs = std::min(opts.block_size, n);
    const Index k0 = std::min(opts.initial_support, n - 1);

    std::vector<std::vector<Eigen::Triplet<Scalar>>> trip(static_cast<std::size_t>(n));
    Matrix<Scalar> Corr(n, bs), Delta(d, bs);
    std::vector<std::vector<Index>> T(static_cast<std::size_t>(bs));
    std::vector<Vector<Scalar>> coef(static_cast<std::size_t>(bs));
    std::vector<Scalar> gam(static_cast<std::size_t>(bs));
    std::vector<char> active(static_cast<std::size_t>(bs));
    bool all_converged = true;
    Index max_outer_used = 0;

    for (Index b0 = 0; b0 < n; b0 += bs) {
        const Index nb = std::min(bs, n - b0);
        Corr.leftCols(nb).noalias() = Xn.transpose() * Xn.middleCols(b0, nb);
        // T₀: the k0 points most correlated with x_j; γ from γ₀.
        detail::parallel_for(
            nb,
            [&](Index t) {
                const auto ts = static_cast<std::size_t>(t);
                const Index j = b0 + t;
                std::vector<Index> idx;
                idx.reserve(static_cast<std::size_t>(n - 1));
                for (Index i = 0; i < n; ++i)
                    if (i != j) idx.push_back(i);
                auto cmp = [&](Index a, Index b) {
                    const Scalar va = std::abs(Corr(a, t)), vb = std::abs(Corr(b, t));
                    return va > vb || (va == vb && a < b);
                };
                std::partial_sort(idx.begin(), idx.begin() + k0, idx.end(), cmp);
                const Scalar mx = std::abs(Corr(idx[0], t));
                idx.resize(static_cast<std::size_t>(k0));
                std::sort(idx.begin(), idx.end());
                T[ts] = idx;
                coef[ts] = Vector<Scalar>::Zero(k0);
                gam[ts] = mx > Scalar(0) ? static_cast<Scalar>(opts.alpha) * lam / mx : Scalar(0);
                active[ts] = mx > Scalar(0) ? 1 : 0;
            },
            static_cast<double>(nb) * static_cast<double>(n));
        Index outer = 0;
        bool pending = true;
        while (pending && outer < opts.max_outer) {
            ++outer;
            // Solve each subproblem on its active set; δ = γ (x − X_T c).
            detail::parallel_for(
                nb,
                [&](Index t) {
                    const auto ts = static_cast<std::size_t>(t);
                    if (!active[ts]) {
                        Delta.col(t).setZero();
                        return;
                    }
                    const auto& S = T[ts];
                    const Index m = static_cast<Index>(S.size());
                    Matrix<Scalar> XT(d, m);
                    for (Index k = 0; k < m; ++k)
                        XT.col(k) = Xn.col(S[static_cast<std::size_t>(k)]);
                    const Matrix<Scalar> G = XT.transpose() * XT;
                    const Vector<Scalar> b = XT.transpose() * Xn.col(b0 + t);
                    detail::ensc_cd(G, b, lam, gam[ts], coef[ts], opts.max_cd_sweeps, cdtol);
                    Delta.col(t) = gam[ts] * (Xn.col(b0 + t) - XT * coef[ts]);
                },
                static_cast<double>(nb) * static_cast<double>(d * k0 * k0));
            Corr.leftCols(nb).noalias() = Xn.transpose() * Delta.leftCols(nb);
            // Oracle step: the new active set is the support plus every i with |x_iᵀ δ| > λ.
            pending = false;
            for (Index t = 0; t < nb; ++t) {
                const auto ts = static_cast<std::size_t>(t);
                if (!active[ts]) continue;
                const Index j = b0 + t;
                const auto& S = T[ts];
                std::vector<Index> next;
                std::vector<Scalar> val;
                bool grew = false;
                std::size_t p = 0;
                for (Index i = 0; i < n; ++i) {
                    const bool inT = p < S.size() && S[p] == i;
                    Scalar ci = 0;
                    if (inT) ci = coef[ts](static_cast<Index>(p++));
                    if (i == j) continue;
                    const bool viol = std::abs(Corr(i, t)) > lam * (Scalar(1) + Scalar(10) * cdtol);
                    if (ci != Scalar(0) || (inT && viol) || (!inT && viol)) {
                        next.push_back(i);
                        val.push_back(ci);
                        if (!inT) grew = true;
                    }
                }
                if (!grew) {
                    // Final: keep the current solution.
                    active[ts] = 0;
                    auto& tr = trip[static_cast<std::size_t>(j)];
                    for (std::size_t k = 0; k < S.size(); ++k)
                        if (coef[ts](static_cast<Index>(k)) != Scalar(0))
                            tr.emplace_back(S[k], j, coef[ts](static_cast<Index>(k)));
                    continue;
                }
                pending = true;
                T[ts] = next;
                coef[ts] =
                    Eigen::Map<const Vector<Scalar>>(val.data(), static_cast<Index>(val.size()));
            }
        }
        max_outer_used = std::max(max_outer_used, outer);
        for (Index t = 0; t < nb; ++t) {
            const auto ts = static_cast<std::size_t>(t);
            if (!active[ts]) continue;
            all_converged = false;  // hit max_outer: keep the last subproblem solution
            const Index j = b0 + t;
            const auto& S = T[ts];
            for (std::size_t k = 0; k < S.size(); ++k)
                if (coef[ts](static_cast<Index>(k)) != Scalar(0))
                    trip[static_cast<std::size_t>(j)].emplace_back(S[k], j,
                                                                   coef[ts](static_cast<Index>(k)));
        }
    }
    std::vector<Eigen::Triplet<Scalar>> all;
    for (auto& t : trip) all.insert(all.end(), t.begin(), t.end());
    SparseAffinity<Scalar> res;
    res.C.resize(n, n);
    res.C.setFromTriplets(all.begin(), all.end());
    res.W = detail::symmetric_affinity(res.C);
    res.iterations = max_outer_used;
    res.converged = all_converged;
    res.stop_reason = all_converged ? StopReason::converged : StopReason::max_iterations;
    return res;
}

}  // namespace subspace
