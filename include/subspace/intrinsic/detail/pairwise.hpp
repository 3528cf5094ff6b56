/// \file subspace/intrinsic/detail/pairwise.hpp
/// \brief Internal: the tiled squared-distance engine shared by the exact k-NN brute force and
/// the correlation-integral pair counts.
///
/// Every tile of squared distances is one GEMM, L = ‖y_j‖² + ‖y_q‖² − 2 y_jᵀ y_q, with the norm
/// terms written first and the product subtracted into them (no separate zeroing pass). The
/// coordinates y are one of:
///   - the centred points x − μ (the default frame), or
///   - when the centred data have numerical rank r well below d (all but a fraction
///     `tol` of the energy in r principal directions U), the r principal coordinates Uᵀ(x − μ)
///     plus one extra coordinate ρ = ‖(x − μ) − U Uᵀ(x − μ)‖, the norm of the residual. Since
///     ‖x_q − x_j‖² = ‖Uᵀ(x_q − x_j)‖² + ‖z_q − z_j‖² and (ρ_q − ρ_j)² ≤ ‖z_q − z_j‖² ≤ (ρ_q +
///     ρ_j)², the frame distance is a lower bound of the true one and adding 4 ρ_q ρ_j gives an
///     upper bound. Data lying in (or very near) a linear subspace of R^d, a common case for
///     embedded manifolds and learned representations, then cost O(n² r) instead of O(n² d).
/// In both frames a rigorous floating-point bound `slack(q)` covers the rounding of centring,
/// projection and GEMM, so callers can certify decisions and recompute the exact distance of
/// the few pairs inside the uncertainty band.
#pragma once

#include <algorithm>
#include <cmath>
#include <limits>
#include <utility>
#include <vector>

#include <Eigen/Core>
#include <Eigen/Eigenvalues>

#include "subspace/core/config.hpp"
#include "subspace/detail/parallel.hpp"

namespace subspace {
namespace detail {

/// Coordinates and error bounds of the squared-distance tiles (see the file comment).
template <class Scalar>
struct PairFrame {
    const Eigen::Ref<const Matrix<Scalar>>* X = nullptr;  ///< the points (unprojected frame)
    Vector<Scalar> mean;                                  ///< μ (unprojected frame)
    Matrix<Scalar> Y;      ///< p x n frame coordinates (projected frame, or after apply_order)
    bool stored = false;   ///< the coordinates are held in Y
    Vector<Scalar> nrm;    ///< ‖y_j‖², the norm terms of the tiles
    Vector<Scalar> rho;    ///< residual norms ρ_j (zero in the unprojected frame)
    Vector<Scalar> cnorm;  ///< ‖x_j − μ‖ (for the error bound)
    Scalar cnorm_max = 0;  ///< max_j ‖x_j − μ‖
    Scalar rel = 0;        ///< relative part of the bound
    Scalar tau = 0;        ///< absolute centring part of the bound
    Index p = 0;           ///< coordinates per point
    bool projected = false;

    Index points() const { return nrm.size(); }

    /// For every j: |L̂(q, j) − L(q, j)| ≤ slack(q), where L̂ is the computed tile entry and L
    /// the exact frame distance, and L ≤ ‖x_q − x_j‖² ≤ L + 4 ρ_q ρ_j up to the same slack.
    Scalar slack(Index q) const { return slack_of(cnorm(q)); }
    /// The largest slack of any point.
    Scalar slack_max() const { return slack_of(cnorm_max); }
    Scalar slack_of(Scalar cn) const {
        const Scalar s = cn + cnorm_max;
        return rel * s * s + Scalar(2) * tau * s + Scalar(4) * tau * tau;
    }

    /// Position -> column of X (empty: the identity). Set by `apply_order`; every per-point
    /// array above and every tile index is a position.
    std::vector<Index> order;

    Index original(Index pos) const {
        return order.empty() ? pos : order[static_cast<std::size_t>(pos)];
    }

    /// dest = frame coordinates of the points at positions [j0, j0 + nj).
    void load(Index j0, Index nj, Eigen::Ref<Matrix<Scalar>> dest) const {
        if (stored)
            dest = Y.middleCols(j0, nj);
        else
            dest = X->middleCols(j0, nj).colwise() - mean;
    }

    /// Reorders the points: position i now holds column ord[i] of X.
    void apply_order(std::vector<Index> ord) {
        const Index n = points();
        auto permute = [&](Vector<Scalar>& v) {
            Vector<Scalar> w(n);
            for (Index i = 0; i < n; ++i) w(i) = v(ord[static_cast<std::size_t>(i)]);
            v.swap(w);
        };
        permute(nrm);
        permute(rho);
        permute(cnorm);
        // The coordinates are stored in the new order (O(n p) memory, like the input).
        Matrix<Scalar> Z(p, n);
        for (Index i = 0; i < n; ++i) {
            const Index j = ord[static_cast<std::size_t>(i)];
            if (stored)
                Z.col(i) = Y.col(j);
            else
                Z.col(i) = X->col(j) - mean;
        }
        Y.swap(Z);
        stored = true;
        order = std::move(ord);
    }
};

/// A locality order for the tiles: `n_clusters` deterministic seeds (evenly spaced columns),
/// two Lloyd (k-means) sweeps in frame coordinates, then the points sorted by (cluster, index).
/// Consecutive positions are then mostly near each other, so a tile of positions is a compact
/// cluster: the first tile a point meets already holds near neighbours (tight selection
/// thresholds) and far tile pairs can be skipped by a triangle-inequality bound. Cost
/// O(n · n_clusters · p) in GEMMs. The result depends only on the data.
template <class Scalar>
std::vector<Index> cluster_order(const PairFrame<Scalar>& F, Index n_clusters) {
    const Index n = F.points();
    const Index c = std::max<Index>(1, std::min(n_clusters, n));
    Eigen::MatrixXd centres(F.p, c);
    Matrix<Scalar> tmp(F.p, 1);
    for (Index t = 0; t < c; ++t) {
        F.load((2 * t + 1) * n / (2 * c), 1, tmp);
        centres.col(t) = tmp.col(0).template cast<double>();
    }
    std::vector<Index> label(static_cast<std::size_t>(n), 0);
    const Index blk = 1024;
    Matrix<Scalar> B(F.p, std::min(blk, n));
    for (int sweep = 0; sweep < 2; ++sweep) {
        const Matrix<Scalar> Cs = centres.template cast<Scalar>();
        const Vector<Scalar> cn = Cs.colwise().squaredNorm().transpose();
        Eigen::MatrixXd sums = Eigen::MatrixXd::Zero(F.p, c);
        Eigen::VectorXd counts = Eigen::VectorXd::Zero(c);
        for (Index j0 = 0; j0 < n; j0 += blk) {
            const Index nb = std::min(blk, n - j0);
            F.load(j0, nb, B.leftCols(nb));
            const Matrix<Scalar> G = Cs.transpose() * B.leftCols(nb);  // c x nb
            for (Index i = 0; i < nb; ++i) {
                Index best = 0;
                Scalar bv = cn(0) - Scalar(2) * G(0, i);
                for (Index t = 1; t < c; ++t) {
                    const Scalar v = cn(t) - Scalar(2) * G(t, i);
                    if (v < bv) {
                        bv = v;
                        best = t;
                    }
                }
                label[static_cast<std::size_t>(j0 + i)] = best;
                sums.col(best) += B.col(i).template cast<double>();
                counts(best) += 1.0;
            }
        }
        for (Index t = 0; t < c; ++t)
            if (counts(t) > 0) centres.col(t) = sums.col(t) / counts(t);
    }
    std::vector<Index> start(static_cast<std::size_t>(c + 1), 0);
    for (Index i = 0; i < n; ++i)
        ++start[static_cast<std::size_t>(label[static_cast<std::size_t>(i)] + 1)];
    for (Index t = 0; t < c; ++t)
        start[static_cast<std::size_t>(t + 1)] += start[static_cast<std::size_t>(t)];
    std::vector<Index> ord(static_cast<std::size_t>(n));
    for (Index i = 0; i < n; ++i)
        ord[static_cast<std::size_t>(
            start[static_cast<std::size_t>(label[static_cast<std::size_t>(i)])]++)] = F.original(i);
    return ord;
}

/// Per tile of positions: centre and radius (in double) of its frame coordinates, for the
/// triangle-inequality bound between tiles.
struct TileBalls {
    Eigen::MatrixXd centre;  ///< p x n_tiles
    Eigen::VectorXd radius;  ///< n_tiles
    double delta = 0;        ///< rounding allowance of centre distances and radii

    /// A lower bound of the exact frame distance (not squared) between any point of tile a and
    /// any point of tile b (0 when the balls overlap).
    double separation(Index a, Index b) const {
        const double s = (centre.col(a) - centre.col(b)).norm() - radius(a) - radius(b) - delta;
        return s > 0 ? s : 0.0;
    }
};

template <class Scalar>
TileBalls tile_balls(const PairFrame<Scalar>& F, Index tile) {
    const Index n = F.points();
    const Index ts = std::max<Index>(1, tile);
    const Index n_tiles = (n + ts - 1) / ts;
    TileBalls b;
    b.centre.resize(F.p, n_tiles);
    b.radius.resize(n_tiles);
    Matrix<Scalar> T(F.p, std::min(ts, n));
    double big = 0;
    for (Index t = 0; t < n_tiles; ++t) {
        const Index j0 = t * ts;
        const Index nb = std::min(ts, n - j0);
        F.load(j0, nb, T.leftCols(nb));
        const Eigen::MatrixXd Td = T.leftCols(nb).template cast<double>();
        b.centre.col(t) = Td.rowwise().mean();
        b.radius(t) = (Td.colwise() - b.centre.col(t)).colwise().norm().maxCoeff();
        big = std::max(big, Td.colwise().norm().maxCoeff());
    }
    b.delta = 64.0 * static_cast<double>(F.p + 4) * Eigen::NumTraits<double>::epsilon() * big;
    return b;
}

/// Builds the frame of X. Projection is tried when `projection_tol > 0`, d >= 8 and n >= 8d (the
/// O(d³) eigensolve is then small next to the O(n² d) pair work);
/// it is used when the energy outside the top r principal directions is at most
/// projection_tol times the total and r + 1 <= d / 2. Cost of the test: O(n d²) in double plus
/// one d x d symmetric eigensolve.
template <class Scalar>
PairFrame<Scalar> make_pair_frame(const Eigen::Ref<const Matrix<Scalar>>& X,
                                  double projection_tol) {
    PairFrame<Scalar> F;
    const Index d = X.rows();
    const Index n = X.cols();
    const Eigen::VectorXd mean_d = X.template cast<double>().rowwise().mean();
    F.X = &X;
    F.mean = mean_d.template cast<Scalar>();
    F.cnorm.resize(n);
    for (Index j = 0; j < n; ++j) F.cnorm(j) = (X.col(j) - F.mean).norm();
    F.cnorm_max = F.cnorm.maxCoeff();
    const double eps_s = static_cast<double>(Eigen::NumTraits<Scalar>::epsilon());
    const double eps_d = Eigen::NumTraits<double>::epsilon();
    const double big = static_cast<double>(X.cwiseAbs().maxCoeff()) + mean_d.cwiseAbs().maxCoeff();
    const double sqd = std::sqrt(static_cast<double>(d));
    // Centring in Scalar: each coordinate of x − μ is off by <= eps (|x| + |μ|) <= eps big, so a
    // difference of two centred points is off by <= 2 eps big √d in norm.
    F.tau = static_cast<Scalar>(2.0 * eps_s * big * sqd);

    Index r = d;
    Eigen::MatrixXd U;
    if (projection_tol > 0 && d >= 8 && n >= 8 * d) {
        Eigen::MatrixXd C = Eigen::MatrixXd::Zero(d, d);
        const Index blk = 2048;
        Eigen::MatrixXd B;
        for (Index j0 = 0; j0 < n; j0 += blk) {
            const Index nb = std::min(blk, n - j0);
            B = X.middleCols(j0, nb).template cast<double>().colwise() - mean_d;
            C.selfadjointView<Eigen::Lower>().rankUpdate(B);
        }
        Eigen::SelfAdjointEigenSolver<Eigen::MatrixXd> es;
        es.compute(C.selfadjointView<Eigen::Lower>());  // eigenvalues ascending
        const Eigen::VectorXd lam = es.eigenvalues().cwiseMax(0.0);
        const double total = lam.sum();
        if (total > 0) {
            double tail = 0;
            Index keep = d;  // smallest r with Σ_{i >= r} λ_(i) <= tol total (descending order)
            for (Index i = 0; i < d; ++i) {
                tail += lam(i);
                if (tail > projection_tol * total) break;
                keep = d - 1 - i;
            }
            if (keep + 1 <= d / 2) {
                r = keep;
                U = es.eigenvectors().rightCols(r);
            }
        }
    }
    if (r == d) {
        F.p = d;
        F.nrm.resize(n);
        for (Index j = 0; j < n; ++j) F.nrm(j) = F.cnorm(j) * F.cnorm(j);
        F.rho = Vector<Scalar>::Zero(n);
        // GEMM entry: |fl(a + b − 2 g) − (a + b − 2 yᵀy')| <= γ_{d+3} (a + b + 2|y||y'|).
        F.rel = static_cast<Scalar>(4.0 * static_cast<double>(d + 3) * eps_s);
        return F;
    }
    // Projected frame, computed in double and rounded once to Scalar.
    F.projected = true;
    F.stored = true;
    F.p = r + 1;
    F.Y.resize(F.p, n);
    F.nrm.resize(n);
    F.rho.resize(n);
    const Index blk = 2048;
    Eigen::MatrixXd B, Yd, Z;
    for (Index j0 = 0; j0 < n; j0 += blk) {
        const Index nb = std::min(blk, n - j0);
        B = X.middleCols(j0, nb).template cast<double>().colwise() - mean_d;
        Yd.noalias() = U.transpose() * B;
        Z = B;
        Z.noalias() -= U * Yd;
        F.Y.middleCols(j0, nb).topRows(r) = Yd.template cast<Scalar>();
        for (Index c = 0; c < nb; ++c) F.rho(j0 + c) = static_cast<Scalar>(Z.col(c).norm());
        F.Y.row(r).segment(j0, nb) = F.rho.segment(j0, nb).transpose();
    }
    for (Index j = 0; j < n; ++j) F.nrm(j) = F.Y.col(j).squaredNorm();
    // Orthonormality defect of U bounds ‖UᵀΔ‖² <= (1 + 2δ) ‖Δ‖² and the cross terms.
    const double delta = (U.transpose() * U - Eigen::MatrixXd::Identity(r, r)).norm() +
                         static_cast<double>(d) * eps_d;
    // Rounding of the double projection and residual (γ_{2d}-sized, times √d for the norms), the
    // single rounding to Scalar of each coordinate, and the Scalar GEMM over p coordinates.
    const double rel = 16.0 * static_cast<double>(d + r + 4) * (1.0 + sqd) * eps_d + 8.0 * delta +
                       8.0 * eps_s + 4.0 * static_cast<double>(F.p + 3) * eps_s;
    F.rel = static_cast<Scalar>(rel);
    F.tau = static_cast<Scalar>(2.0 * eps_d * big * sqd);  // centring was done in double
    return F;
}

/// Calls per_query_tile(q0, nq, sweep) for each query tile [q0, q0 + nq), in parallel over tiles;
/// sweep(visit) calls visit(r0, nr, A) for the reference tiles in increasing r0, where the first
/// nr rows of A (nr x nq) hold the computed frame distances L̂(r0 + i, q0 + c). The tiles and the
/// arithmetic do not depend on the thread count.
template <class Scalar, class PerTile>
void for_each_distance_tile(const PairFrame<Scalar>& F, Index query_tile, Index reference_tile,
                            PerTile&& per_query_tile) {
    const Index n = F.points();
    const Index tq = std::max<Index>(1, query_tile);
    const Index tr = std::max<Index>(1, reference_tile);
    const Index n_tiles = (n + tq - 1) / tq;
    parallel_for(
        n_tiles,
        [&](Index t) {
            const Index q0 = t * tq;
            const Index nq = std::min(tq, n - q0);
            Matrix<Scalar> Q(F.p, nq);
            F.load(q0, nq, Q);
            Matrix<Scalar> R(F.p, std::min(tr, n));
            Matrix<Scalar> A(std::min(tr, n), nq);
            auto sweep = [&](auto&& visit) {
                for (Index r0 = 0; r0 < n; r0 += tr) {
                    const Index nr = std::min(tr, n - r0);
                    F.load(r0, nr, R.leftCols(nr));
                    for (Index c = 0; c < nq; ++c)
                        A.col(c).head(nr) = F.nrm.segment(r0, nr).array() + F.nrm(q0 + c);
                    A.topRows(nr).noalias() -= (Scalar(2) * R.leftCols(nr).transpose()) * Q;
                    visit(r0, nr, static_cast<const Matrix<Scalar>&>(A));
                }
            };
            per_query_tile(q0, nq, sweep);
        },
        static_cast<double>(n) * static_cast<double>(n) * static_cast<double>(F.p + 4));
}

/// Symmetric variant: the index set is cut into tiles of `tile` points and visit(q0, nq, r0, nr, A)
/// is called once for every tile pair with r0 >= q0 (so each unordered pair of points appears in
/// exactly one call, the diagonal tiles holding both orders), A's first nr rows (nr x nq)
/// holding L̂(r0 + i, q0 + c). Half the GEMM work of `for_each_distance_tile`. All diagonal
/// tiles (r0 == q0) are visited first, then the others; calls for the same q0 come from one
/// thread in increasing r0, different q0 run in parallel, so the visitor must synchronise any
/// state it shares between tiles. skip(q0, nq, r0, nr) is asked before each off-diagonal tile;
/// when it returns true the tile is neither computed nor visited. The tiles and the arithmetic do
/// not depend on the thread count.
template <class Scalar, class Skip, class Visit>
void for_each_distance_tile_pair(const PairFrame<Scalar>& F, Index tile, Skip&& skip,
                                 Visit&& visit) {
    const Index n = F.points();
    const Index ts = std::max<Index>(1, tile);
    const Index n_tiles = (n + ts - 1) / ts;
    const double work =
        static_cast<double>(n) * static_cast<double>(n) * static_cast<double>(F.p + 4) / 2;
    auto row = [&](Index I, bool diagonal) {
        const Index q0 = I * ts;
        const Index nq = std::min(ts, n - q0);
        Matrix<Scalar> Q(F.p, nq);
        F.load(q0, nq, Q);
        Matrix<Scalar> R(F.p, std::min(ts, n));
        Matrix<Scalar> A(std::min(ts, n), nq);
        const Index first = diagonal ? q0 : q0 + ts;
        const Index last = diagonal ? q0 + 1 : n;
        for (Index r0 = first; r0 < last; r0 += ts) {
            const Index nr = std::min(ts, n - r0);
            if (!diagonal && skip(q0, nq, r0, nr)) continue;
            F.load(r0, nr, R.leftCols(nr));
            for (Index c = 0; c < nq; ++c)
                A.col(c).head(nr) = F.nrm.segment(r0, nr).array() + F.nrm(q0 + c);
            A.topRows(nr).noalias() -= (Scalar(2) * R.leftCols(nr).transpose()) * Q;
            visit(q0, nq, r0, nr, static_cast<const Matrix<Scalar>&>(A));
        }
    };
    // Pass 1: the diagonal tiles (each point meets its own tile first, which gives selection
    // visitors a finite threshold before the long sweep). Pass 2: the tiles above the diagonal;
    // row I has n_tiles - 1 - I of them, so rows are interleaved (0, T-1, 1, T-2, ...) for the
    // static schedule's contiguous chunks to carry equal work.
    parallel_for(
        n_tiles, [&](Index I) { row(I, true); }, work / static_cast<double>(n_tiles));
    parallel_for(
        n_tiles, [&](Index t) { row((t % 2 == 0) ? t / 2 : n_tiles - 1 - t / 2, false); }, work);
}

/// True when some entry of a[0, len) is below `bound` (len a multiple of 8 is fastest).
template <class Scalar>
inline bool any_below(const Scalar* a, Index len, Scalar bound) {
    Index i = 0;
    for (; i + 8 <= len; i += 8)
        if (Eigen::Map<const Eigen::Array<Scalar, 8, 1>>(a + i).minCoeff() < bound) return true;
    for (; i < len; ++i)
        if (a[i] < bound) return true;
    return false;
}

}  // namespace detail
}  // namespace subspace
