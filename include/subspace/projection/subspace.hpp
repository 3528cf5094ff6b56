/// \file subspace/projection/subspace.hpp
/// \brief `Subspace<Scalar>`: a linear subspace of R^d held as an orthonormal basis, built from
/// any spanning set by a rank-revealing SVD; orthogonal projection, residuals and distances of
/// points, the explicit projector, orthogonal complement, sum and intersection of subspaces.
///
/// Columns are points: a data set X is d x n and a basis is a d x r matrix with orthonormal
/// columns. The rank decision follows the numerical-rank rule of Golub & Van Loan, "Matrix
/// Computations" (4th ed., 2013), §5.4.1: singular values σ_i <= tol · σ_1 are treated as zero,
/// with the default tol = max(d, n) ε. The intersection of two subspaces is spanned by the
/// principal vectors of zero principal angle (Björck & Golub, "Numerical methods for computing
/// angles between linear subspaces", Math. Comp. 27, 1973, §3, Theorem 1), decided on the sines of
/// the angles so that it is accurate for nearly coincident directions.
#pragma once

#include <algorithm>
#include <cmath>
#include <limits>

#include <Eigen/Core>
#include <Eigen/QR>
#include <Eigen/SVD>

#include "subspace/core/config.hpp"
#include "subspace/core/error.hpp"
#include "subspace/detail/eigen_compat.hpp"

namespace subspace {

namespace detail {

/// Default relative rank tolerance max(rows, cols) ε of a rows x cols spanning set.
template <class Scalar>
double default_rank_tolerance(Index rows, Index cols) {
    return static_cast<double>(std::max(rows, cols)) *
           static_cast<double>(Eigen::NumTraits<Scalar>::epsilon());
}

/// Rank-revealing orthonormal basis of range(M): the left singular vectors of M whose singular
/// values exceed rtol · σ_max (rtol < 0: the default max(d, n) ε). Returns d x r, r may be 0.
template <class Scalar>
Matrix<Scalar> range_basis(const Eigen::Ref<const Matrix<Scalar>>& M, double rtol) {
    const Index d = M.rows();
    if (M.cols() == 0 || d == 0) return Matrix<Scalar>(d, 0);
    if (rtol < 0.0) rtol = default_rank_tolerance<Scalar>(M.rows(), M.cols());
    const Matrix<Scalar> A = M;
    auto svd = make_thin_bdcsvd(A);
    const auto& s = svd.singularValues();
    const Scalar smax = s.size() > 0 ? s(0) : Scalar(0);
    Index r = 0;
    if (smax > Scalar(0))
        while (r < s.size() && s(r) > static_cast<Scalar>(rtol) * smax) ++r;
    return svd.matrixU().leftCols(r);
}

/// Checks that U (d x r) has orthonormal columns to a tolerance of 100 ε √r · max(1, r).
template <class Scalar>
void check_orthonormal(const char* fn, const char* arg, const Eigen::Ref<const Matrix<Scalar>>& U) {
    if (U.cols() == 0) return;
    const Matrix<Scalar> G = U.transpose() * U;
    const Scalar err = (G - Matrix<Scalar>::Identity(U.cols(), U.cols())).cwiseAbs().maxCoeff();
    const Scalar tol = Scalar(100) * Eigen::NumTraits<Scalar>::epsilon() *
                       static_cast<Scalar>(std::max<Index>(1, U.cols()));
    if (!(err <= tol))
        throw_invalid(fn, arg, "a matrix with orthonormal columns (UᵀU = I)",
                      "max |UᵀU − I| = " + to_text(err));
}

/// Full orthogonal complement of range(U) for orthonormal U (d x r): d x (d − r).
template <class Scalar>
Matrix<Scalar> complement_basis(const Eigen::Ref<const Matrix<Scalar>>& U) {
    const Index d = U.rows();
    const Index r = U.cols();
    if (r == 0) return Matrix<Scalar>::Identity(d, d);
    Eigen::HouseholderQR<Matrix<Scalar>> qr(U);
    Matrix<Scalar> Q = Matrix<Scalar>::Identity(d, d);
    Q.applyOnTheLeft(qr.householderQ());
    return Q.rightCols(d - r);
}

}  // namespace detail

/// A linear subspace of R^d, stored as a d x r basis with orthonormal columns (r may be 0).
///
/// Columns are points: every `X` below is d x n. Only the basis U (O(d r) memory) is stored;
/// the projector P = U Uᵀ is formed only by projector().
///
/// \code
/// Eigen::MatrixXd span(5, 3);                  // three spanning vectors, possibly dependent
/// subspace::Subspace<double> S(span);          // rank-revealing: S.dim() = rank(span)
/// Eigen::MatrixXd R = S.residual(X);           // (I − U Uᵀ) X
/// \endcode
template <class Scalar_>
class Subspace {
public:
    using Scalar = Scalar_;
    using Mat = Matrix<Scalar>;
    using Vec = Vector<Scalar>;

    /// The zero subspace of R^0.
    Subspace() = default;

    /// Subspace spanned by the columns of `spanning` (d x m, any dense expression).
    ///
    /// The basis is the left singular vectors of `spanning` whose singular values exceed
    /// rtol · σ_max: dependent or (numerically) zero columns are dropped, not rejected, and an
    /// all-zero spanning set gives the zero subspace (dim() = 0). Cost: one thin SVD,
    /// O(d m min(d, m)).
    /// \param spanning d x m spanning set, d >= 1, m >= 0.
    /// \param rtol     relative rank tolerance; negative (default) means max(d, m) ε.
    /// \throws invalid_argument if d = 0, or a non-finite entry, or rtol >= 1.
    template <class Derived>
    explicit Subspace(const Eigen::MatrixBase<Derived>& spanning, double rtol = -1.0) {
        static_assert(std::is_same<typename Derived::Scalar, Scalar>::value,
                      "Subspace: spanning set must have the subspace's scalar type");
        const char* fn = "subspace::Subspace";
        if (spanning.rows() <= 0)
            detail::throw_invalid(fn, "spanning", "at least one row (ambient dimension d >= 1)",
                                  detail::shape_text(spanning.rows(), spanning.cols()));
        if (!(rtol < 1.0) || std::isnan(rtol))
            detail::throw_invalid(fn, "rtol", "below 1 (negative: default)", detail::to_text(rtol));
        detail::check_finite(fn, "spanning", spanning);
        m_U = detail::range_basis<Scalar>(spanning.derived().eval(), rtol);
    }

    /// Subspace whose basis is the given matrix with orthonormal columns, taken as is (no
    /// factorization). O(d r²) for the check.
    /// \throws invalid_argument if U has no rows, a non-finite entry, or columns that are not
    ///         orthonormal to 100 ε r.
    template <class Derived>
    static Subspace from_basis(const Eigen::MatrixBase<Derived>& U) {
        const char* fn = "subspace::Subspace::from_basis";
        if (U.rows() <= 0)
            detail::throw_invalid(fn, "U", "at least one row",
                                  detail::shape_text(U.rows(), U.cols()));
        detail::check_finite(fn, "U", U);
        Subspace S;
        S.m_U = U;
        detail::check_orthonormal<Scalar>(fn, "U", S.m_U);
        return S;
    }

    /// The d x r orthonormal basis U.
    const Mat& basis() const noexcept { return m_U; }
    /// Dimension r of the subspace.
    Index dim() const noexcept { return m_U.cols(); }
    /// Ambient dimension d.
    Index ambient_dim() const noexcept { return m_U.rows(); }

    /// Coordinates Uᵀ X (r x n) of the points X (d x n) in the basis. O(d r n).
    /// \throws invalid_argument if X does not have d rows.
    template <class Derived>
    Mat coordinates(const Eigen::MatrixBase<Derived>& X) const {
        check_points("subspace::Subspace::coordinates", X);
        return m_U.transpose() * X;
    }

    /// Orthogonal projection U Uᵀ X (d x n) of the points X (d x n). O(d r n), P not formed.
    /// \throws invalid_argument if X does not have d rows.
    template <class Derived>
    Mat project(const Eigen::MatrixBase<Derived>& X) const {
        check_points("subspace::Subspace::project", X);
        const Mat C = m_U.transpose() * X;
        return m_U * C;
    }

    /// Residual (I − U Uᵀ) X (d x n) of the points X (d x n), computed as X − U (Uᵀ X) and
    /// re-orthogonalized once (two passes), so that it is accurate for points close to the
    /// subspace. O(d r n).
    /// \throws invalid_argument if X does not have d rows.
    template <class Derived>
    Mat residual(const Eigen::MatrixBase<Derived>& X) const {
        check_points("subspace::Subspace::residual", X);
        Mat R = X;
        for (int pass = 0; pass < 2; ++pass) {
            const Mat C = m_U.transpose() * R;
            R.noalias() -= m_U * C;
        }
        return R;
    }

    /// Euclidean distance ‖(I − U Uᵀ) x_j‖ of every point to the subspace (n-vector). O(d r n).
    /// \throws invalid_argument if X does not have d rows.
    template <class Derived>
    Vec distance(const Eigen::MatrixBase<Derived>& X) const {
        check_points("subspace::Subspace::distance", X);
        return residual(X).colwise().norm().transpose();
    }

    /// The explicit d x d orthogonal projector P = U Uᵀ (O(d² r) time, O(d²) memory).
    Mat projector() const { return m_U * m_U.transpose(); }

    /// Orthogonal complement (dimension d − r), from a full Householder QR of U. O(d² r + d³).
    Subspace complement() const {
        Subspace S;
        S.m_U = detail::complement_basis<Scalar>(m_U);
        return S;
    }

    /// Sum U + V = span of both bases (rank-revealing with relative tolerance rtol; negative:
    /// the default). O(d (r + s)²).
    /// \throws invalid_argument if the ambient dimensions differ.
    Subspace sum(const Subspace& other, double rtol = -1.0) const {
        check_same_ambient("subspace::Subspace::sum", other);
        Mat M(ambient_dim(), dim() + other.dim());
        M << m_U, other.m_U;
        Subspace S;
        S.m_U = detail::range_basis<Scalar>(M, rtol);
        return S;
    }

    /// Intersection U ∩ V: the principal vectors U y_i whose principal angle satisfies
    /// sin θ_i <= tol (Björck & Golub 1973), re-orthonormalized. Default tol (negative):
    /// 100 ε · max(1, sqrt(max(r, s))). O(d r s + d min(r, s)²).
    /// \throws invalid_argument if the ambient dimensions differ or tol >= 1.
    Subspace intersection(const Subspace& other, double tol = -1.0) const {
        const char* fn = "subspace::Subspace::intersection";
        check_same_ambient(fn, other);
        if (!(tol < 1.0) || std::isnan(tol))
            detail::throw_invalid(fn, "tol", "below 1 (negative: default)", detail::to_text(tol));
        Subspace S;
        S.m_U.resize(ambient_dim(), 0);
        if (dim() == 0 || other.dim() == 0) return S;
        if (tol < 0.0)
            tol = 100.0 * static_cast<double>(Eigen::NumTraits<Scalar>::epsilon()) *
                  std::max(1.0, std::sqrt(static_cast<double>(std::max(dim(), other.dim()))));
        // Work with the smaller basis as B: sines are the singular values of (I − AAᵀ)B.
        const Mat& A = dim() >= other.dim() ? m_U : other.m_U;
        const Mat& B = dim() >= other.dim() ? other.m_U : m_U;
        Mat R = B;
        for (int pass = 0; pass < 2; ++pass) {
            const Mat C = A.transpose() * R;
            R.noalias() -= A * C;
        }
        auto svd = detail::make_thin_bdcsvd(R);
        // Singular values decrease; the smallest sines are at the end.
        const auto& s = svd.singularValues();
        Index k = 0;
        while (k < s.size() && static_cast<double>(s(s.size() - 1 - k)) <= tol) ++k;
        if (k == 0) return S;
        const Mat W = B * svd.matrixV().rightCols(k);
        S.m_U = detail::range_basis<Scalar>(W, 0.5);
        return S;
    }

private:
    template <class Derived>
    void check_points(const char* fn, const Eigen::MatrixBase<Derived>& X) const {
        static_assert(std::is_same<typename Derived::Scalar, Scalar>::value,
                      "Subspace: points must have the subspace's scalar type");
        detail::check_rows(fn, "X", X.rows(), ambient_dim(), "the ambient dimension d");
    }
    void check_same_ambient(const char* fn, const Subspace& other) const {
        if (other.ambient_dim() != ambient_dim())
            detail::throw_invalid(fn, "other", "a subspace of R^" + detail::to_text(ambient_dim()),
                                  "a subspace of R^" + detail::to_text(other.ambient_dim()));
    }

    Mat m_U;
};

}  // namespace subspace
