/// \file subspace/projection/angles.hpp
/// \brief Principal angles between subspaces, Grassmann distances, the Grassmann exponential and
/// logarithm maps, geodesics, the Karcher (Fréchet) mean of subspaces, retractions and tangent
/// projection for Riemannian SGD, and Grassmann class logits.
///
/// Columns are points; a basis is a d x p matrix with orthonormal columns. Functions taking
/// "spanning sets" orthonormalize them with the rank-revealing SVD of Subspace.
///
/// Papers:
/// - Å. Björck, G. H. Golub, "Numerical methods for computing angles between linear subspaces",
///   Math. Comp. 27 (1973): cos θ_i are the singular values of Q_Aᵀ Q_B (§3, Theorem 1), and
///   sin θ_i those of (I − Q_A Q_Aᵀ) Q_B (eq. 13), used for θ < π/4 where the cosine loses all
///   digits (as in A. V. Knyazev, M. E. Argentati, "Principal angles between subspaces in an
///   A-based scalar product", SISC 23, 2002, Algorithm 3.1, and scipy.linalg.subspace_angles).
/// - A. Edelman, T. A. Arias, S. T. Smith, "The geometry of algorithms with orthogonality
///   constraints", SIMAX 20 (1998): geodesic Y(t) = U V cos(Σt) Vᵀ + Q sin(Σt) Vᵀ with
///   H = Q Σ Vᵀ (Theorem 2.3, eq. 2.65), arc-length distance ‖θ‖₂ (§4.3, Table 4.3).
/// - T. Bendokat, R. Zimmermann, P.-A. Absil, "A Grassmann manifold handbook: basic geometry and
///   computational aspects", Adv. Comput. Math. 50 (2024) (arXiv 2011.13699): logarithm map,
///   Algorithm 5.3 (Procrustes-aligned representative, then SVD of (I − UUᵀ)Y*).
/// - K. Ye, L.-H. Lim, "Schubert varieties and distances between subspaces of different
///   dimensions", SIMAX 37 (2016), Table 2: the distance formulas in GrassmannMetric.
/// - H. Karcher, "Riemannian center of mass and mollifier smoothing", CPAM 30 (1977); the mean is
///   computed by Riemannian gradient descent with unit step (P.-A. Absil, R. Mahony,
///   R. Sepulchre, "Optimization algorithms on matrix manifolds", 2008, §4.1 and §4.1.2 for the
///   QR and polar retractions).
/// - H. Wang, et al., "Get the best of both worlds: improving accuracy and transferability by
///   Grassmann class representation", ICCV 2023: each class is a subspace S_c and the logit of a
///   feature x is ‖S_cᵀ x‖ (eq. 3); training by Riemannian SGD with a retraction (Algorithm 1).
#pragma once

#include <algorithm>
#include <cmath>
#include <vector>

#include <Eigen/Core>
#include <Eigen/Eigenvalues>
#include <Eigen/QR>

#include "subspace/core/config.hpp"
#include "subspace/core/error.hpp"
#include "subspace/detail/eigen_compat.hpp"
#include "subspace/projection/subspace.hpp"

namespace subspace {

/// Distances on the Grassmannian from the principal angles θ_1..θ_k (Ye & Lim 2016, Table 2;
/// Edelman, Arias & Smith 1998, Table 4.3). For subspaces of different dimensions the
/// k = min(p, q) angles are used.
enum class GrassmannMetric {
    geodesic,      ///< arc length (Grassmann geodesic) ‖θ‖₂ (default)
    chordal,       ///< chordal = projection Frobenius: ‖sin θ‖₂ = ‖P_A − P_B‖_F / √2
    projection,    ///< projection 2-norm: sin θ_max = ‖P_A − P_B‖₂
    binet_cauchy,  ///< Binet–Cauchy: sqrt(1 − Π cos² θ_i)
    fubini_study,  ///< Fubini–Study: arccos(Π cos θ_i)
    procrustes,    ///< Procrustes (chordal Frobenius): 2 ‖sin(θ/2)‖₂
    spectral,      ///< spectral (chordal 2-norm): 2 sin(θ_max / 2)
    asimov         ///< Asimov: θ_max
};

/// How grassmann_retract() maps a tangent step back to the manifold (Absil et al. 2008, §4.1.1).
enum class Retraction {
    qr,    ///< Q factor of U + H (with positive diagonal of R)
    polar  ///< polar factor (U + H)((U + H)ᵀ(U + H))^{-1/2}
};

namespace detail {

template <class Derived>
Matrix<typename Derived::Scalar> spanning_basis(const char* fn, const char* arg,
                                                const Eigen::MatrixBase<Derived>& M) {
    using Scalar = typename Derived::Scalar;
    if (M.rows() <= 0) throw_invalid(fn, arg, "at least one row", shape_text(M.rows(), M.cols()));
    check_finite(fn, arg, M);
    return range_basis<Scalar>(M.derived().eval(), -1.0);
}

template <class Derived>
Matrix<typename Derived::Scalar> checked_basis(const char* fn, const char* arg,
                                               const Eigen::MatrixBase<Derived>& U) {
    using Scalar = typename Derived::Scalar;
    check_not_empty(fn, arg, U.rows(), U.cols());
    check_finite(fn, arg, U);
    Matrix<Scalar> B = U;
    check_orthonormal<Scalar>(fn, arg, B);
    if (B.cols() > B.rows())
        throw_invalid(fn, arg, "at most as many columns as rows", shape_text(B.rows(), B.cols()));
    return B;
}

/// Principal angles (ascending) between the spans of two orthonormal bases.
template <class Scalar>
Vector<Scalar> angles_of_bases(const Matrix<Scalar>& QA0, const Matrix<Scalar>& QB0) {
    // A has the larger dimension; the k = dim(B) sines are the singular values of (I − AAᵀ)B.
    const bool swap = QA0.cols() < QB0.cols();
    const Matrix<Scalar>& A = swap ? QB0 : QA0;
    const Matrix<Scalar>& B = swap ? QA0 : QB0;
    const Index k = B.cols();
    Vector<Scalar> theta(k);
    if (k == 0) return theta;
    const Matrix<Scalar> C = A.transpose() * B;
    const Vector<Scalar> c = singular_values(C);
    Matrix<Scalar> R = B;
    R.noalias() -= A * C;
    {
        const Matrix<Scalar> C2 = A.transpose() * R;  // second Gram–Schmidt pass
        R.noalias() -= A * C2;
    }
    Vector<Scalar> s = Vector<Scalar>::Zero(k);
    bool need_sines = false;
    for (Index i = 0; i < k; ++i) need_sines = need_sines || c(i) * c(i) >= Scalar(0.5);
    if (need_sines) {
        const Vector<Scalar> sv = singular_values(R);
        for (Index i = 0; i < std::min<Index>(k, sv.size()); ++i) s(i) = sv(i);
    }
    for (Index i = 0; i < k; ++i) {
        const Scalar ci = c(i);
        if (ci * ci >= Scalar(0.5)) {
            theta(i) = std::asin(std::min(Scalar(1), s(k - 1 - i)));
        } else {
            theta(i) = std::acos(std::min(Scalar(1), std::max(Scalar(-1), ci)));
        }
    }
    std::sort(theta.data(), theta.data() + k);
    return theta;
}

template <class Scalar>
double distance_from_angles(const Vector<Scalar>& theta, GrassmannMetric metric) {
    double sum_sq = 0.0, sin_sq = 0.0, half_sin_sq = 0.0, prod_cos = 1.0, max_t = 0.0;
    for (Index i = 0; i < theta.size(); ++i) {
        const double t = static_cast<double>(theta(i));
        sum_sq += t * t;
        sin_sq += std::sin(t) * std::sin(t);
        half_sin_sq += std::sin(t / 2) * std::sin(t / 2);
        prod_cos *= std::cos(t);
        max_t = std::max(max_t, t);
    }
    switch (metric) {
        case GrassmannMetric::chordal:
            return std::sqrt(sin_sq);
        case GrassmannMetric::projection:
            return std::sin(max_t);
        case GrassmannMetric::binet_cauchy:
            return std::sqrt(std::max(0.0, 1.0 - prod_cos * prod_cos));
        case GrassmannMetric::fubini_study:
            return std::acos(std::min(1.0, std::max(-1.0, prod_cos)));
        case GrassmannMetric::procrustes:
            return 2.0 * std::sqrt(half_sin_sq);
        case GrassmannMetric::spectral:
            return 2.0 * std::sin(max_t / 2);
        case GrassmannMetric::asimov:
            return max_t;
        case GrassmannMetric::geodesic:
        default:
            return std::sqrt(sum_sq);
    }
}

template <class Scalar>
Matrix<Scalar> exp_impl(const Matrix<Scalar>& U, const Matrix<Scalar>& H) {
    auto svd = make_thin_bdcsvd(H);
    const Vector<Scalar>& s = svd.singularValues();
    const Matrix<Scalar>& Q = svd.matrixU();
    const Matrix<Scalar>& V = svd.matrixV();
    const Vector<Scalar> cs = s.array().cos().matrix();
    const Vector<Scalar> sn = s.array().sin().matrix();
    Matrix<Scalar> Y = (U * V) * cs.asDiagonal() * V.transpose();
    Y.noalias() += Q * sn.asDiagonal() * V.transpose();
    // One polar-like cleanup keeps UᵀU = I to working precision after many steps (the result is
    // orthonormal in exact arithmetic, so this changes it by O(ε) only).
    const Matrix<Scalar> G = Y.transpose() * Y;
    Eigen::SelfAdjointEigenSolver<Matrix<Scalar>> es(G);
    const Vector<Scalar> inv_sqrt = es.eigenvalues().array().max(Scalar(0)).sqrt().inverse();
    return Y * (es.eigenvectors() * inv_sqrt.asDiagonal() * es.eigenvectors().transpose());
}

template <class Scalar>
Matrix<Scalar> log_impl(const Matrix<Scalar>& U, const Matrix<Scalar>& Y) {
    // Bendokat, Zimmermann & Absil, Algorithm 5.3: align Y to U by Procrustes, then the SVD of
    // the component orthogonal to U gives the sines; the cosines come from Uᵀ Y* (atan2 keeps
    // full accuracy for angles near 0 and near π/2).
    const Matrix<Scalar> YtU = Y.transpose() * U;
    auto s1 = make_thin_bdcsvd(YtU);
    const Matrix<Scalar> Ystar = Y * (s1.matrixU() * s1.matrixV().transpose());
    Matrix<Scalar> P = Ystar;
    for (int pass = 0; pass < 2; ++pass) {
        const Matrix<Scalar> C = U.transpose() * P;
        P.noalias() -= U * C;
    }
    auto s2 = make_thin_bdcsvd(P);
    const Vector<Scalar>& sn = s2.singularValues();
    const Matrix<Scalar>& Qh = s2.matrixU();
    const Matrix<Scalar>& Rh = s2.matrixV();
    const Matrix<Scalar> UtYR = U.transpose() * (Ystar * Rh);
    Vector<Scalar> sigma(sn.size());
    for (Index i = 0; i < sn.size(); ++i) sigma(i) = std::atan2(sn(i), UtYR.col(i).norm());
    return Qh * sigma.asDiagonal() * Rh.transpose();
}

template <class Scalar>
void check_tangent(const char* fn, const Matrix<Scalar>& U, const Matrix<Scalar>& H) {
    check_shape(fn, "H", H.rows(), H.cols(), U.rows(), U.cols());
    check_finite(fn, "H", H);
    const Scalar off = (U.transpose() * H).cwiseAbs().maxCoeff();
    const Scalar tol = Scalar(1000) * Eigen::NumTraits<Scalar>::epsilon() *
                       std::max(Scalar(1), H.cwiseAbs().maxCoeff());
    if (!(off <= tol))
        throw_invalid(fn, "H", "a tangent vector at U (Uᵀ H = 0)", "max |Uᵀ H| = " + to_text(off));
}

}  // namespace detail

/// Principal angles θ_1 <= ... <= θ_k in [0, π/2] between span(A) and span(B).
///
/// A (d x p) and B (d x q) are spanning sets (orthonormalized inside with the rank-revealing SVD
/// of Subspace, so dependent columns are dropped); k = min(rank A, rank B). Cosines are the
/// singular values of Q_Aᵀ Q_B; for θ < π/4 the angle is taken from the sines, the singular
/// values of (I − Q_A Q_Aᵀ) Q_B (Björck & Golub 1973), so that angles near 0 are accurate to
/// O(ε) absolute (1e-10 rad comes out as 1e-10 to ~1e-16) and π/2 is exact to O(ε).
/// Cost: O(d (p² + q²) + d p q). Symmetric in A and B.
/// \throws invalid_argument if A or B has no rows, the row counts differ, or an entry is not
///         finite.
template <class DA, class DB>
Vector<typename DA::Scalar> principal_angles(const Eigen::MatrixBase<DA>& A,
                                             const Eigen::MatrixBase<DB>& B) {
    using Scalar = typename DA::Scalar;
    static_assert(std::is_same<Scalar, typename DB::Scalar>::value,
                  "principal_angles: A and B must have the same scalar type");
    const char* fn = "subspace::principal_angles";
    detail::check_rows(fn, "B", B.rows(), A.rows(), "the rows of A");
    return detail::angles_of_bases<Scalar>(detail::spanning_basis(fn, "A", A),
                                           detail::spanning_basis(fn, "B", B));
}

/// Principal angles between two Subspace objects (their bases are used as they are).
/// \throws invalid_argument if the ambient dimensions differ.
template <class Scalar>
Vector<Scalar> principal_angles(const Subspace<Scalar>& A, const Subspace<Scalar>& B) {
    if (A.ambient_dim() != B.ambient_dim())
        detail::throw_invalid("subspace::principal_angles", "B",
                              "a subspace of R^" + detail::to_text(A.ambient_dim()),
                              "a subspace of R^" + detail::to_text(B.ambient_dim()));
    return detail::angles_of_bases<Scalar>(A.basis(), B.basis());
}

/// A Grassmann distance computed from given principal angles θ (see GrassmannMetric). O(k).
/// \throws invalid_argument if an angle is not finite or outside [0, π/2] (up to 1e-6).
template <class Derived>
double grassmann_distance_from_angles(const Eigen::MatrixBase<Derived>& theta,
                                      GrassmannMetric metric = GrassmannMetric::geodesic) {
    using Scalar = typename Derived::Scalar;
    const char* fn = "subspace::grassmann_distance_from_angles";
    detail::check_finite(fn, "theta", theta);
    const double half_pi = 1.5707963267948966;
    for (Index i = 0; i < theta.size(); ++i)
        if (static_cast<double>(theta(i)) < -1e-6 || static_cast<double>(theta(i)) > half_pi + 1e-6)
            detail::throw_invalid(fn, "theta", "angles in [0, π/2]", detail::to_text(theta(i)));
    return detail::distance_from_angles<Scalar>(Vector<Scalar>(theta), metric);
}

/// Distance between span(A) and span(B) on the Grassmannian (default: geodesic arc length
/// ‖θ‖₂). A (d x p), B (d x q) are spanning sets as in principal_angles(); for p ≠ q the
/// min(p, q) principal angles are used. Same cost as principal_angles().
/// \throws invalid_argument as principal_angles().
template <class DA, class DB>
double grassmann_distance(const Eigen::MatrixBase<DA>& A, const Eigen::MatrixBase<DB>& B,
                          GrassmannMetric metric = GrassmannMetric::geodesic) {
    using Scalar = typename DA::Scalar;
    return detail::distance_from_angles<Scalar>(principal_angles(A, B), metric);
}

/// Grassmann exponential map: the point reached from span(U) along the geodesic with initial
/// velocity H, Exp_U(H) = U V cos Σ Vᵀ + Q sin Σ Vᵀ with H = Q Σ Vᵀ (Edelman et al. 1998,
/// Theorem 2.3). U is a d x p orthonormal basis and H a d x p tangent vector (Uᵀ H = 0).
/// Returns a d x p orthonormal basis. Cost O(d p²).
/// \throws invalid_argument if U is empty, not orthonormal, has more columns than rows, H has
///         another shape, an entry is not finite, or |Uᵀ H| > 1000 ε max(1, |H|).
template <class DU, class DH>
Matrix<typename DU::Scalar> grassmann_exp(const Eigen::MatrixBase<DU>& U,
                                          const Eigen::MatrixBase<DH>& H) {
    using Scalar = typename DU::Scalar;
    const char* fn = "subspace::grassmann_exp";
    const Matrix<Scalar> Ub = detail::checked_basis(fn, "U", U);
    const Matrix<Scalar> Hm = H;
    detail::check_tangent<Scalar>(fn, Ub, Hm);
    return detail::exp_impl<Scalar>(Ub, Hm);
}

/// Grassmann logarithm map: the tangent vector H at span(U) (d x p, Uᵀ H = 0) with
/// Exp_U(H) = span(Y) and ‖H‖_F = geodesic distance (Bendokat, Zimmermann & Absil, Algorithm
/// 5.3). U and Y are d x p orthonormal bases. When some principal angle equals π/2 the point is
/// on the cut locus and the returned H (singular value π/2) is one of several minimal ones.
/// Cost O(d p²).
/// \throws invalid_argument if a basis is empty, not orthonormal, the shapes differ or an entry
///         is not finite.
template <class DU, class DY>
Matrix<typename DU::Scalar> grassmann_log(const Eigen::MatrixBase<DU>& U,
                                          const Eigen::MatrixBase<DY>& Y) {
    using Scalar = typename DU::Scalar;
    const char* fn = "subspace::grassmann_log";
    const Matrix<Scalar> Ub = detail::checked_basis(fn, "U", U);
    detail::check_shape(fn, "Y", Y.rows(), Y.cols(), Ub.rows(), Ub.cols());
    const Matrix<Scalar> Yb = detail::checked_basis(fn, "Y", Y);
    return detail::log_impl<Scalar>(Ub, Yb);
}

/// Point at time t on the geodesic from span(U) (t = 0) to span(Y) (t = 1):
/// Exp_U(t Log_U(Y)), a d x p orthonormal basis. Cost O(d p²).
/// \throws invalid_argument as grassmann_log(), or if t is not finite.
template <class DU, class DY>
Matrix<typename DU::Scalar> grassmann_geodesic(const Eigen::MatrixBase<DU>& U,
                                               const Eigen::MatrixBase<DY>& Y, double t) {
    using Scalar = typename DU::Scalar;
    detail::check_finite_scalar("subspace::grassmann_geodesic", "t", t);
    const Matrix<Scalar> Ub = detail::checked_basis("subspace::grassmann_geodesic", "U", U);
    const Matrix<Scalar> H = grassmann_log(Ub, Y);
    return detail::exp_impl<Scalar>(Ub, Matrix<Scalar>(static_cast<Scalar>(t) * H));
}

/// Projection of an ambient d x p matrix G (e.g. a Euclidean gradient) onto the tangent space at
/// span(U): (I − U Uᵀ) G, the Riemannian gradient on the Grassmannian. O(d p²).
/// \throws invalid_argument if U is not an orthonormal basis or G has another shape.
template <class DU, class DG>
Matrix<typename DU::Scalar> grassmann_tangent(const Eigen::MatrixBase<DU>& U,
                                              const Eigen::MatrixBase<DG>& G) {
    using Scalar = typename DU::Scalar;
    const char* fn = "subspace::grassmann_tangent";
    const Matrix<Scalar> Ub = detail::checked_basis(fn, "U", U);
    detail::check_shape(fn, "G", G.rows(), G.cols(), Ub.rows(), Ub.cols());
    detail::check_finite(fn, "G", G);
    Matrix<Scalar> T = G;
    const Matrix<Scalar> C = Ub.transpose() * T;
    T.noalias() -= Ub * C;
    return T;
}

/// Retraction R_U(H) of a step H at span(U) back to an orthonormal basis (Absil et al. 2008,
/// §4.1.1): the Q factor of U + H with positive diag(R), or its polar factor
/// (U + H)((U + H)ᵀ(U + H))^{-1/2}. Both agree with Exp_U(H) to second order; the polar factor is
/// also the closest orthonormal matrix to U + H. A Riemannian SGD step (as in Grassmann class
/// representation, Wang et al. 2023) is U ← R_U(−η grassmann_tangent(U, ∇f)). O(d p²).
/// \throws invalid_argument if U is not an orthonormal basis, H has another shape, an entry is
///         not finite, or U + H is rank deficient.
template <class DU, class DH>
Matrix<typename DU::Scalar> grassmann_retract(const Eigen::MatrixBase<DU>& U,
                                              const Eigen::MatrixBase<DH>& H,
                                              Retraction method = Retraction::qr) {
    using Scalar = typename DU::Scalar;
    const char* fn = "subspace::grassmann_retract";
    const Matrix<Scalar> Ub = detail::checked_basis(fn, "U", U);
    detail::check_shape(fn, "H", H.rows(), H.cols(), Ub.rows(), Ub.cols());
    detail::check_finite(fn, "H", H);
    const Matrix<Scalar> M = Ub + H;
    const Index p = M.cols();
    const Scalar eps = Eigen::NumTraits<Scalar>::epsilon();
    if (method == Retraction::polar) {
        const Matrix<Scalar> G = M.transpose() * M;
        Eigen::SelfAdjointEigenSolver<Matrix<Scalar>> es(G);
        const auto& ev = es.eigenvalues();
        if (!(ev(0) > Scalar(100) * eps * ev(p - 1)))
            detail::throw_invalid(fn, "H", "a step with U + H of full column rank",
                                  "a rank-deficient U + H");
        const Vector<Scalar> inv_sqrt = ev.array().sqrt().inverse();
        return M * (es.eigenvectors() * inv_sqrt.asDiagonal() * es.eigenvectors().transpose());
    }
    Eigen::HouseholderQR<Matrix<Scalar>> qr(M);
    const Matrix<Scalar> R = qr.matrixQR().topRows(p).template triangularView<Eigen::Upper>();
    const Scalar rmax = R.diagonal().cwiseAbs().maxCoeff();
    if (!(R.diagonal().cwiseAbs().minCoeff() > Scalar(100) * eps * rmax))
        detail::throw_invalid(fn, "H", "a step with U + H of full column rank",
                              "a rank-deficient U + H");
    Matrix<Scalar> Q = Matrix<Scalar>::Identity(M.rows(), p);
    Q.applyOnTheLeft(qr.householderQ());
    for (Index j = 0; j < p; ++j)
        if (R(j, j) < Scalar(0)) Q.col(j) = -Q.col(j);
    return Q;
}

/// Options of karcher_mean().
struct KarcherOptions {
    /// Stop when the norm of the Riemannian gradient ‖(1/m) Σ w_i Log_X(U_i)‖_F falls below this;
    /// 0 (default) means 1000 ε of the scalar type.
    double tolerance = 0.0;
    /// Largest number of gradient steps (default 100).
    Index max_iterations = 100;
};

/// Result of karcher_mean().
template <class Scalar>
struct KarcherResult {
    Matrix<Scalar> basis;        ///< d x p orthonormal basis of the mean subspace
    Index iterations = 0;        ///< gradient steps taken
    bool converged = false;      ///< gradient norm below the tolerance
    double gradient_norm = 0.0;  ///< final ‖gradient‖_F
};

/// Karcher (Riemannian centre of mass) mean of subspaces of equal dimension p: the minimiser of
/// Σ_i w_i d_geo(X, U_i)² (Karcher 1977), by Riemannian gradient descent with unit step
/// X ← Exp_X(Σ w_i Log_X(U_i) / Σ w_i), started from the extrinsic (projection) mean, the
/// dominant p-dimensional eigenspace of Σ w_i U_i U_iᵀ. Each U_i is a d x p_i spanning set
/// (orthonormalized; every rank must be the same p). The mean is unique when all subspaces lie
/// in a geodesic ball of radius < π/4. Cost per step O(m d p²); start O(m d² p + d³).
/// \param subspaces m >= 1 spanning sets of equal rank.
/// \param weights   empty (equal weights) or m non-negative weights with positive sum.
/// \throws invalid_argument on an empty list, different row counts or ranks, rank 0, non-finite
///         entries, bad weights, negative tolerance or max_iterations < 1.
template <class Scalar>
KarcherResult<Scalar> karcher_mean(const std::vector<Matrix<Scalar>>& subspaces,
                                   const std::vector<double>& weights = {},
                                   const KarcherOptions& opts = {}) {
    const char* fn = "subspace::karcher_mean";
    if (subspaces.empty()) detail::throw_invalid(fn, "subspaces", "a non-empty list", "0 entries");
    detail::check_nonnegative(fn, "tolerance", opts.tolerance);
    detail::check_positive(fn, "max_iterations", opts.max_iterations);
    const std::size_t m = subspaces.size();
    std::vector<double> w = weights;
    if (w.empty()) w.assign(m, 1.0);
    if (w.size() != m)
        detail::throw_invalid(fn, "weights", "empty or " + detail::to_text(m) + " entries",
                              detail::to_text(w.size()) + " entries");
    double wsum = 0.0;
    for (double x : w) {
        detail::check_nonnegative(fn, "weights", x);
        wsum += x;
    }
    if (!(wsum > 0.0))
        detail::throw_invalid(fn, "weights", "a positive sum", detail::to_text(wsum));
    const Index d = subspaces[0].rows();
    std::vector<Matrix<Scalar>> B(m);
    for (std::size_t i = 0; i < m; ++i) {
        detail::check_rows(fn, "subspaces", subspaces[i].rows(), d, "the rows of subspaces[0]");
        B[i] = detail::spanning_basis(fn, "subspaces", subspaces[i]);
        if (B[i].cols() == 0)
            detail::throw_invalid(fn, "subspaces", "spanning sets of positive rank",
                                  "a zero spanning set at index " + detail::to_text(i));
        if (B[i].cols() != B[0].cols())
            detail::throw_invalid(fn, "subspaces", "spanning sets of equal rank",
                                  "ranks " + detail::to_text(B[0].cols()) + " and " +
                                      detail::to_text(B[i].cols()) + " (index " +
                                      detail::to_text(i) + ")");
    }
    const Index p = B[0].cols();
    const double tol = opts.tolerance > 0.0
                           ? opts.tolerance
                           : 1000.0 * static_cast<double>(Eigen::NumTraits<Scalar>::epsilon());
    // Extrinsic start: dominant eigenspace of Σ w_i U_i U_iᵀ.
    Matrix<Scalar> S = Matrix<Scalar>::Zero(d, d);
    for (std::size_t i = 0; i < m; ++i)
        S.noalias() += static_cast<Scalar>(w[i] / wsum) * B[i] * B[i].transpose();
    Eigen::SelfAdjointEigenSolver<Matrix<Scalar>> es(S);
    KarcherResult<Scalar> out;
    out.basis = es.eigenvectors().rightCols(p);
    for (Index it = 0; it < opts.max_iterations; ++it) {
        Matrix<Scalar> G = Matrix<Scalar>::Zero(d, p);
        for (std::size_t i = 0; i < m; ++i)
            if (w[i] > 0.0)
                G += static_cast<Scalar>(w[i] / wsum) * detail::log_impl<Scalar>(out.basis, B[i]);
        out.gradient_norm = static_cast<double>(G.norm());
        if (out.gradient_norm <= tol) {
            out.converged = true;
            break;
        }
        out.basis = detail::exp_impl<Scalar>(out.basis, G);
        out.iterations = it + 1;
    }
    return out;
}

/// Grassmann class logits (Wang et al. 2023, eq. 3): logits(c, j) = ‖U_cᵀ x_j‖, the norm of the
/// projection of feature x_j onto class subspace c. `bases` holds C orthonormal d x p_c bases;
/// X is d x n (columns are features). Returns C x n. Cost O(n d Σ p_c).
/// \throws invalid_argument on an empty list, a basis that is not orthonormal, row counts that
///         differ from X, or non-finite entries.
template <class Scalar, class DX>
Matrix<Scalar> class_logits(const std::vector<Matrix<Scalar>>& bases,
                            const Eigen::MatrixBase<DX>& X) {
    const char* fn = "subspace::class_logits";
    if (bases.empty()) detail::throw_invalid(fn, "bases", "a non-empty list", "0 entries");
    detail::check_finite(fn, "X", X);
    Matrix<Scalar> L(static_cast<Index>(bases.size()), X.cols());
    for (std::size_t c = 0; c < bases.size(); ++c) {
        detail::check_rows(fn, "bases", bases[c].rows(), X.rows(), "the rows of X");
        const Matrix<Scalar> U = detail::checked_basis(fn, "bases", bases[c]);
        L.row(static_cast<Index>(c)) = (U.transpose() * X).colwise().norm();
    }
    return L;
}

}  // namespace subspace
