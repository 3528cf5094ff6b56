/// \file subspace/intrinsic/danco.hpp
/// \brief DANCo: intrinsic dimension from the joint concentration of k-NN norms and angles,
/// calibrated on uniform d-balls of the same size (`danco_dimension`, `danco_fit`,
/// `DancoCalibration`).
///
/// Implements Ceruti, Bassis, Rozza, Lombardi, Casiraghi & Campadelli 2014, "DANCo: an intrinsic
/// dimensionality estimator exploiting angle and norm concentration" (Pattern Recognition
/// 47(8), 2569–2581), in the variant of scikit-dimension 0.3.4 `skdim.id.DANCo()` (k = 10,
/// D = ambient dimension, fractal = True), itself a port of Johnsson's R `dancoDimEst`:
///
/// 1. Norm concentration (Rozza et al. 2012, MiND_MLk): with ρᵢ = r₁(xᵢ)/r_{k+1}(xᵢ),
///    d̂ maximises ℓ(d) = n log(k d) + (d − 1) Σ log ρᵢ + (k − 1) Σ log(1 − ρᵢ^d) on (0, D]
///    (skdim: L-BFGS-B from the integer maximiser MiND_MLi; ℓ is concave, we bisect its score).
/// 2. Angle concentration: for each point the k(k−1)/2 angles θ between the vectors to
///    its k nearest neighbours; their von Mises fit ν = atan(Σ sin θ / Σ cos θ) (skdim's atan,
///    not atan2) and τ = A⁻¹(η), η = |mean (cos θ, sin θ)|, with the piecewise approximation of
///    the inverse Bessel ratio A = I₁/I₀ of Best & Fisher 1981 (skdim `_Ainv`). ν and τ are
///    averaged over the points (τ := 1 when the ambient dimension is 1, as skdim).
/// 3. Calibration: the same three statistics on n points drawn uniformly in the unit
///    d-ball, d = 1..D (Philox draws of `uniform_ball`, kept in a `DancoCalibration`).
/// 4. Dimension: the d minimising KL_norm(d̂, d̂_d) + KL_vM((ν, τ), (ν_d, τ_d)), with the closed
///    forms of skdim
///    KL_norm = H_k q − log q − (k − 1) Σ_{i=0}^{k} (−1)^i C(k, i) ψ(1 + i/q), q = d̂_d / d̂
///    (H_k the k-th harmonic number, ψ the digamma function), which is the exact
///    KL(g(·; d̂) ‖ g(·; d̂_d)) of the MiND law g(r; d) = k d r^{d−1} (1 − r^d)^{k−1} plus the
///    constant H_k + (k − 1)/k (so the estimate is unaffected; kept to report skdim's KL), and
///    KL_vM = log(I₀(τ_d)/I₀(τ)) + A(τ) (τ − τ_d cos(ν − ν_d)), exact for von Mises laws.
///    Fractal (default): the local minimum, next to the integer minimiser, of skdim's
///    interpolant of the KL curve (not-a-knot cubic spline for D > 3, the quadratic through the
///    three points for D = 3, linear for D = 2, as scipy's interp1d).
///
/// What is kept of skdim 0.3.4 and what is not (the reference agreement is in the tests):
/// - skdim passes the calibration's MiND bound D = 2d + 5 into its `n_jobs` argument, so the
///   calibration's d̂_d is bounded by k instead (d̂_d ≤ 10 by default). This is the default here
///   too (`DancoOptions::skdim_calibration_bound`), since it changes the estimates for d > 10;
///   set it false for the intended bound 2d + 5.
/// - skdim's interpolant returns D + 1 outside [1, D] (its fill value) and minimises on
///   [1, D + 1]; we minimise on [1, D]. The results differ only when the KL at d = D exceeds
///   D + 1, where skdim's result moves into (D, D + 1] by an artefact of the fill value.
/// - log I₀ is evaluated without overflow (skdim clamps I₀ and I₁ at DBL_MAX, for τ > 713).
/// - Duplicate points are dropped first (module policy, `on_unique_points`); points whose
///   k neighbours all lie on one ray (η = 1, τ = ∞) are left out of the mean of τ.
/// - The calibration draws are ours (Philox), so the estimate differs from skdim's by the
///   calibration noise (skdim's own estimate changes with its random state too).
#pragma once

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <limits>
#include <map>
#include <memory>
#include <mutex>
#include <tuple>
#include <utility>
#include <vector>

#include <Eigen/Core>

#include "subspace/core/config.hpp"
#include "subspace/core/error.hpp"
#include "subspace/detail/parallel.hpp"
#include "subspace/intrinsic/calibration.hpp"
#include "subspace/intrinsic/id_estimate.hpp"
#include "subspace/intrinsic/knn.hpp"
#include "subspace/intrinsic/mind.hpp"

namespace subspace {

/// \ingroup intrinsic
/// Options of `danco_dimension` and `danco_fit`.
struct DancoOptions {
    Index k = 10;         ///< neighbours (skdim default 10); needs 2 <= k <= n − 2
    Index d_max = 0;      ///< D, the largest candidate dimension; 0 = ambient dimension (skdim)
    bool fractal = true;  ///< minimise the interpolated KL curve (skdim default) vs integers
    /// Bound the calibration's MiND_MLk estimate by k, as skdim 0.3.4 does (see the file
    /// comment); false bounds it by 2d + 5, as skdim intended.
    bool skdim_calibration_bound = true;
    std::uint64_t seed = 20140801;  ///< Philox seed of the calibration balls
    /// `danco_dimension(X, opts)` keeps calibrations in a process-wide cache (keyed by n, k,
    /// seed and bound); false computes a fresh one each call.
    bool use_cache = true;
};

/// \ingroup intrinsic
/// The three DANCo statistics of one data set (or of a calibration ball).
struct DancoStatistics {
    double dhat = 0.0;  ///< MiND_MLk estimate from ρ = r₁ / r_{k+1}
    double nu = 0.0;    ///< mean over points of the von Mises location ν of the angles
    double tau = 0.0;   ///< mean over points of the von Mises concentration τ
};

/// \ingroup intrinsic
/// Everything `danco_fit` computes.
struct DancoResult {
    double dimension = std::numeric_limits<double>::quiet_NaN();  ///< fractal or integer estimate
    Index integer_dimension = 0;  ///< argmin over d = 1..D of the KL divergence
    double kl = std::numeric_limits<double>::quiet_NaN();  ///< KL at integer_dimension
    Eigen::VectorXd kl_curve;    ///< KL divergence for d = 1..D (entry d − 1)
    DancoStatistics statistics;  ///< of the data (duplicates dropped)
};

namespace detail {

// ---------------------------------------------------------------------------------------------
// Special functions (double precision, no dependence on C++17 special math, absent in libc++).

/// Digamma ψ(x) for x > 0: recurrence to x >= 10, then the asymptotic series (Abramowitz &
/// Stegun 6.3.18) to the x^-14 term. Absolute error ~1e-15.
inline double digamma(double x) {
    double r = 0.0;
    while (x < 10.0) {
        r -= 1.0 / x;
        x += 1.0;
    }
    const double f = 1.0 / (x * x);
    const double series =
        f *
        (1.0 / 12 - f * (1.0 / 120 -
                         f * (1.0 / 252 -
                              f * (1.0 / 240 - f * (1.0 / 132 - f * (691.0 / 32760 - f / 12.0))))));
    return r + std::log(x) - 0.5 / x - series;
}

/// e^{−x} I_ν(x) for ν ∈ {0, 1}, x >= 0: power series for x <= 30, Hankel's asymptotic
/// expansion (A&S 9.7.1) beyond, both to double precision.
inline double bessel_i_scaled(int nu, double x) {
    if (x <= 30.0) {
        const double h = 0.5 * x;
        const double q = h * h;
        double term = nu == 0 ? 1.0 : h;
        double sum = term;
        for (int m = 1; m < 200; ++m) {
            term *= q / (static_cast<double>(m) * static_cast<double>(m + nu));
            sum += term;
            if (term < 1e-17 * sum) break;
        }
        return sum * std::exp(-x);
    }
    const double mu = 4.0 * nu * nu;
    double term = 1.0;
    double sum = 1.0;
    for (int j = 1; j < 60; ++j) {
        const double odd = 2.0 * j - 1.0;
        const double next = -term * (mu - odd * odd) / (8.0 * j * x);
        if (std::abs(next) >= std::abs(term)) break;  // asymptotic series: stop at the smallest
        term = next;
        sum += term;
        if (std::abs(term) < 1e-17 * std::abs(sum)) break;
    }
    return sum / std::sqrt(2.0 * 3.14159265358979323846 * x);
}

/// log I₀(x), x >= 0, without overflow.
inline double log_bessel_i0(double x) { return x + std::log(bessel_i_scaled(0, x)); }

/// A(x) = I₁(x) / I₀(x), x >= 0 (the mean resultant length of a von Mises law of concentration
/// x).
inline double bessel_ratio(double x) { return bessel_i_scaled(1, x) / bessel_i_scaled(0, x); }

// ---------------------------------------------------------------------------------------------
// Building blocks of DANCo.

/// Best & Fisher 1981 approximation of A⁻¹(η) (skdim `_Ainv`), η in [0, 1); within 0.94% of the
/// exact inverse of A = I₁/I₀.
inline double danco_inverse_bessel_ratio(double eta) {
    if (eta < 0.53) return 2.0 * eta + eta * eta * eta + 5.0 * std::pow(eta, 5) / 6.0;
    if (eta < 0.85) return -0.4 + 1.39 * eta + 0.43 / (1.0 - eta);
    return 1.0 / (eta * eta * eta - 4.0 * eta * eta + 3.0 * eta);
}

/// Von Mises fit of angles given Σ cos θ, Σ sin θ over m angles, as skdim's `_ML_VM`:
/// ν = atan(S / C) (in (−π/2, π/2]: the mean direction modulo π), τ = A⁻¹(√((C/m)² + (S/m)²)).
/// τ is +∞ when η >= 1 (every angle 0).
inline std::pair<double, double> von_mises_fit(double cos_sum, double sin_sum, double m) {
    double nu = 0.0;
    if (cos_sum != 0.0 || sin_sum != 0.0) nu = std::atan(sin_sum / cos_sum);
    const double eta = std::hypot(cos_sum / m, sin_sum / m);
    const double tau =
        eta >= 1.0 ? std::numeric_limits<double>::infinity() : danco_inverse_bessel_ratio(eta);
    return {nu, tau};
}

/// Norm term of the DANCo divergence between dimensions dhat (data) and dcal (calibration), as
/// skdim `_KLd`: KL(g(·; dhat) ‖ g(·; dcal)) + H_k + (k − 1)/k for the MiND law
/// g(r; d) = k d r^{d−1} (1 − r^d)^{k−1}. Alternating sum in long double.
inline double danco_kl_norm(double dhat, double dcal, Index k) {
    const double q = dcal / dhat;
    long double hk = 0.0L;
    for (Index i = 1; i <= k; ++i) hk += 1.0L / static_cast<long double>(i);
    long double binom = 1.0L;  // C(k, i)
    long double s = 0.0L;
    for (Index i = 0; i <= k; ++i) {
        const long double sign = (i % 2 == 0) ? 1.0L : -1.0L;
        s += sign * binom * static_cast<long double>(digamma(1.0 + static_cast<double>(i) / q));
        binom = binom * static_cast<long double>(k - i) / static_cast<long double>(i + 1);
    }
    return static_cast<double>(hk * q - std::log(static_cast<long double>(q)) -
                               static_cast<long double>(k - 1) * s);
}

/// KL(vM(ν₁, τ₁) ‖ vM(ν₂, τ₂)) = log(I₀(τ₂)/I₀(τ₁)) + A(τ₁)(τ₁ − τ₂ cos(ν₁ − ν₂)).
inline double danco_kl_von_mises(double nu1, double nu2, double tau1, double tau2) {
    return log_bessel_i0(tau2) - log_bessel_i0(tau1) +
           bessel_ratio(tau1) * (tau1 - tau2 * std::cos(nu1 - nu2));
}

/// Total divergence of the data statistics from one calibration entry (norm + angle terms).
inline double danco_kl(const DancoStatistics& data, const DancoStatistics& cal, Index k) {
    return danco_kl_norm(data.dhat, cal.dhat, k) +
           danco_kl_von_mises(data.nu, cal.nu, data.tau, cal.tau);
}

/// The three statistics of the distinct columns of X (at least k + 2), with MiND_MLk bounded
/// by `mind_bound`. Cost: knn(X, k + 1) plus O(n k² d).
template <class Scalar>
DancoStatistics danco_statistics(const Eigen::Ref<const Matrix<Scalar>>& X, Index k,
                                 double mind_bound) {
    const Index n = X.cols();
    const Index dim = X.rows();
    const KnnResult<Scalar> g = estimator_knn<Scalar>(X, k + 1);
    DancoStatistics st;
    MindOptions mo;
    mo.k = k;
    mo.d_max = mind_bound;
    st.dhat = mind_from_knn(g, mo).dimension;

    Eigen::VectorXd nu(n);
    Eigen::VectorXd tau(n);
    const double m = static_cast<double>(k * (k - 1) / 2);
    parallel_for(
        n,
        [&](Index i) {
            Eigen::MatrixXd V(dim, k);
            for (Index j = 0; j < k; ++j)
                V.col(j) = (X.col(g.indices(j, i)) - X.col(i)).template cast<double>();
            const Eigen::MatrixXd G = V.transpose() * V;
            double cs = 0.0;
            double ss = 0.0;
            for (Index a = 0; a < k; ++a)
                for (Index b = a + 1; b < k; ++b) {
                    double c = G(a, b) / std::sqrt(G(a, a) * G(b, b));
                    c = std::min(1.0, std::max(-1.0, c));
                    cs += c;
                    ss += std::sqrt((1.0 - c) * (1.0 + c));  // sin(arccos c)
                }
            const auto vm = von_mises_fit(cs, ss, m);
            nu(i) = vm.first;
            tau(i) = vm.second;
        },
        static_cast<double>(n) * static_cast<double>(k * k) * static_cast<double>(dim + 4));
    st.nu = nu.mean();
    double ts = 0.0;
    Index cnt = 0;
    for (Index i = 0; i < n; ++i)
        if (std::isfinite(tau(i))) {
            ts += tau(i);
            ++cnt;
        }
    st.tau = cnt > 0 ? ts / static_cast<double>(cnt) : danco_inverse_bessel_ratio(1.0 - 1e-12);
    if (dim == 1) st.tau = 1.0;  // skdim: 1-d data (its angles are 0 or π)
    return st;
}

/// Local minimum, reached by descent from the integer minimiser `start` (1-based), of the
/// interpolant of y (y(d − 1) = value at d = 1..D) that scipy's interp1d builds: not-a-knot
/// cubic spline for D >= 4, the parabola through 3 points for D = 3, linear for D = 2. Search
/// interval [1, D].
inline double danco_fractal_minimum(const Eigen::VectorXd& y, Index start) {
    const Index D = y.size();
    if (D <= 2) return static_cast<double>(start);
    // Second derivatives M at the knots (unit spacing).
    Eigen::VectorXd M = Eigen::VectorXd::Zero(D);
    if (D == 3) {
        M.setConstant(y(0) - 2.0 * y(1) + y(2));
    } else {
        Eigen::VectorXd r(D);
        for (Index i = 1; i + 1 < D; ++i) r(i) = 6.0 * (y(i + 1) - 2.0 * y(i) + y(i - 1));
        // Not-a-knot: M0 = 2M1 − M2 and M_{D−1} = 2M_{D−2} − M_{D−3} turn the first and last
        // interior equations into 6 M1 = r1 and 6 M_{D−2} = r_{D−2}.
        M(1) = r(1) / 6.0;
        M(D - 2) = r(D - 2) / 6.0;
        const Index nu = D - 4;  // unknowns M2..M_{D−3}: tridiagonal (1, 4, 1), Thomas
        if (nu > 0) {
            Eigen::VectorXd cp(nu), dp(nu);
            for (Index t = 0; t < nu; ++t) {
                const Index i = t + 2;
                double rhs = r(i);
                if (t == 0) rhs -= M(1);
                if (t == nu - 1) rhs -= M(D - 2);
                const double denom = 4.0 - (t > 0 ? cp(t - 1) : 0.0);
                cp(t) = 1.0 / denom;
                dp(t) = (rhs - (t > 0 ? dp(t - 1) : 0.0)) / denom;
            }
            for (Index t = nu - 1; t >= 0; --t)
                M(t + 2) = dp(t) - (t + 1 < nu ? cp(t) * M(t + 3) : 0.0);
        }
        M(0) = 2.0 * M(1) - M(2);
        M(D - 1) = 2.0 * M(D - 2) - M(D - 3);
    }
    // Piece i on [i, i + 1] (0-based knots), t in [0, 1]:
    // S'(t) = b_i + M_i t + (M_{i+1} − M_i) t² / 2, b_i = y_{i+1} − y_i − (2 M_i + M_{i+1}) / 6.
    auto deriv_coeffs = [&](Index i) {
        const double b = y(i + 1) - y(i) - (2.0 * M(i) + M(i + 1)) / 6.0;
        return std::make_tuple(0.5 * (M(i + 1) - M(i)), M(i), b);  // a t² + c t + b
    };
    // Roots of a t² + c t + b in [lo, hi], ascending.
    auto roots = [](double a, double c, double b, double lo, double hi) {
        std::vector<double> out;
        const double scale = std::abs(a) + std::abs(c) + std::abs(b);
        if (std::abs(a) <= 1e-14 * scale) {
            if (c != 0.0) out.push_back(-b / c);
        } else {
            const double disc = c * c - 4.0 * a * b;
            if (disc >= 0.0) {
                const double sq = std::sqrt(disc);
                const double qq = -0.5 * (c + (c >= 0.0 ? sq : -sq));
                out.push_back(qq / a);
                if (qq != 0.0) out.push_back(b / qq);
            }
        }
        std::vector<double> in;
        for (double t : out)
            if (t >= lo && t <= hi) in.push_back(t);
        std::sort(in.begin(), in.end());
        return in;
    };
    const Index s = start - 1;  // 0-based knot
    double dright = 0.0, dleft = 0.0;
    if (s + 1 < D) dright = std::get<2>(deriv_coeffs(s));
    if (s > 0) {
        const auto c = deriv_coeffs(s - 1);
        dleft = std::get<0>(c) + std::get<1>(c) + std::get<2>(c);
    }
    if (s + 1 < D && dright < 0.0) {  // descend to the right
        for (Index i = s; i + 1 < D; ++i) {
            const auto c = deriv_coeffs(i);
            for (double t : roots(std::get<0>(c), std::get<1>(c), std::get<2>(c), 0.0, 1.0)) {
                const double a2 = std::get<0>(c), c1 = std::get<1>(c);
                if (t > 0.0 && 2.0 * a2 * t + c1 >= 0.0) return static_cast<double>(i) + 1.0 + t;
            }
        }
        return static_cast<double>(D);
    }
    if (s > 0 && dleft > 0.0) {  // descend to the left
        for (Index i = s - 1; i >= 0; --i) {
            const auto c = deriv_coeffs(i);
            auto r = roots(std::get<0>(c), std::get<1>(c), std::get<2>(c), 0.0, 1.0);
            for (auto it = r.rbegin(); it != r.rend(); ++it) {
                const double t = *it;
                const double a2 = std::get<0>(c), c1 = std::get<1>(c);
                if (t < 1.0 && 2.0 * a2 * t + c1 >= 0.0) return static_cast<double>(i) + 1.0 + t;
            }
        }
        return 1.0;
    }
    return static_cast<double>(start);
}

inline void check_danco_options(const char* fn, const DancoOptions& o) {
    check_in_range(fn, "opts.k", o.k, Index(2), Index(100000));
    check_in_range(fn, "opts.d_max", o.d_max, Index(0), Index(1000000));
}

}  // namespace detail

/// \ingroup intrinsic
/// DANCo calibration for data sets of n points and k neighbours: the statistics (d̂, ν, τ) of
/// n points drawn uniformly in the unit d-ball, for d = 1, 2, ..., computed lazily (ball d is
/// Philox stream 0xDA000000 + d of `seed`, so entry d does not depend on the order in which
/// entries are computed nor on the thread count) and kept. Keep the object and pass it to
/// `danco_dimension` to reuse it for every data set of the same n and k.
///
/// Cost of entry d: knn of n points in R^d (kd-tree for d <= 5, else O(n² d) GEMM) plus
/// O(n k² d). Memory: 3 doubles per entry. Not thread-safe (the process-wide cache of
/// `danco_dimension` guards its own copies with a mutex).
class DancoCalibration {
public:
    /// \param n number of points of the data sets it calibrates (after duplicates are dropped).
    /// \param k neighbours, 2 <= k <= n − 2.
    /// \param seed Philox seed of the balls.
    /// \param skdim_bound bound the balls' MiND_MLk by k (skdim 0.3.4) instead of 2d + 5.
    /// \throws invalid_argument for k outside [2, n − 2].
    explicit DancoCalibration(Index n, Index k = 10, std::uint64_t seed = DancoOptions{}.seed,
                              bool skdim_bound = true)
        : m_n(n), m_k(k), m_seed(seed), m_skdim_bound(skdim_bound) {
        const char* fn = "subspace::DancoCalibration";
        detail::check_in_range(fn, "n", n, Index(4), std::numeric_limits<Index>::max());
        detail::check_in_range(fn, "k", k, Index(2), n - 2);
    }

    /// Computes entries 1..d_max that are not yet there. \throws invalid_argument for d_max < 1.
    void extend(Index d_max) {
        detail::check_in_range("subspace::DancoCalibration::extend", "d_max", d_max, Index(1),
                               Index(1000000));
        while (static_cast<Index>(m_stats.size()) < d_max) {
            const Index d = static_cast<Index>(m_stats.size()) + 1;
            const Eigen::MatrixXd B = uniform_ball<double>(
                d, m_n, m_seed,
                static_cast<std::uint32_t>(0xDA000000u + static_cast<std::uint32_t>(d)));
            const double bound =
                m_skdim_bound ? static_cast<double>(m_k) : static_cast<double>(2 * d + 5);
            m_stats.push_back(
                detail::danco_statistics<double>(Eigen::Ref<const Eigen::MatrixXd>(B), m_k, bound));
        }
    }

    /// Statistics of the uniform d-ball (computed with all lower entries on first use).
    /// \throws invalid_argument for d < 1.
    const DancoStatistics& statistics(Index d) {
        extend(d);
        return m_stats[static_cast<std::size_t>(d - 1)];
    }

    Index points() const { return m_n; }                ///< n
    Index neighbours() const { return m_k; }            ///< k
    std::uint64_t seed() const { return m_seed; }       ///< Philox seed of the balls
    bool skdim_bound() const { return m_skdim_bound; }  ///< MiND bound of the balls is k
    /// Number of entries computed so far (d = 1..computed()).
    Index computed() const { return static_cast<Index>(m_stats.size()); }

private:
    Index m_n;
    Index m_k;
    std::uint64_t m_seed;
    bool m_skdim_bound;
    std::vector<DancoStatistics> m_stats;
};

namespace detail {

struct DancoCacheEntry {
    std::mutex mutex;
    DancoCalibration calibration;
    DancoCacheEntry(Index n, Index k, std::uint64_t seed, bool b) : calibration(n, k, seed, b) {}
};

struct DancoCache {
    std::mutex mutex;
    std::map<std::tuple<Index, Index, std::uint64_t, bool>, std::shared_ptr<DancoCacheEntry>>
        entries;
};

/// The process-wide calibration cache (one instance across translation units: inline function).
inline DancoCache& danco_cache() {
    static DancoCache cache;
    return cache;
}

/// Calibration entries 1..D for (n, k, seed, bound), from the process-wide cache.
inline std::vector<DancoStatistics> danco_cached_calibration(Index n, Index k, Index D,
                                                             const DancoOptions& o) {
    std::shared_ptr<DancoCacheEntry> e;
    {
        DancoCache& c = danco_cache();
        const std::lock_guard<std::mutex> lock(c.mutex);
        auto& slot = c.entries[std::make_tuple(n, k, o.seed, o.skdim_calibration_bound)];
        if (!slot)
            slot = std::make_shared<DancoCacheEntry>(n, k, o.seed, o.skdim_calibration_bound);
        e = slot;
    }
    const std::lock_guard<std::mutex> lock(e->mutex);
    e->calibration.extend(D);
    std::vector<DancoStatistics> out;
    for (Index d = 1; d <= D; ++d) out.push_back(e->calibration.statistics(d));
    return out;
}

inline DancoResult danco_from_statistics(const DancoStatistics& st,
                                         const std::vector<DancoStatistics>& cal, Index k,
                                         bool fractal) {
    const Index D = static_cast<Index>(cal.size());
    DancoResult r;
    r.statistics = st;
    r.kl_curve.resize(D);
    for (Index d = 0; d < D; ++d) r.kl_curve(d) = danco_kl(st, cal[static_cast<std::size_t>(d)], k);
    Index best = 0;
    for (Index d = 1; d < D; ++d)
        if (r.kl_curve(d) < r.kl_curve(best)) best = d;
    r.integer_dimension = best + 1;
    r.kl = r.kl_curve(best);
    r.dimension =
        fractal ? danco_fractal_minimum(r.kl_curve, best + 1) : static_cast<double>(best + 1);
    return r;
}

template <class Scalar, class CalFn>
DancoResult danco_run(const char* fn, const Eigen::Ref<const Matrix<Scalar>>& X,
                      const DancoOptions& opts, CalFn&& calibration_for) {
    check_danco_options(fn, opts);
    check_not_empty(fn, "X", X.rows(), X.cols());
    if (X.cols() < 4) throw_invalid(fn, "X", "at least 4 points (columns)", to_text(X.cols()));
    check_in_range(fn, "opts.k", opts.k, Index(2), X.cols() - 2);
    check_finite(fn, "X", X);
    const Index D = opts.d_max == 0 ? X.rows() : opts.d_max;
    DancoResult res;
    on_unique_points<Scalar>(fn, X, opts.k + 1, [&](const Eigen::Ref<const Matrix<Scalar>>& U) {
        const DancoStatistics st = danco_statistics<Scalar>(U, opts.k, static_cast<double>(D));
        res = danco_from_statistics(st, calibration_for(U.cols(), D), opts.k, opts.fractal);
        IdEstimate e;
        e.dimension = res.dimension;
        return e;
    });
    return res;
}

}  // namespace detail

/// \ingroup intrinsic
/// DANCo (Ceruti et al. 2014) of the columns of X (d x n, columns are points) with every
/// intermediate result: the data's statistics, the KL curve over d = 1..D, its integer
/// minimiser and the fractal estimate. Duplicate columns are dropped first; the calibration is
/// taken from (and added to) the process-wide cache keyed by (n distinct points, k, seed,
/// bound) unless `opts.use_cache` is false.
///
/// Cost: knn(X, k + 1) (O(n² D) brute force for D > 5) + O(n k² D) for the angles; plus, the
/// first time for a given n and k, the calibration on D balls (Σ_d knn in R^d, O(n² D²): on 2
/// cores about 1 s at n = 2500, D = 11; 27 s at n = 2500, D = 100; 30 s at n = 20000, D = 11).
/// With the calibration cached, n = 2500 in R^100 takes 0.25 s. Memory O(n k + tiles).
/// \throws invalid_argument for empty or non-finite X, k outside [2, n − 2] (n distinct
///   points), d_max outside [0, 1e6].
template <class Derived>
DancoResult danco_fit(const Eigen::MatrixBase<Derived>& X, const DancoOptions& opts = {}) {
    using Scalar = typename Derived::Scalar;
    const Eigen::Ref<const Matrix<Scalar>> Xr(X.derived());
    return detail::danco_run<Scalar>("subspace::danco_fit", Xr, opts, [&](Index n, Index D) {
        if (opts.use_cache) return detail::danco_cached_calibration(n, opts.k, D, opts);
        DancoCalibration cal(n, opts.k, opts.seed, opts.skdim_calibration_bound);
        std::vector<DancoStatistics> v;
        for (Index d = 1; d <= D; ++d) v.push_back(cal.statistics(d));
        return v;
    });
}

/// \ingroup intrinsic
/// As `danco_fit`, with a user-held calibration (extended up to D if needed). Its n and k must
/// match the number of distinct columns of X and opts.k; opts.seed and
/// opts.skdim_calibration_bound are ignored (the calibration's own are used).
/// \throws invalid_argument as danco_fit, and if the calibration's n or k do not match.
template <class Derived>
DancoResult danco_fit(const Eigen::MatrixBase<Derived>& X, DancoCalibration& calibration,
                      const DancoOptions& opts = {}) {
    using Scalar = typename Derived::Scalar;
    const char* fn = "subspace::danco_fit";
    const Eigen::Ref<const Matrix<Scalar>> Xr(X.derived());
    if (calibration.neighbours() != opts.k)
        detail::throw_invalid(fn, "calibration",
                              "built for k = opts.k = " + detail::to_text(opts.k),
                              "k = " + detail::to_text(calibration.neighbours()));
    return detail::danco_run<Scalar>(fn, Xr, opts, [&](Index n, Index D) {
        if (calibration.points() != n)
            detail::throw_invalid(fn, "calibration",
                                  "built for n = " + detail::to_text(n) + " (distinct) points",
                                  "n = " + detail::to_text(calibration.points()));
        calibration.extend(D);
        std::vector<DancoStatistics> v;
        for (Index d = 1; d <= D; ++d) v.push_back(calibration.statistics(d));
        return v;
    });
}

/// \ingroup intrinsic
/// DANCo intrinsic dimension (Ceruti et al. 2014) of the columns of X (d x n, columns are
/// points), as scikit-dimension 0.3.4 `DANCo().fit(X).dimension_` with its defaults (k = 10,
/// D = ambient dimension, fractal): see `danco_fit` for cost and caching. `pointwise` is empty.
/// \throws invalid_argument as danco_fit.
template <class Derived>
IdEstimate danco_dimension(const Eigen::MatrixBase<Derived>& X, const DancoOptions& opts = {}) {
    IdEstimate e;
    e.dimension = danco_fit(X, opts).dimension;
    return e;
}

/// \ingroup intrinsic
/// DANCo with a user-held calibration (see the danco_fit overload).
template <class Derived>
IdEstimate danco_dimension(const Eigen::MatrixBase<Derived>& X, DancoCalibration& calibration,
                           const DancoOptions& opts = {}) {
    IdEstimate e;
    e.dimension = danco_fit(X, calibration, opts).dimension;
    return e;
}

/// \ingroup intrinsic
/// Empties the process-wide DANCo calibration cache (thread-safe).
inline void danco_clear_cache() {
    detail::DancoCache& c = detail::danco_cache();
    const std::lock_guard<std::mutex> lock(c.mutex);
    c.entries.clear();
}

}  // namespace subspace
