/// \file subspace/projection/pca.hpp
/// \brief `Pca<Scalar>`: principal component analysis with full (SVD), covariance-eigh and
/// randomized solvers, dense or sparse input (sparse input is centred implicitly), whitening,
/// explained variance (ratio), per-point reconstruction error and probabilistic-PCA
/// log-likelihood (score_samples), and incremental fitting over batches.
///
/// Columns are points: X is d x n; components() is d x k with orthonormal columns (the basis of
/// the principal subspace); transform() returns k x n scores.
///
/// Papers:
/// - K. Pearson 1901; H. Hotelling 1933 (PCA); the SVD of the centred data (Golub & Van Loan
///   2013, §8.6) or the eigendecomposition of the covariance (O(d² n + d³), better when n >> d).
/// - N. Halko, P.-G. Martinsson, J. A. Tropp, "Finding structure with randomness", SIAM Review
///   53 (2011), Algorithms 4.4 + 5.1, applied to the implicitly centred operator X − μ1ᵀ (never
///   formed, so sparse input stays sparse), as scikit-learn's PCA(svd_solver="randomized").
/// - M. E. Tipping, C. M. Bishop, "Probabilistic principal component analysis", JRSS B 61 (1999),
///   eqs. (6)–(8) and (15)–(16): noise variance σ² = mean of the discarded eigenvalues, model
///   covariance C = W (Λ − σ² I) Wᵀ + σ² I, log-likelihood of a point under N(μ, C).
/// - D. A. Ross, J. Lim, R.-S. Lin, M.-H. Yang, "Incremental learning for robust visual
///   tracking", IJCV 77 (2008), §3.1 (sequential Karhunen–Loeve with mean update: SVD of
///   [U Σ, B − μ_B, sqrt(n m / (n + m)) (μ_A − μ_B)]), as scikit-learn's IncrementalPCA; the
///   total variance is updated with the pairwise formula of T. F. Chan, G. H. Golub, R. J. LeVeque,
///   "Updating formulae and a pairwise algorithm for computing sample variances", 1979.
/// - The anomaly score ‖(I − WWᵀ)(x − μ)‖² is the PCA baseline of reconstruction-based anomaly
///   detection (e.g. the EELS paper's PCA baseline).
#pragma once

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <limits>
#include <type_traits>

#include <Eigen/Core>
#include <Eigen/Eigenvalues>
#include <Eigen/QR>
#include <Eigen/SparseCore>

#include "subspace/core/config.hpp"
#include "subspace/core/error.hpp"
#include "subspace/detail/eigen_compat.hpp"
#include "subspace/lowrank/rsvd.hpp"

namespace subspace {

/// Which algorithm Pca::fit() uses.
enum class PcaSolver {
    automatic,        ///< covariance_eigh if d <= 1000 and n >= 10 d; else randomized if
                      ///< max(d, n) > 500 and a count k < 0.8 min(d, n); else full
    full,             ///< thin SVD (BDCSVD) of the centred data: O(d n min(d, n)), copies X
    covariance_eigh,  ///< eigendecomposition of the d x d covariance: O(d² n + d³), no copy of X
    randomized        ///< randomized SVD of the implicitly centred operator: O(d n k q)
};

/// Options of Pca.
struct PcaOptions {
    /// Solver (default automatic; see PcaSolver).
    PcaSolver solver = PcaSolver::automatic;
    /// Scale the scores to unit variance: transform() divides component i by sqrt(λ_i).
    bool whiten = false;
    /// Randomized solver: oversampling p (default 10).
    Index oversampling = 10;
    /// Randomized solver: power iterations, -1 = auto (7 when k < min(d, n) / 10, else 4).
    Index power_iterations = -1;
    /// Randomized solver: seed of the Gaussian test matrix.
    std::uint64_t seed = 0x5eed;
};

/// Principal component analysis of a d x n data set (columns are points).
///
/// \code
/// subspace::Pca<double> pca;
/// pca.fit(X, 10);                    // 10 components; pca.fit(X, 0.95) keeps 95% variance
/// Eigen::MatrixXd Z = pca.transform(X);           // 10 x n
/// Eigen::MatrixXd Xh = pca.inverse_transform(Z);  // d x n
/// \endcode
template <class Scalar_>
class Pca {
public:
    using Scalar = Scalar_;
    using Mat = Matrix<Scalar>;
    using Vec = Vector<Scalar>;
    using SparseMat = Eigen::SparseMatrix<Scalar>;

    explicit Pca(const PcaOptions& opts = {}) : m_opts(opts) {}

    /// Fits the model to X (d x n, dense expression or sparse matrix).
    ///
    /// `n_components` is either a count k (an integer, 1 <= k <= min(d, n)) or a fraction of the
    /// variance to keep (a floating-point value in (0, 1]: the smallest k whose explained
    /// variance ratio sums to at least it; needs the full or covariance_eigh solver). Sparse
    /// input is centred implicitly (randomized and covariance solvers), or densified and centred
    /// by the full solver (O(d n) memory). Cost: see PcaSolver. Resets incremental state: a
    /// later partial_fit() continues from this fit.
    /// \throws invalid_argument on empty X, n < 2, non-finite entries, n_components out of range,
    ///         a fraction with the randomized solver, bad randomized options.
    template <class XType, class N, std::enable_if_t<std::is_arithmetic<N>::value, int> = 0>
    Pca& fit(const XType& X, N n_components) {
        const char* fn = "subspace::Pca::fit";
        check_input(fn, X);
        const Index d = X.rows(), n = X.cols();
        if (n < 2)
            detail::throw_invalid(fn, "X", "at least 2 points (columns)", detail::to_text(n));
        Index k = 0;
        double fraction = 0.0;
        if constexpr (std::is_floating_point<N>::value) {
            const double f = static_cast<double>(n_components);
            if (!(f > 0.0 && f <= 1.0))
                detail::throw_invalid(fn, "n_components",
                                      "an integer count in [1, min(d, n)] or a variance fraction "
                                      "in (0, 1]",
                                      detail::to_text(f));
            fraction = f;
        } else {
            k = static_cast<Index>(n_components);
            detail::check_in_range(fn, "n_components", k, Index(1), std::min(d, n));
        }
        PcaSolver solver = m_opts.solver;
        if (solver == PcaSolver::automatic) {
            if (d <= 1000 && n >= 10 * d)
                solver = PcaSolver::covariance_eigh;
            else if (fraction == 0.0 && std::max(d, n) > 500 &&
                     static_cast<double>(k) < 0.8 * static_cast<double>(std::min(d, n)))
                solver = PcaSolver::randomized;
            else
                solver =
                    is_sparse<XType>() && d <= 1000 ? PcaSolver::covariance_eigh : PcaSolver::full;
        }
        if (solver == PcaSolver::randomized && fraction > 0.0)
            detail::throw_invalid(fn, "n_components", "an integer count with the randomized solver",
                                  "a variance fraction " + detail::to_text(fraction));
        if (solver == PcaSolver::randomized) {
            detail::check_nonnegative(fn, "oversampling", m_opts.oversampling);
            if (m_opts.power_iterations < -1)
                detail::throw_invalid(fn, "power_iterations", "-1 (auto) or non-negative",
                                      detail::to_text(m_opts.power_iterations));
        }
        reset();
        m_solver_used = solver;
        m_n_samples = n;
        m_mean = column_mean_of(X);
        m_sum_sq = sum_sq_deviation(X, m_mean);
        Vec values;  // variances λ_i (decreasing), all that the solver knows
        if (solver == PcaSolver::covariance_eigh) {
            Mat C = covariance(X, m_mean);
            Eigen::SelfAdjointEigenSolver<Mat> es(C);
            const Index m = std::min(d, n);
            values = es.eigenvalues().reverse().head(m).cwiseMax(Scalar(0));
            m_components = es.eigenvectors().rowwise().reverse().leftCols(m);
        } else if (solver == PcaSolver::full) {
            full_svd(X, values);
        } else {
            RsvdOptions ro;
            ro.oversampling = m_opts.oversampling;
            ro.power_iterations = m_opts.power_iterations;
            ro.seed = m_opts.seed;
            const LinearOperator<Scalar> op = centered_operator(X);
            const auto r = randomized_svd(op, k, ro);
            values = r.S.array().square() / static_cast<Scalar>(n - 1);
            m_components = r.U;
        }
        if (fraction > 0.0) k = count_for_fraction(values, fraction);
        k = std::min(k, values.size());
        m_components.conservativeResize(Eigen::NoChange, k);
        m_explained_variance = values.head(k);
        finish(std::min(d, n));
        return *this;
    }

    /// Incremental fit: updates the model with one batch X (d x b) by the sequential
    /// Karhunen–Loeve update of Ross et al. 2008 (sklearn's IncrementalPCA), in O(d (k + b)²)
    /// time and O(d (k + b)) memory; the data seen so far is not stored. Equals the batch fit
    /// exactly when the data has rank <= k (after centring), and approximates it otherwise.
    /// The first call (or the first after reset()) fixes k = n_components and needs b >= k;
    /// later calls must pass the same k. A partial_fit() after fit() continues from it.
    /// \throws invalid_argument on empty X, rows different from the fitted d, non-finite
    ///         entries, k out of [1, d], k different from the fitted one, or a first batch with
    ///         fewer than k points.
    template <class Derived>
    Pca& partial_fit(const Eigen::MatrixBase<Derived>& X, Index n_components) {
        const char* fn = "subspace::Pca::partial_fit";
        check_input(fn, X);
        const Index d = X.rows(), b = X.cols();
        if (m_n_samples > 0) {
            detail::check_rows(fn, "X", d, m_mean.size(), "the dimension d of the fitted data");
            if (n_components != m_components.cols())
                detail::throw_invalid(fn, "n_components",
                                      "the fitted count " + detail::to_text(m_components.cols()),
                                      detail::to_text(n_components));
        } else {
            detail::check_in_range(fn, "n_components", n_components, Index(1), d);
            if (b < n_components)
                detail::throw_invalid(fn, "X",
                                      "a first batch of at least n_components = " +
                                          detail::to_text(n_components) + " points",
                                      detail::to_text(b) + " points");
        }
        const Vec mb = X.rowwise().mean();
        Mat Xc = X;
        Xc.colwise() -= mb;
        const double ssb = static_cast<double>(Xc.squaredNorm());
        const Index k = n_components;
        Mat S;
        if (m_n_samples == 0) {
            S = std::move(Xc);
            m_mean = mb;
            m_sum_sq = ssb;
        } else {
            const double na = static_cast<double>(m_n_samples), nb = static_cast<double>(b);
            const double nt = na + nb;
            const Vec dmu = m_mean - mb;
            S.resize(d, k + b + 1);
            const Vec sv = (m_explained_variance * static_cast<Scalar>(na - 1)).cwiseSqrt();
            S.leftCols(k) = m_components * sv.asDiagonal();
            S.middleCols(k, b) = Xc;
            S.col(k + b) = static_cast<Scalar>(std::sqrt(na * nb / nt)) * dmu;
            m_sum_sq += ssb + static_cast<double>(dmu.squaredNorm()) * na * nb / nt;
            m_mean = (static_cast<Scalar>(na / nt)) * m_mean + static_cast<Scalar>(nb / nt) * mb;
        }
        m_n_samples += b;
        auto svd = detail::make_thin_bdcsvd(S);
        const Index kk = std::min(k, svd.singularValues().size());
        m_components = svd.matrixU().leftCols(kk);
        if (m_n_samples > 1)
            m_explained_variance = svd.singularValues().head(kk).array().square() /
                                   static_cast<Scalar>(m_n_samples - 1);
        else
            m_explained_variance = Vec::Zero(kk);
        m_solver_used = PcaSolver::full;
        finish(std::min(d, m_n_samples));
        return *this;
    }

    /// Forgets the fit (the next partial_fit() starts a new model).
    void reset() {
        m_n_samples = 0;
        m_sum_sq = 0.0;
        m_mean.resize(0);
        m_components.resize(0, 0);
        m_explained_variance.resize(0);
        m_ratio.resize(0);
        m_noise_variance = 0.0;
    }

    /// Scores Z = Wᵀ (X − μ 1ᵀ) (k x n) of the points X (d x n, dense or sparse), divided by
    /// sqrt(λ_i) per component when whitening. O(d k n) (O(nnz k) sparse).
    /// \throws invalid_argument before fit, on a row count other than d, non-finite entries.
    template <class XType>
    Mat transform(const XType& X) const {
        const char* fn = "subspace::Pca::transform";
        check_fitted(fn);
        check_input(fn, X);
        detail::check_rows(fn, "X", X.rows(), m_mean.size(), "the dimension d of the fitted data");
        Mat Z = m_components.transpose() * X;
        const Vec wm = m_components.transpose() * m_mean;
        Z.colwise() -= wm;
        if (m_opts.whiten) Z = whiten_scale().asDiagonal() * Z;
        return Z;
    }

    /// Points W Z + μ 1ᵀ (d x n) reconstructed from scores Z (k x n) (undoing the whitening
    /// scale if set). O(d k n).
    /// \throws invalid_argument before fit, on a row count other than k, non-finite entries.
    template <class Derived>
    Mat inverse_transform(const Eigen::MatrixBase<Derived>& Z) const {
        const char* fn = "subspace::Pca::inverse_transform";
        check_fitted(fn);
        detail::check_rows(fn, "Z", Z.rows(), m_components.cols(), "the number of components k");
        detail::check_finite(fn, "Z", Z);
        Mat X;
        if (m_opts.whiten) {
            const Vec inv = whiten_scale().cwiseInverse();
            X = m_components * (inv.asDiagonal() * Z);
        } else {
            X = m_components * Z;
        }
        X.colwise() += m_mean;
        return X;
    }

    /// Squared reconstruction error ‖(I − W Wᵀ)(x_j − μ)‖² of every point (n-vector): the PCA
    /// anomaly score. Two projection passes for accuracy. O(d k n).
    /// \throws invalid_argument before fit, on a row count other than d, non-finite entries.
    template <class Derived>
    Vec reconstruction_error(const Eigen::MatrixBase<Derived>& X) const {
        const char* fn = "subspace::Pca::reconstruction_error";
        check_fitted(fn);
        check_input(fn, X);
        detail::check_rows(fn, "X", X.rows(), m_mean.size(), "the dimension d of the fitted data");
        Mat R = X;
        R.colwise() -= m_mean;
        for (int pass = 0; pass < 2; ++pass) {
            const Mat C = m_components.transpose() * R;
            R.noalias() -= m_components * C;
        }
        return R.colwise().squaredNorm().transpose();
    }

    /// Log-likelihood of every point (n-vector) under the probabilistic PCA model N(μ, C),
    /// C = W (Λ − σ² I) Wᵀ + σ² I (Tipping & Bishop 1999), as scikit-learn's score_samples:
    /// −½ [(x − μ)ᵀ C⁻¹ (x − μ) + log det C + d log 2π], by Woodbury in O(d k n). When the
    /// noise variance σ² is 0 (k = rank) it is floored at ε λ_1.
    /// \throws invalid_argument before fit, on a row count other than d, non-finite entries.
    template <class Derived>
    Vec score_samples(const Eigen::MatrixBase<Derived>& X) const {
        const char* fn = "subspace::Pca::score_samples";
        check_fitted(fn);
        check_input(fn, X);
        const Index d = m_mean.size();
        detail::check_rows(fn, "X", X.rows(), d, "the dimension d of the fitted data");
        const double lmax =
            m_explained_variance.size() > 0 ? static_cast<double>(m_explained_variance(0)) : 0.0;
        const double floor_var =
            std::max(static_cast<double>(Eigen::NumTraits<Scalar>::epsilon()) * lmax,
                     std::numeric_limits<double>::min());
        const double s2 = std::max(m_noise_variance, floor_var);
        const Index k = m_components.cols();
        double logdet = static_cast<double>(d - k) * std::log(s2);
        Vec coef(k);  // C⁻¹ = (1/σ²) [I − W diag(1 − σ²/λ_i) Wᵀ]
        for (Index i = 0; i < k; ++i) {
            const double li = std::max(static_cast<double>(m_explained_variance(i)), s2);
            logdet += std::log(li);
            coef(i) = static_cast<Scalar>(1.0 - s2 / li);
        }
        Mat R = X;
        R.colwise() -= m_mean;
        const Mat C = m_components.transpose() * R;
        const Eigen::ArrayXd quad =
            (R.colwise().squaredNorm().transpose().template cast<double>().array() -
             (coef.asDiagonal() * C.cwiseAbs2())
                 .colwise()
                 .sum()
                 .transpose()
                 .template cast<double>()
                 .array()) /
            s2;
        const double log2pi = 1.8378770664093453;
        return (-0.5 * (quad + logdet + static_cast<double>(d) * log2pi))
            .template cast<Scalar>()
            .matrix();
    }

    /// d x k principal axes (orthonormal columns, by decreasing variance; the sign is fixed so
    /// that the entry of largest magnitude of each column is positive).
    const Mat& components() const noexcept { return m_components; }
    /// Variances λ_i of the scores (k), decreasing: σ_i² / (n − 1).
    const Vec& explained_variance() const noexcept { return m_explained_variance; }
    /// λ_i / total variance (k).
    const Vec& explained_variance_ratio() const noexcept { return m_ratio; }
    /// Singular values σ_i = sqrt(λ_i (n − 1)) of the centred data (k).
    Vec singular_values() const {
        return (m_explained_variance * static_cast<Scalar>(std::max<Index>(m_n_samples - 1, 0)))
            .cwiseSqrt();
    }
    /// Mean μ of the points (d).
    const Vec& mean() const noexcept { return m_mean; }
    /// Total variance ‖X − μ1ᵀ‖²_F / (n − 1) of the data seen.
    double total_variance() const noexcept {
        return m_n_samples > 1 ? m_sum_sq / static_cast<double>(m_n_samples - 1) : 0.0;
    }
    /// Probabilistic-PCA noise variance σ²: the mean of the min(d, n) − k discarded variances
    /// (0 when k = min(d, n)).
    double noise_variance() const noexcept { return m_noise_variance; }
    /// Number of components k (0 before fit).
    Index n_components() const noexcept { return m_components.cols(); }
    /// Number of points seen.
    Index n_samples() const noexcept { return m_n_samples; }
    /// The solver the last fit used (automatic resolved; partial_fit reports full).
    PcaSolver solver_used() const noexcept { return m_solver_used; }
    /// The options.
    const PcaOptions& options() const noexcept { return m_opts; }

private:
    template <class XType>
    static constexpr bool is_sparse() {
        return std::is_base_of<Eigen::SparseMatrixBase<XType>, XType>::value;
    }

    template <class XType>
    static void check_input(const char* fn, const XType& X) {
        static_assert(std::is_same<typename XType::Scalar, Scalar>::value,
                      "Pca: X must have the model's scalar type");
        detail::check_not_empty(fn, "X", X.rows(), X.cols());
        if constexpr (is_sparse<XType>()) {
            detail::check_finite(fn, "X", X);
        } else {
            if (!X.allFinite()) detail::check_finite(fn, "X", X);
        }
    }

    void check_fitted(const char* fn) const {
        if (m_components.cols() == 0)
            detail::throw_invalid(fn, "this", "a fitted model (call fit or partial_fit first)",
                                  "an unfitted Pca");
    }

    template <class XType>
    static Vec column_mean_of(const XType& X) {
        if constexpr (is_sparse<XType>()) {
            const SparseMat S = X;
            Vec mu = Vec::Zero(S.rows());
            for (Index j = 0; j < S.outerSize(); ++j)
                for (typename SparseMat::InnerIterator it(S, j); it; ++it)
                    mu(it.row()) += it.value();
            return mu / static_cast<Scalar>(S.cols());
        } else {
            return X.rowwise().mean();
        }
    }

    /// Σ_j ‖x_j − μ‖², in blocks of columns (dense) or from the stored entries (sparse).
    template <class XType>
    static double sum_sq_deviation(const XType& X, const Vec& mu) {
        const Index n = X.cols();
        if constexpr (is_sparse<XType>()) {
            const SparseMat S = X;
            // Σ_j ‖x_j − μ‖² = Σ_stored [(v − μ_i)² − μ_i²] + n ‖μ‖².
            double acc = static_cast<double>(n) * static_cast<double>(mu.squaredNorm());
            for (Index j = 0; j < S.outerSize(); ++j)
                for (typename SparseMat::InnerIterator it(S, j); it; ++it) {
                    const double m = static_cast<double>(mu(it.row()));
                    const double v = static_cast<double>(it.value()) - m;
                    acc += v * v - m * m;
                }
            return std::max(acc, 0.0);
        } else {
            double acc = 0.0;
            const Index bs = 4096;
            for (Index j0 = 0; j0 < n; j0 += bs) {
                const Index b = std::min(bs, n - j0);
                acc += static_cast<double>((X.middleCols(j0, b).colwise() - mu).squaredNorm());
            }
            return acc;
        }
    }

    /// Covariance (d x d) of the points around mu; dense input in centred blocks (no full copy).
    template <class XType>
    static Mat covariance(const XType& X, const Vec& mu) {
        const Index d = X.rows(), n = X.cols();
        Mat C = Mat::Zero(d, d);
        if constexpr (is_sparse<XType>()) {
            const SparseMat S = X;
            const SparseMat St = S.transpose();
            const Mat XXt = Mat(S * St);
            C = XXt - static_cast<Scalar>(n) * mu * mu.transpose();
        } else {
            const Index bs = 4096;
            Mat B;
            for (Index j0 = 0; j0 < n; j0 += bs) {
                const Index b = std::min(bs, n - j0);
                B = X.middleCols(j0, b);
                B.colwise() -= mu;
                C.template selfadjointView<Eigen::Lower>().rankUpdate(B);
            }
            C = C.template selfadjointView<Eigen::Lower>();
        }
        return C / static_cast<Scalar>(n - 1);
    }

    /// Exact SVD of the centred data. n >= d: Householder QR of the n x d matrix Xcᵀ = Q R, then
    /// the SVD of the d x d factor R = W Σ Vᵀ gives Σ and the components V (the n x d factor is
    /// never formed: the R-SVD of Golub & Van Loan §8.6.3, as LAPACK's gesdd does for tall
    /// input). n < d: thin BDCSVD of Xc. O(d n min(d, n)); copies X once.
    template <class XType>
    void full_svd(const XType& X, Vec& values) {
        const Index d = X.rows(), n = X.cols();
        if (n >= d) {
            Mat Xt;
            if constexpr (is_sparse<XType>())
                Xt = Mat(SparseMat(X.transpose()));
            else
                Xt = X.transpose();
            Xt.rowwise() -= m_mean.transpose();
            Eigen::HouseholderQR<Eigen::Ref<Mat>> qr(Xt);
            const Mat R = qr.matrixQR().topRows(d).template triangularView<Eigen::Upper>();
            auto svd = detail::make_thin_bdcsvd(R);
            values = svd.singularValues().array().square() / static_cast<Scalar>(n - 1);
            m_components = svd.matrixV();
        } else {
            Mat Xc = dense_copy(X);
            Xc.colwise() -= m_mean;
            auto svd = detail::make_thin_bdcsvd(Xc);
            values = svd.singularValues().array().square() / static_cast<Scalar>(n - 1);
            m_components = svd.matrixU();
        }
    }

    template <class XType>
    static Mat dense_copy(const XType& X) {
        if constexpr (is_sparse<XType>()) {
            return Mat(SparseMat(X));
        } else {
            return X;
        }
    }

    static Index count_for_fraction(const Vec& values, double fraction) {
        double total = 0.0;
        for (Index i = 0; i < values.size(); ++i) total += static_cast<double>(values(i));
        if (!(total > 0.0)) return 1;
        double acc = 0.0;
        for (Index i = 0; i < values.size(); ++i) {
            acc += static_cast<double>(values(i));
            if (acc >= fraction * total * (1.0 - 1e-12)) return i + 1;
        }
        return values.size();
    }

    Vec whiten_scale() const {
        Vec s(m_explained_variance.size());
        for (Index i = 0; i < s.size(); ++i)
            s(i) = m_explained_variance(i) > Scalar(0)
                       ? Scalar(1) / std::sqrt(m_explained_variance(i))
                       : Scalar(1);
        return s;
    }

    /// Sign convention, ratios and noise variance from components / variances; m = min(d, n).
    void finish(Index m) {
        for (Index j = 0; j < m_components.cols(); ++j) {
            Index imax = 0;
            m_components.col(j).cwiseAbs().maxCoeff(&imax);
            if (m_components(imax, j) < Scalar(0)) m_components.col(j) *= Scalar(-1);
        }
        const double total = total_variance();
        m_ratio = total > 0.0 ? Vec(m_explained_variance / static_cast<Scalar>(total))
                              : Vec(Vec::Zero(m_explained_variance.size()));
        const Index k = m_components.cols();
        double kept = 0.0;
        for (Index i = 0; i < k; ++i) kept += static_cast<double>(m_explained_variance(i));
        m_noise_variance = k < m ? std::max(0.0, total - kept) / static_cast<double>(m - k) : 0.0;
    }

    PcaOptions m_opts;
    PcaSolver m_solver_used = PcaSolver::automatic;
    Index m_n_samples = 0;
    double m_sum_sq = 0.0;
    double m_noise_variance = 0.0;
    Vec m_mean;
    Mat m_components;
    Vec m_explained_variance;
    Vec m_ratio;
};

}  // namespace subspace
