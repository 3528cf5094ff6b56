/// \file subspace/intrinsic/knn_dimension.hpp
/// \brief Intrinsic dimension from the growth of the k-NN graph length with the sample size.
///
/// Implements the k-NN graph method of Costa & Hero 2004, "Geodesic entropic graphs for
/// dimension and entropy estimation in manifold learning" (IEEE TSP 52(8)), in the simplified
/// form used by Carter, Raich & Hero 2010, "On local intrinsic dimension estimation and its
/// applications" (IEEE TSP 58(2), Sec. II-B and eq. (6)) and by scikit-dimension 0.3.4's
/// `skdim.id.KNN()` (which, like Johnsson's R package, drops the block bootstrap):
///
/// - for every sample size p in `sample_sizes` (default k+1, ..., k+4) and every repetition
///   j = 1..M, draw p points uniformly **with replacement** and compute the weighted graph length
///   L_{p,j} = Σ_{x in sample} Σ_{y among the k nearest other sample members of x} ‖x − y‖^γ
///   (a point drawn twice is its own copy's neighbour at distance 0, as in skdim);
/// - E[L_p] ≈ c p^{(m − γ)/m} for data of intrinsic dimension m (Beardwood–Halton–Hammersley
///   growth); for every m = 1, ..., D the least-squares constant ĉ(m) = Σ_p p^α Σ_j L_{p,j} /
///   (M Σ_p p^{2α}), α = (m − γ)/m, and the residual ε(m) = Σ_{p,j} (L_{p,j} − ĉ p^α)²;
/// - the estimate is the integer m with the smallest residual (the first on ties).
///
/// Randomness. skdim draws the samples from NumPy's global, unseeded generator
/// (`np.random.randint`), so its estimate is not reproducible, not even by skdim: only the
/// least-squares step (`knn_graph_fit`, deterministic given L) and the definition of L can be
/// matched. Here each sample (p, j) is drawn from its own Philox stream of `seed`, so the same
/// seed gives the same bits for any thread count. With skdim's defaults (k = 2, samples of
/// 3..6 points, M = 1) the estimate is essentially noise, which is why skdim's reference
/// values (1 for a 3-D affine set, 72 for a 12-D one) are not a target; larger sample sizes
/// and M give a meaningful estimate (see the tests).
#pragma once

#include <cmath>
#include <cstdint>
#include <limits>
#include <vector>

#include <Eigen/Core>

#include "subspace/core/config.hpp"
#include "subspace/core/error.hpp"
#include "subspace/core/rng.hpp"
#include "subspace/detail/parallel.hpp"
#include "subspace/intrinsic/id_estimate.hpp"
#include "subspace/intrinsic/knn.hpp"

namespace subspace {

/// \ingroup intrinsic
/// Options of `knn_graph_dimension`.
struct KnnDimensionOptions {
    Index k = 2;  ///< neighbours per sample point in the graph length (skdim default 2), >= 1
    /// sample sizes p, each in [k + 1, n]; empty = {k + 1, k + 2, k + 3, k + 4} (skdim default)
    std::vector<Index> sample_sizes;
    Index repetitions = 1;    ///< samples per size, M (skdim default 1), >= 1
    double gamma = 2.0;       ///< edge weight exponent γ (skdim default 2), > 0
    Index max_dimension = 0;  ///< candidate dimensions 1..max_dimension; 0 = ambient dimension D
    std::uint64_t seed = 0;   ///< Philox seed of the samples
};

/// \ingroup intrinsic
/// The least-squares fit of the graph lengths (`knn_graph_fit`).
struct KnnGraphFit {
    Index dimension = 0;        ///< argmin of the residuals, in 1..max_dimension
    double residual = 0.0;      ///< ε at that dimension
    Eigen::VectorXd residuals;  ///< ε(m) for m = 1..max_dimension (entry m − 1)
};

namespace detail {

inline std::vector<Index> knn_dim_sizes(const KnnDimensionOptions& o) {
    if (!o.sample_sizes.empty()) return o.sample_sizes;
    return {o.k + 1, o.k + 2, o.k + 3, o.k + 4};
}

inline void check_knn_dim_options(const char* fn, const KnnDimensionOptions& o, Index n) {
    check_in_range(fn, "opts.k", o.k, Index(1), std::numeric_limits<Index>::max() - 8);
    check_in_range(fn, "opts.repetitions", o.repetitions, Index(1), Index(1) << 30);
    check_positive(fn, "opts.gamma", o.gamma);
    check_nonnegative(fn, "opts.max_dimension", o.max_dimension);
    for (Index p : knn_dim_sizes(o))
        if (p <= o.k || p > n)
            throw_invalid(fn, "opts.sample_sizes",
                          "sizes in [k + 1, n] = [" + to_text(o.k + 1) + ", " + to_text(n) + "]",
                          to_text(p));
}

template <class Scalar>
Eigen::MatrixXd knn_graph_lengths_impl(const Eigen::Ref<const Matrix<Scalar>>& X,
                                       const KnnDimensionOptions& o) {
    const std::vector<Index> ps = knn_dim_sizes(o);
    const Index Q = static_cast<Index>(ps.size());
    const Index M = o.repetitions;
    const Index n = X.cols();
    Eigen::MatrixXd L(Q, M);
    KnnOptions ko;  // duplicates (the same point drawn twice) are ordinary neighbours
    double work = 0.0;
    for (Index p : ps) work += static_cast<double>(p) * static_cast<double>(p) * 8.0;
    parallel_for(
        Q * M,
        [&](Index t) {
            const Index q = t / M;
            const Index j = t % M;
            const Index p = ps[static_cast<std::size_t>(q)];
            // Stream of sample (q, j): independent of the thread that runs it.
            RandomStream rs(o.seed, static_cast<std::uint32_t>(t & 0xFFFFFFFF));
            Matrix<Scalar> S(X.rows(), p);
            for (Index c = 0; c < p; ++c)
                S.col(c) = X.col(static_cast<Index>(rs.next_below(static_cast<std::uint64_t>(n))));
            const KnnResult<Scalar> g = knn_impl<Scalar>(S, o.k, ko);
            double len = 0.0;
            for (Index c = 0; c < p; ++c)
                for (Index s = 0; s < o.k; ++s) {
                    const double dist = static_cast<double>(g.distances(s, c));
                    len += o.gamma == 2.0 ? dist * dist : std::pow(dist, o.gamma);
                }
            L(q, j) = len;
        },
        work * static_cast<double>(M) * static_cast<double>(X.rows()));
    return L;
}

}  // namespace detail

/// \ingroup intrinsic
/// Least-squares dimension fit of graph lengths (skdim 0.3.4 `KNN._knnDimEst`, after the
/// sampling): for m = 1..max_dimension, α = (m − γ)/m, ĉ = Σ_q p_q^α Σ_j L(q, j) /
/// (M Σ_q p_q^{2α}), ε(m) = Σ_{q,j} (L(q, j) − ĉ p_q^α)²; returns argmin ε (first on ties).
/// \param L Q x M graph lengths (row q: sample size sample_sizes[q]; M repetitions).
/// \param sample_sizes the Q sample sizes (positive).
/// \param gamma edge exponent γ > 0. \param max_dimension >= 1 candidate dimensions.
/// O(Q M max_dimension).
/// \throws invalid_argument for mismatched sizes, non-finite or negative L, non-positive sizes,
///   gamma or max_dimension.
inline KnnGraphFit knn_graph_fit(const Eigen::MatrixXd& L, const std::vector<Index>& sample_sizes,
                                 double gamma, Index max_dimension) {
    const char* fn = "subspace::knn_graph_fit";
    detail::check_not_empty(fn, "L", L.rows(), L.cols());
    detail::check_rows(fn, "L", L.rows(), static_cast<Index>(sample_sizes.size()),
                       "one row per sample size");
    detail::check_finite(fn, "L", L);
    if ((L.array() < 0.0).any()) detail::throw_invalid(fn, "L", "non-negative", "a negative entry");
    for (Index p : sample_sizes) detail::check_positive(fn, "sample_sizes", p);
    detail::check_positive(fn, "gamma", gamma);
    detail::check_positive(fn, "max_dimension", max_dimension);
    const Index Q = L.rows();
    const double M = static_cast<double>(L.cols());
    const Eigen::VectorXd row_sum = L.rowwise().sum();
    KnnGraphFit f;
    f.residuals.resize(max_dimension);
    for (Index m = 1; m <= max_dimension; ++m) {
        const double alpha = (static_cast<double>(m) - gamma) / static_cast<double>(m);
        double sxy = 0.0;
        double sxx = 0.0;
        Eigen::VectorXd pa(Q);
        for (Index q = 0; q < Q; ++q) {
            pa(q) = std::pow(static_cast<double>(sample_sizes[static_cast<std::size_t>(q)]), alpha);
            sxy += pa(q) * row_sum(q);
            sxx += pa(q) * pa(q);
        }
        const double c = sxy / (sxx * M);
        double eps = 0.0;
        for (Index q = 0; q < Q; ++q)
            for (Index j = 0; j < L.cols(); ++j) {
                const double r = L(q, j) - c * pa(q);
                eps += r * r;
            }
        f.residuals(m - 1) = eps;
    }
    Index best = 0;
    for (Index m = 1; m < max_dimension; ++m)
        if (f.residuals(m) < f.residuals(best)) best = m;
    f.dimension = best + 1;
    f.residual = f.residuals(best);
    return f;
}

/// \ingroup intrinsic
/// The graph lengths L (Q x M) of `knn_graph_dimension`: sample (q, j) is p_q columns of X
/// drawn uniformly with replacement from Philox stream q M + j of `opts.seed`, and L(q, j) is
/// the sum over the sample of the γ-th powers of the distances to the k nearest other sample
/// members (exact `knn` of the sample; repeated draws are neighbours at distance 0).
/// Cost O(Σ_q p_q² D M); parallel over samples, same bits for any thread count.
/// \throws invalid_argument for empty or non-finite X, or bad options (sizes outside
///   [k + 1, n], k < 1, M < 1, γ <= 0).
template <class Derived>
Eigen::MatrixXd knn_graph_lengths(const Eigen::MatrixBase<Derived>& X,
                                  const KnnDimensionOptions& opts = {}) {
    using Scalar = typename Derived::Scalar;
    const char* fn = "subspace::knn_graph_lengths";
    const Eigen::Ref<const Matrix<Scalar>> Xr(X.derived());
    detail::check_not_empty(fn, "X", Xr.rows(), Xr.cols());
    detail::check_finite(fn, "X", Xr);
    detail::check_knn_dim_options(fn, opts, Xr.cols());
    return detail::knn_graph_lengths_impl<Scalar>(Xr, opts);
}

/// \ingroup intrinsic
/// k-NN graph-length intrinsic dimension (Costa & Hero 2004; Carter, Raich & Hero 2010) of the
/// columns of X (D x n, columns are points): `knn_graph_lengths` then `knn_graph_fit` with
/// candidates 1..D (or max_dimension). Defaults are skdim 0.3.4 `KNN()`'s (k = 2, sizes
/// k+1..k+4, M = 1, γ = 2); the estimate is an integer and `pointwise` is empty. Exact
/// duplicate columns are dropped first (the module's policy; skdim keeps them), and the samples
/// are drawn from the distinct points; the sizes are checked against n as given.
/// Cost O(Σ_q p_q² D M) (skdim: O(n² D) for its full distance matrix). Example:
/// \code
/// subspace::KnnDimensionOptions o;
/// o.sample_sizes = {250, 500, 1000, 2000};
/// o.repetitions = 4;
/// double m = subspace::knn_graph_dimension(X, o).dimension;
/// \endcode
/// \throws invalid_argument for empty or non-finite X, or bad options.
template <class Derived>
IdEstimate knn_graph_dimension(const Eigen::MatrixBase<Derived>& X,
                               const KnnDimensionOptions& opts = {}) {
    using Scalar = typename Derived::Scalar;
    const char* fn = "subspace::knn_graph_dimension";
    const Eigen::Ref<const Matrix<Scalar>> Xr(X.derived());
    detail::check_not_empty(fn, "X", Xr.rows(), Xr.cols());
    detail::check_finite(fn, "X", Xr);
    detail::check_knn_dim_options(fn, opts, Xr.cols());
    const Index mmax = opts.max_dimension > 0 ? opts.max_dimension : Xr.rows();
    return detail::on_unique_points<Scalar>(
        fn, Xr, opts.k, [&](const Eigen::Ref<const Matrix<Scalar>>& U) {
            const Eigen::MatrixXd L = detail::knn_graph_lengths_impl<Scalar>(U, opts);
            IdEstimate e;
            e.dimension = static_cast<double>(
                knn_graph_fit(L, detail::knn_dim_sizes(opts), opts.gamma, mmax).dimension);
            return e;
        });
}

}  // namespace subspace
