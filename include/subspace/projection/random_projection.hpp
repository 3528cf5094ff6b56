/// \file subspace/projection/random_projection.hpp
/// \brief `RandomProjection<Scalar>`: a fit/transform dimension reducer over any sketching
/// operator of the sketch module (Gaussian, Rademacher, sparse sign, CountSketch, SRHT), with
/// the target dimension defaulting to the Johnson–Lindenstrauss bound.
///
/// Columns are points: X is d x n and transform(X) = S X is k x n, with E[SᵀS] = I so that
/// ‖S x‖ ≈ ‖x‖.
///
/// Papers: W. B. Johnson, J. Lindenstrauss, "Extensions of Lipschitz mappings into a Hilbert
/// space", 1984; S. Dasgupta, A. Gupta, "An elementary proof of a theorem of Johnson and
/// Lindenstrauss", Random Struct. Alg. 22 (2003), Theorem 2.1 (k >= 4 ln n / (ε²/2 − ε³/3),
/// jl_min_dim); D. Achlioptas, "Database-friendly random projections", JCSS 66 (2003)
/// (Rademacher); J. Nelson, H. L. Nguyen, "OSNAP", FOCS 2013 (sparse sign); N. Ailon,
/// B. Chazelle, "The fast Johnson–Lindenstrauss transform", SICOMP 39 (2009) (SRHT).
#pragma once

#include <algorithm>
#include <cstdint>
#include <optional>
#include <variant>

#include <Eigen/Core>
#include <Eigen/SparseCore>

#include "subspace/core/config.hpp"
#include "subspace/core/error.hpp"
#include "subspace/sketch/dense_sketch.hpp"
#include "subspace/sketch/jl.hpp"
#include "subspace/sketch/sketch_kind.hpp"
#include "subspace/sketch/sparse_sketch.hpp"
#include "subspace/sketch/srht.hpp"

namespace subspace {

/// Options of RandomProjection.
struct RandomProjectionOptions {
    /// Which sketching operator (default gaussian).
    SketchKind kind = SketchKind::gaussian;
    /// Target dimension k; 0 (default) means jl_min_dim(n_points, eps) from the data given to
    /// fit().
    Index n_components = 0;
    /// Distortion ε of the Johnson–Lindenstrauss bound used when n_components = 0; in (0, 1).
    double eps = 0.1;
    /// Nonzeros per column of the sparse sign sketch (default 8).
    Index nnz_per_column = 8;
    /// Seed of the operator.
    std::uint64_t seed = 0x5eed;
};

/// Random projection transformer (as scikit-learn's GaussianRandomProjection /
/// SparseRandomProjection, with the sketch module's operators).
///
/// \code
/// subspace::RandomProjection<double> rp;            // Gaussian, k from the JL bound (ε = 0.1)
/// Eigen::MatrixXd Z = rp.fit(X).transform(X);       // k x n
/// \endcode
template <class Scalar_>
class RandomProjection {
public:
    using Scalar = Scalar_;
    using Mat = Matrix<Scalar>;
    using Sketch = std::variant<GaussianSketch<Scalar>, RademacherSketch<Scalar>,
                                SparseSignSketch<Scalar>, CountSketch<Scalar>, SrhtSketch<Scalar>>;

    explicit RandomProjection(const RandomProjectionOptions& opts = {}) : m_opts(opts) {}

    /// Draws the k x d operator for data of dimension d = X.rows() (X: d x n, dense or sparse;
    /// only its shape is used, plus n for the JL bound). O(1) for the implicit operators
    /// (generated on demand from the seed), O(d) for the hashed ones.
    /// \throws invalid_argument on empty X, negative n_components, eps outside (0, 1) when
    ///         n_components = 0, a JL dimension larger than d, n_components > d, or
    ///         nnz_per_column outside [1, k] for the sparse sign sketch.
    template <class XType>
    RandomProjection& fit(const XType& X) {
        return fit_shape(X.rows(), X.cols());
    }

    /// As fit() from the shape alone: ambient dimension d and number of points n.
    RandomProjection& fit_shape(Index d, Index n) {
        const char* fn = "subspace::RandomProjection::fit";
        detail::check_not_empty(fn, "X", d, n);
        detail::check_nonnegative(fn, "n_components", m_opts.n_components);
        Index k = m_opts.n_components;
        if (k == 0) {
            if (!(m_opts.eps > 0.0 && m_opts.eps < 1.0))
                detail::throw_invalid(fn, "eps", "in (0, 1)", detail::to_text(m_opts.eps));
            k = std::max<Index>(1, jl_min_dim(n, m_opts.eps));
            if (k > d)
                detail::throw_invalid(fn, "eps",
                                      "a distortion whose JL dimension (" + detail::to_text(k) +
                                          " for " + detail::to_text(n) +
                                          " points) is at most d = " + detail::to_text(d),
                                      detail::to_text(m_opts.eps));
        } else if (k > d) {
            detail::throw_invalid(fn, "n_components", "at most d = " + detail::to_text(d),
                                  detail::to_text(k));
        }
        switch (m_opts.kind) {
            case SketchKind::rademacher:
                m_sketch.emplace(std::in_place_type<RademacherSketch<Scalar>>, k, d, m_opts.seed);
                break;
            case SketchKind::sparse_sign:
                m_sketch.emplace(std::in_place_type<SparseSignSketch<Scalar>>, k, d,
                                 m_opts.nnz_per_column, m_opts.seed);
                break;
            case SketchKind::count:
                m_sketch.emplace(std::in_place_type<CountSketch<Scalar>>, k, d, m_opts.seed);
                break;
            case SketchKind::srht:
                m_sketch.emplace(std::in_place_type<SrhtSketch<Scalar>>, k, d, m_opts.seed);
                break;
            case SketchKind::gaussian:
            default:
                m_sketch.emplace(std::in_place_type<GaussianSketch<Scalar>>, k, d, m_opts.seed);
                break;
        }
        return *this;
    }

    /// S X (k x n) for X (d x n, dense expression or sparse matrix). Cost: that of the operator
    /// (O(k d n) Gaussian/Rademacher, O(s nnz) sparse sign, O(nnz) CountSketch, O(d n log d)
    /// SRHT).
    /// \throws invalid_argument before fit, if X does not have d rows, or has non-finite
    ///         entries.
    template <class XType>
    Mat transform(const XType& X) const {
        const char* fn = "subspace::RandomProjection::transform";
        if (!m_sketch)
            detail::throw_invalid(fn, "this", "a fitted projection (call fit first)",
                                  "an unfitted RandomProjection");
        detail::check_rows(fn, "X", X.rows(), cols(), "the dimension d given to fit");
        return std::visit([&](const auto& S) { return Mat(S.apply(X)); }, *m_sketch);
    }

    /// fit(X) then transform(X).
    template <class XType>
    Mat fit_transform(const XType& X) {
        return fit(X).transform(X);
    }

    /// The operator as a dense k x d matrix (O(k d) memory).
    /// \throws invalid_argument before fit.
    Mat components() const {
        if (!m_sketch)
            detail::throw_invalid("subspace::RandomProjection::components", "this",
                                  "a fitted projection (call fit first)",
                                  "an unfitted RandomProjection");
        return std::visit([](const auto& S) { return Mat(S.to_dense()); }, *m_sketch);
    }

    /// Target dimension k (0 before fit).
    Index n_components() const {
        return m_sketch ? std::visit([](const auto& S) { return S.rows(); }, *m_sketch) : 0;
    }
    /// Input dimension d (0 before fit).
    Index cols() const {
        return m_sketch ? std::visit([](const auto& S) { return S.cols(); }, *m_sketch) : 0;
    }
    /// The sketching operator (empty before fit).
    const std::optional<Sketch>& sketch() const noexcept { return m_sketch; }

private:
    RandomProjectionOptions m_opts;
    std::optional<Sketch> m_sketch;
};

}  // namespace subspace
