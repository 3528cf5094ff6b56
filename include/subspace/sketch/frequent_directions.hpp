/// \file subspace/sketch/frequent_directions.hpp
/// \brief Frequent Directions: a deterministic, mergeable streaming sketch of the rows of a
/// matrix.
///
/// Liberty 2013, "Simple and deterministic matrix sketching" (Algorithm 1), in the fast form of
/// Ghashami, Liberty, Phillips & Woodruff 2016, "Frequent Directions: simple and deterministic
/// matrix sketching" (Algorithm 3.1 with a 2ℓ-row buffer, Theorem 3.1): after any sequence of
/// updates and merges, the ℓ x d sketch B of the rows seen so far (A, n x d) satisfies
/// 0 ⪯ AᵀA − BᵀB and ‖AᵀA − BᵀB‖₂ <= ‖A − A_k‖_F² / (ℓ − k) for every k < ℓ.
#pragma once

#include <algorithm>
#include <cmath>

#include <Eigen/Core>
#include <Eigen/SVD>

#include "subspace/core/config.hpp"
#include "subspace/core/error.hpp"
#include "subspace/detail/eigen_compat.hpp"

namespace subspace {

/// Frequent Directions sketch of a stream of d-dimensional rows, with ℓ = `ell` sketch rows.
///
/// Memory: a buffer of 2ℓ x d. An update of b rows costs O(b d) plus, each time ℓ rows have
/// arrived, one SVD of the 2ℓ x d buffer (O(ℓ² d)): O(n ℓ d) amortised for n rows.
/// \code
/// subspace::FrequentDirections<double> fd(20, d);
/// fd.update(X.transpose());        // X: d x n points, so rows of Xᵀ
/// Eigen::MatrixXd B = fd.sketch(); // 20 x d, BᵀB ≈ X Xᵀ
/// \endcode
/// \tparam Scalar float or double.
template <class Scalar>
class FrequentDirections {
public:
    using Mat = Matrix<Scalar>;

    /// Empty sketch of ℓ = ell rows for rows of dimension d.
    /// \throws invalid_argument unless ell >= 1 and d >= 1.
    FrequentDirections(Index ell, Index d) : m_ell(ell), m_d(d) {
        detail::check_positive("subspace::FrequentDirections", "ell", ell);
        detail::check_positive("subspace::FrequentDirections", "d", d);
        m_buf = Mat::Zero(2 * ell, d);
    }

    Index ell() const noexcept { return m_ell; }
    Index dim() const noexcept { return m_d; }
    /// Number of rows seen (including those of merged sketches).
    Index rows_seen() const noexcept { return m_seen; }
    /// Total shrinkage Δ so far: ‖AᵀA − BᵀB‖₂ <= Δ <= ‖A − A_k‖_F² / (ℓ − k) for the B
    /// returned by the latest sketch() (which may add one shrink step).
    double total_shrinkage() const noexcept { return m_shrink; }

    /// Adds the rows of R (b x d; a single row is a 1 x d matrix or a row vector).
    /// \throws invalid_argument if R has not d columns or has non-finite entries.
    template <class Derived>
    void update(const Eigen::MatrixBase<Derived>& R) {
        detail::check_cols("subspace::FrequentDirections::update", "rows", R.cols(), m_d,
                           "the sketch dimension d");
        detail::check_finite("subspace::FrequentDirections::update", "rows", R);
        for (Index i = 0; i < R.rows(); ++i) {
            if (m_fill == 2 * m_ell) shrink();
            m_buf.row(m_fill++) = R.row(i).template cast<Scalar>();
            ++m_seen;
        }
    }

    /// Merges another sketch of the same ℓ and d into this one (Agarwal et al. 2012,
    /// "Mergeable summaries"; Ghashami et al. 2016, Section 3.2): the bound holds for the
    /// concatenated stream.
    /// \throws invalid_argument if ℓ or d differ.
    void merge(const FrequentDirections& other) {
        detail::check_in_range("subspace::FrequentDirections::merge", "other.ell()", other.m_ell,
                               m_ell, m_ell);
        detail::check_in_range("subspace::FrequentDirections::merge", "other.dim()", other.m_d, m_d,
                               m_d);
        const Mat rows = other.m_buf.topRows(other.m_fill);  // a copy: other may be *this
        const Index seen = other.m_seen;
        const double shrink_other = other.m_shrink;
        for (Index i = 0; i < rows.rows(); ++i) {
            if (m_fill == 2 * m_ell) shrink();
            m_buf.row(m_fill++) = rows.row(i);
        }
        m_seen += seen;
        m_shrink += shrink_other;
    }

    /// The sketch B (at most ℓ rows x d; fewer when fewer than ℓ rows have been seen).
    /// When the buffer holds more than ℓ rows this performs the shrink step in place (one SVD
    /// of the buffer, a valid Frequent Directions step), so that total_shrinkage() afterwards
    /// bounds ‖AᵀA − BᵀB‖₂ for the B returned. Like update(), not safe to call concurrently
    /// on one object.
    Mat sketch() const {
        if (m_fill > m_ell) shrink();
        return m_buf.topRows(m_fill);
    }

private:
    // SVD of the filled buffer, then σ_i ← sqrt(max(σ_i² − σ_ℓ², 0)): at most ℓ − 1 nonzero rows.
    void shrink() const {
        const Mat Bf = m_buf.topRows(m_fill);
        auto svd = detail::make_thin_bdcsvd(Bf);
        const auto& s = svd.singularValues();
        const Index r = s.size();
        const Scalar delta = r >= m_ell ? s(m_ell - 1) * s(m_ell - 1) : Scalar(0);
        m_buf.setZero();
        Index keep = 0;
        for (Index i = 0; i < std::min(r, m_ell); ++i) {
            const Scalar si = std::sqrt(std::max(s(i) * s(i) - delta, Scalar(0)));
            if (si > Scalar(0)) m_buf.row(keep++) = si * svd.matrixV().col(i).transpose();
        }
        m_fill = keep;
        m_shrink += static_cast<double>(delta);
    }

    Index m_ell;
    Index m_d;
    // Mutable: sketch() const may compact the buffer (see there).
    mutable Mat m_buf;
    mutable Index m_fill = 0;
    Index m_seen = 0;
    mutable double m_shrink = 0;
};

}  // namespace subspace
