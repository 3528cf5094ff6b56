// DANCo (Ceruti et al. 2014, skdim 0.3.4 variant): each building block against an independent
// reference (special functions, the MiND_ML likelihood, a brute-force von Mises fit, KL
// divergences by quadrature, the spline minimum), the calibration cache and determinism, the
// agreement with skdim on six benchmark sets, float input, degenerate data and errors.
#include <cmath>
#include <fstream>
#include <map>
#include <sstream>
#include <string>
#include <vector>

#if defined(_OPENMP)
#include <omp.h>
#endif

#include "subspace/intrinsic/danco.hpp"

#include "intrinsic_test_util.hpp"

using intrinsic_test::Index;

namespace {

constexpr double pi = 3.14159265358979323846;

// I_nu(x) = (1/pi) ∫_0^pi exp(x cos t) cos(nu t) dt, scaled by exp(-x); the trapezoid rule is
// spectrally accurate for this periodic integrand.
double bessel_i_scaled_quadrature(int nu, double x) {
    const int m = 4000;
    double s = 0.0;
    for (int j = 0; j <= m; ++j) {
        const double t = pi * j / m;
        const double w = (j == 0 || j == m) ? 0.5 : 1.0;
        s += w * std::exp(x * (std::cos(t) - 1.0)) * std::cos(nu * t);
    }
    return s / m;
}

// MiND density of rho = r1 / r_{k+1}: g(r; d) = k d r^(d-1) (1 - r^d)^(k-1).
double mind_log_density(double r, double d, double k) {
    return std::log(k * d) + (d - 1.0) * std::log(r) + (k - 1.0) * std::log1p(-std::pow(r, d));
}

// KL(g(.; d1) || g(.; d2)) by the midpoint rule after r = u^(1/d1), g(r; d1) dr =
// k (1 - u)^(k-1) du, and u = w^4 (which smooths the log u singularity at 0).
double kl_norm_quadrature(double d1, double d2, double k) {
    const int m = 200000;
    double s = 0.0;
    for (int j = 0; j < m; ++j) {
        const double w = (j + 0.5) / m;
        const double u = w * w * w * w;
        const double r = std::pow(u, 1.0 / d1);
        const double weight = k * std::pow(1.0 - u, k - 1.0) * 4.0 * w * w * w;
        s += weight * (mind_log_density(r, d1, k) - mind_log_density(r, d2, k));
    }
    return s / m;
}

double von_mises_log_density(double t, double nu, double tau) {
    return tau * std::cos(t - nu) - std::log(2.0 * pi) - subspace::detail::log_bessel_i0(tau);
}

double kl_von_mises_quadrature(double nu1, double nu2, double tau1, double tau2) {
    const int m = 20000;
    double s = 0.0;
    for (int j = 0; j < m; ++j) {
        const double t = -pi + 2.0 * pi * j / m;
        const double l1 = von_mises_log_density(t, nu1, tau1);
        s += std::exp(l1) * (l1 - von_mises_log_density(t, nu2, tau2));
    }
    return s * 2.0 * pi / m;
}

// Maximiser of a unimodal function on [a, b] by golden-section search.
template <class F>
double golden_max(F f, double a, double b, int iters = 200) {
    const double g = 0.5 * (std::sqrt(5.0) - 1.0);
    double c = b - g * (b - a), d = a + g * (b - a);
    double fc = f(c), fd = f(d);
    for (int i = 0; i < iters && b - a > 1e-13 * (1.0 + std::abs(a)); ++i) {
        if (fc > fd) {
            b = d;
            d = c;
            fd = fc;
            c = b - g * (b - a);
            fc = f(c);
        } else {
            a = c;
            c = d;
            fc = fd;
            d = a + g * (b - a);
            fd = f(d);
        }
    }
    return 0.5 * (a + b);
}

// dataset -> estimator -> value, from danco_reference.txt (same format as skdim_reference.txt).
std::map<std::string, std::map<std::string, double>> read_danco_reference() {
    std::map<std::string, std::map<std::string, double>> out;
    std::ifstream in(intrinsic_test::data_path("danco_reference.txt"));
    REQUIRE(in.good());
    std::string line;
    while (std::getline(in, line)) {
        if (line.empty() || line[0] == '#') continue;
        std::istringstream ls(line);
        std::string name, est;
        Index n = 0, D = 0;
        int t = 0;
        double v = 0;
        ls >> name >> n >> D >> t >> est >> v;
        out[name][est] = v;
    }
    return out;
}

}  // namespace

TEST_CASE("DANCo special functions: digamma and scaled Bessel I0, I1", "[intrinsic][danco]") {
    using subspace::detail::digamma;
    const double gamma = 0.57721566490153286;
    CHECK(digamma(1.0) == Approx(-gamma).epsilon(1e-14));
    CHECK(digamma(0.5) == Approx(-gamma - 2.0 * std::log(2.0)).epsilon(1e-14));
    double h = 0.0;
    for (int n = 1; n <= 30; ++n) {
        h += 1.0 / n;
        CHECK(digamma(n + 1.0) == Approx(h - gamma).epsilon(1e-14));
    }
    // psi is the derivative of lgamma: central difference at non-integer points.
    for (double x : {1.3, 2.75, 7.1, 23.9}) {
        const double e = 1e-5;
        const double fd = (std::lgamma(x + e) - std::lgamma(x - e)) / (2 * e);
        CHECK(digamma(x) == Approx(fd).epsilon(1e-8));
    }
    for (double x : {0.0, 0.3, 1.0, 4.5, 17.0, 29.9, 30.1, 55.0, 200.0}) {
        for (int nu : {0, 1}) {
            CAPTURE(x, nu);
            CHECK(subspace::detail::bessel_i_scaled(nu, x) ==
                  Approx(bessel_i_scaled_quadrature(nu, x)).epsilon(1e-12).margin(1e-15));
        }
        if (x > 0)
            CHECK(subspace::detail::bessel_ratio(x) ==
                  Approx(bessel_i_scaled_quadrature(1, x) / bessel_i_scaled_quadrature(0, x))
                      .epsilon(1e-12));
    }
    // No overflow where I0 itself does not fit in a double.
    CHECK(
        subspace::detail::log_bessel_i0(1000.0) ==
        Approx(1000.0 - 0.5 * std::log(2 * pi * 1000.0) + std::log1p(1.0 / 8000.0)).epsilon(1e-9));
}

TEST_CASE("DANCo norm statistic is the maximiser of the MiND_ML likelihood", "[intrinsic][danco]") {
    const Index n = 600, k = 10;
    const Eigen::MatrixXd X = subspace::uniform_ball<double>(4, n, 3);
    // Independent rho from the naive sorted distances.
    const auto all = intrinsic_test::naive_sorted<double>(X, true);
    std::vector<double> logrho;
    for (const auto& v : all) logrho.push_back(0.5 * std::log(v[0].first / v[k].first));
    auto loglik = [&](double d) {
        double s = 0.0;
        for (double l : logrho)
            s += std::log(k * d) + (d - 1.0) * l + (k - 1.0) * std::log(-std::expm1(d * l));
        return s;
    };
    for (double bound : {100.0, 6.0}) {
        const subspace::DancoStatistics st =
            subspace::detail::danco_statistics<double>(X, k, bound);
        const double ref = golden_max(loglik, 1e-3, bound);
        CHECK(st.dhat == Approx(ref).epsilon(1e-7));
        CHECK(loglik(st.dhat) >= loglik(st.dhat + 1e-4));
        CHECK(loglik(st.dhat) >= loglik(st.dhat - 1e-4));
    }
    // The maximiser lies beyond a bound of 2: the estimate is the bound (L-BFGS-B's box).
    const subspace::DancoStatistics capped = subspace::detail::danco_statistics<double>(X, k, 2.0);
    CHECK(capped.dhat == Approx(2.0).epsilon(1e-12));
}

TEST_CASE("DANCo von Mises fit against a brute-force likelihood maximisation",
          "[intrinsic][danco]") {
    // Angles in [0, pi] as DANCo sees them, drawn from a few concentrations.
    subspace::RandomStream rs(11);
    for (double spread : {0.2, 0.6, 1.2, 2.5}) {
        std::vector<double> th;
        for (int j = 0; j < 45; ++j) {
            const double u = (static_cast<double>(rs.next_u64() >> 11) + 0.5) * 0x1.0p-53;
            th.push_back(std::min(pi, std::abs(spread * (u - 0.3) + 0.9 * spread)));
        }
        double cs = 0.0, ss = 0.0;
        for (double t : th) {
            cs += std::cos(t);
            ss += std::sin(t);
        }
        const auto fit = subspace::detail::von_mises_fit(cs, ss, double(th.size()));
        auto loglik = [&](double nu, double tau) {
            double s = 0.0;
            for (double t : th) s += von_mises_log_density(t, nu, tau);
            return s;
        };
        // Brute force: grid over nu, then golden section over tau for the best nu, refined.
        double best_nu = 0.0, best = -1e300;
        for (int j = 0; j < 20000; ++j) {
            const double nu = -pi + 2 * pi * j / 20000;
            const double l = loglik(nu, 1.0);
            if (l > best) {
                best = l;
                best_nu = nu;
            }
        }
        best_nu =
            golden_max([&](double nu) { return loglik(nu, 1.0); }, best_nu - 1e-3, best_nu + 1e-3);
        const double best_tau =
            golden_max([&](double tau) { return loglik(best_nu, tau); }, 1e-6, 500.0);
        CAPTURE(spread, fit.first, fit.second, best_nu, best_tau);
        // skdim's nu = atan(S / C) is the ML direction modulo pi.
        CHECK(std::abs(std::sin(fit.first - best_nu)) < 1e-7);
        // The exact ML concentration solves A(tau) = eta; skdim's approximation of A^-1
        // (Best & Fisher 1981) is within 1% of it (0.94% at worst, near tau = 1.2).
        const double eta = std::hypot(cs, ss) / double(th.size());
        CHECK(subspace::detail::bessel_ratio(best_tau) == Approx(eta).epsilon(1e-8));
        CHECK(fit.second == Approx(best_tau).epsilon(0.01));
    }
    // Every angle 0: infinite concentration.
    CHECK(std::isinf(subspace::detail::von_mises_fit(45.0, 0.0, 45.0).second));
}

TEST_CASE("DANCo per-point angle statistics match a direct evaluation", "[intrinsic][danco]") {
    const Index n = 300, k = 6;
    const Eigen::MatrixXd X =
        test_util::random_orthonormal<double>(7, 3, 5) * subspace::Rng(8).normal<double>(3, n);
    const auto all = intrinsic_test::naive_sorted<double>(X, true);
    double nu_sum = 0.0, tau_sum = 0.0;
    for (Index i = 0; i < n; ++i) {
        double cs = 0.0, ss = 0.0;
        for (Index a = 0; a < k; ++a)
            for (Index b = a + 1; b < k; ++b) {
                const Eigen::VectorXd u =
                    X.col(all[std::size_t(i)][std::size_t(a)].second) - X.col(i);
                const Eigen::VectorXd v =
                    X.col(all[std::size_t(i)][std::size_t(b)].second) - X.col(i);
                const double t = std::acos(u.dot(v) / (u.norm() * v.norm()));
                cs += std::cos(t);
                ss += std::sin(t);
            }
        const double m = double(k * (k - 1) / 2);
        nu_sum += std::atan(ss / cs);
        tau_sum += subspace::detail::danco_inverse_bessel_ratio(std::hypot(cs / m, ss / m));
    }
    const subspace::DancoStatistics st = subspace::detail::danco_statistics<double>(X, k, 7.0);
    CHECK(st.nu == Approx(nu_sum / n).epsilon(1e-10));
    CHECK(st.tau == Approx(tau_sum / n).epsilon(1e-10));
}

TEST_CASE("DANCo KL divergences equal their closed forms", "[intrinsic][danco]") {
    for (double k : {3.0, 10.0}) {
        for (const auto& p : std::vector<std::pair<double, double>>{
                 {3.0, 4.5}, {4.5, 3.0}, {1.0, 1.3}, {8.2, 10.0}, {2.0, 2.0}}) {
            CAPTURE(k, p.first, p.second);
            // skdim's closed form is the exact KL plus the constant H_k + (k - 1)/k.
            double hk = 0.0;
            for (int i = 1; i <= int(k); ++i) hk += 1.0 / i;
            const double closed =
                subspace::detail::danco_kl_norm(p.first, p.second, static_cast<Index>(k)) - hk -
                (k - 1.0) / k;
            CHECK(closed == Approx(kl_norm_quadrature(p.first, p.second, k)).margin(1e-7));
        }
    }
    // At equal dimensions only the constant is left: H_10 + 9/10.
    CHECK(subspace::detail::danco_kl_norm(5.0, 5.0, 10) ==
          Approx(7381.0 / 2520.0 + 0.9).epsilon(1e-12));
    for (const auto& q : std::vector<std::array<double, 4>>{{0.3, 0.1, 2.0, 3.5},
                                                            {1.2, -0.4, 12.0, 9.0},
                                                            {0.0, 0.0, 0.5, 0.5},
                                                            {1.4, 1.1, 40.0, 25.0}}) {
        CAPTURE(q[0], q[1], q[2], q[3]);
        CHECK(subspace::detail::danco_kl_von_mises(q[0], q[1], q[2], q[3]) ==
              Approx(kl_von_mises_quadrature(q[0], q[1], q[2], q[3])).margin(1e-10));
    }
}

TEST_CASE("DANCo fractal step finds the minimum of scipy's interpolant", "[intrinsic][danco]") {
    using subspace::detail::danco_fractal_minimum;
    // A not-a-knot cubic spline reproduces a cubic: its minimum 4.3 is found exactly.
    Eigen::VectorXd y(8);
    for (Index i = 0; i < 8; ++i) {
        const double u = double(i + 1) - 4.3;
        y(i) = u * u + 0.1 * u * u * u;
    }
    CHECK(danco_fractal_minimum(y, 4) == Approx(4.3).epsilon(1e-12));
    // Four points: the single cubic; minimum to the left of the start.
    Eigen::VectorXd y4(4);
    for (Index i = 0; i < 4; ++i) {
        const double u = double(i + 1) - 2.6;
        y4(i) = u * u - 0.05 * u * u * u;
    }
    CHECK(danco_fractal_minimum(y4, 3) == Approx(2.6).epsilon(1e-12));
    // D = 3: the parabola through the three points.
    Eigen::VectorXd y3(3);
    for (Index i = 0; i < 3; ++i) y3(i) = std::pow(double(i + 1) - 2.2, 2);
    CHECK(danco_fractal_minimum(y3, 2) == Approx(2.2).epsilon(1e-12));
    // D = 2 (linear) and monotone curves: the integer end point.
    CHECK(danco_fractal_minimum(Eigen::Vector2d(1.0, 0.5), 2) == 2.0);
    Eigen::VectorXd dec(6);
    for (Index i = 0; i < 6; ++i) dec(i) = 10.0 - double(i) - 0.1 * double(i * i);
    CHECK(danco_fractal_minimum(dec, 6) == 6.0);
    CHECK(danco_fractal_minimum(Eigen::VectorXd(-dec), 1) == 1.0);
}

TEST_CASE("DANCo matches scikit-dimension 0.3.4 on benchmark manifolds",
          "[intrinsic][danco][reference]") {
    const auto ref = read_danco_reference();
    const std::map<std::string, std::pair<Index, Index>> sets = {
        {"bench_M2_Affine_3to5_n2500", {2500, 5}}, {"bench_M3_Nonlinear_4to6_n2500", {2500, 6}},
        {"bench_M5a_Helix1d_n2500", {2500, 3}},    {"bench_M7_Roll_n2500", {2500, 3}},
        {"bench_M4_Nonlinear_n2500", {2500, 8}},   {"bench_M13a_Scurve_n2500", {2500, 3}}};
    const auto skdim = intrinsic_test::read_reference();
    // One user-held calibration serves every set (all n = 2500, k = 10).
    subspace::DancoCalibration cal(2500);
    for (const auto& s : sets) {
        const Eigen::MatrixXd X =
            intrinsic_test::read_points(s.first + ".f64", s.second.first, s.second.second);
        const subspace::DancoResult r = subspace::danco_fit(X, cal);
        const double want = ref.at(s.first).at("DANCo");
        if (skdim.count(s.first)) CHECK(skdim.at(s.first).values.at("DANCo") == want);
        CAPTURE(s.first, r.dimension, want, r.kl, ref.at(s.first).at("DANCo_kl"));
        CHECK(std::abs(r.dimension - want) < 0.5);
        CHECK(std::abs(r.kl - ref.at(s.first).at("DANCo_kl")) < 0.05);
        CHECK(r.kl == r.kl_curve(r.integer_dimension - 1));
        CHECK(r.kl_curve.size() == s.second.second);
    }
    CHECK(cal.computed() == 8);
}

TEST_CASE("DANCo calibration is cached, order- and thread-independent", "[intrinsic][danco]") {
    subspace::DancoCalibration a(400, 10, 5);
    subspace::DancoCalibration b(400, 10, 5);
    a.extend(5);
    b.extend(2);
    CHECK(b.computed() == 2);
    b.extend(5);
    for (Index d = 1; d <= 5; ++d) {
        CHECK(a.statistics(d).dhat == b.statistics(d).dhat);
        CHECK(a.statistics(d).nu == b.statistics(d).nu);
        CHECK(a.statistics(d).tau == b.statistics(d).tau);
    }
    CHECK(a.statistics(1).tau == 1.0);  // 1-d balls: tau := 1 as skdim
    CHECK(a.computed() == 5);
    // skdim's bound: the balls' dhat never exceeds k; the intended 2d + 5 lets it grow.
    subspace::DancoCalibration loose(400, 4, 5, false);
    subspace::DancoCalibration tight(400, 4, 5, true);
    CHECK(tight.statistics(7).dhat <= 4.0);
    CHECK(loose.statistics(7).dhat > 4.5);

    const Eigen::MatrixXd X =
        test_util::random_orthonormal<double>(6, 3, 2) * subspace::Rng(4).uniform<double>(3, 400);
    subspace::danco_clear_cache();
    const double first = subspace::danco_dimension(X).dimension;
    REQUIRE(subspace::detail::danco_cache().entries.size() == 1);
    const auto& entry = subspace::detail::danco_cache().entries.begin()->second;
    CHECK(entry->calibration.computed() == 6);
    CHECK(subspace::danco_dimension(X).dimension == first);  // reuses the entry
    CHECK(subspace::detail::danco_cache().entries.size() == 1);
    subspace::DancoOptions fresh;
    fresh.use_cache = false;
    CHECK(subspace::danco_dimension(X, fresh).dimension == first);
    CHECK(std::abs(first - 3.0) < 0.5);
#if defined(_OPENMP)
    const int threads = omp_get_max_threads();
    omp_set_num_threads(1);
    const double one = subspace::danco_dimension(X, fresh).dimension;
    subspace::DancoCalibration c1(400, 10, 5);
    c1.extend(4);
    omp_set_num_threads(std::max(2, threads));
    subspace::DancoCalibration c2(400, 10, 5);
    c2.extend(4);
    omp_set_num_threads(threads);
    CHECK(one == first);
    CHECK(c1.statistics(4).tau == c2.statistics(4).tau);
    CHECK(c1.statistics(4).dhat == c2.statistics(4).dhat);
#endif
    subspace::danco_clear_cache();
    CHECK(subspace::detail::danco_cache().entries.empty());
}

TEMPLATE_TEST_CASE("DANCo on flat data of known dimension, float and double", "[intrinsic][danco]",
                   float, double) {
    using Mat = Eigen::Matrix<TestType, Eigen::Dynamic, Eigen::Dynamic>;
    const Index n = 800;
    const Eigen::MatrixXd Xd =
        test_util::random_orthonormal<double>(7, 4, 9) * subspace::Rng(12).uniform<double>(4, n);
    const Mat X = Xd.cast<TestType>();
    subspace::DancoOptions o;
    const subspace::DancoResult r = subspace::danco_fit(X, o);
    CHECK(std::abs(r.dimension - 4.0) < 0.6);
    CHECK(r.kl_curve.size() == 7);
    CHECK(std::isfinite(r.kl));
    // float differs from double only by rounding in the distances.
    const double dd = subspace::danco_dimension(Xd, o).dimension;
    CHECK(std::abs(r.dimension - dd) < (sizeof(TestType) == 4 ? 0.05 : 1e-12));
    o.fractal = false;
    CHECK(subspace::danco_dimension(X, o).dimension == double(r.integer_dimension));
    o.d_max = 3;  // D below the truth: the estimate is capped
    CHECK(subspace::danco_dimension(X, o).dimension <= 3.0);
}

TEST_CASE("DANCo on degenerate data: duplicates, a line, a plane", "[intrinsic][danco]") {
    const Index n = 500;
    // Points of a 2-plane in R^5 plus exact duplicates: the duplicates are dropped.
    const Eigen::MatrixXd P =
        test_util::random_orthonormal<double>(5, 2, 1) * subspace::Rng(2).uniform<double>(2, n);
    Eigen::MatrixXd Pd(5, n + 40);
    Pd << P, P.leftCols(40);
    const subspace::DancoResult a = subspace::danco_fit(P);
    const subspace::DancoResult b = subspace::danco_fit(Pd);
    CHECK(b.dimension == a.dimension);
    CHECK(std::abs(a.dimension - 2.0) < 0.5);
    // Points on a line in R^3: the end points see all neighbours on one ray (tau = inf), left
    // out of the mean; the estimate is finite and about 1.
    Eigen::MatrixXd L(3, n);
    const Eigen::RowVectorXd t = subspace::Rng(7).uniform<double>(1, n);
    L.row(0) = t;
    L.row(1) = 2.0 * t;
    L.row(2) = -t;
    L.col(0).setZero();  // an extreme point
    const subspace::DancoResult l = subspace::danco_fit(L);
    CHECK(std::isfinite(l.dimension));
    CHECK(std::isfinite(l.statistics.tau));
    CHECK(l.dimension < 1.5);
    // One-dimensional ambient space.
    const subspace::DancoResult one = subspace::danco_fit(Eigen::MatrixXd(t));
    CHECK(one.dimension == 1.0);
    CHECK(one.statistics.tau == 1.0);
}

TEST_CASE("DANCo rejects bad input", "[intrinsic][danco][errors]") {
    const Eigen::MatrixXd X = subspace::Rng(1).normal<double>(3, 40);
    subspace::DancoOptions o;
    REQUIRE_INVALID(subspace::danco_dimension(Eigen::MatrixXd(3, 0)), "subspace::danco_fit", "'X'",
                    "non-empty");
    REQUIRE_INVALID(subspace::danco_dimension(Eigen::MatrixXd(X.leftCols(3))),
                    "subspace::danco_fit", "'X'", "at least 4");
    o.k = 1;
    REQUIRE_INVALID(subspace::danco_dimension(X, o), "subspace::danco_fit", "opts.k");
    o.k = 39;
    REQUIRE_INVALID(subspace::danco_dimension(X, o), "subspace::danco_fit", "opts.k", "38");
    o.k = 10;
    o.d_max = -1;
    REQUIRE_INVALID(subspace::danco_dimension(X, o), "subspace::danco_fit", "opts.d_max");
    o.d_max = 0;
    Eigen::MatrixXd bad = X;
    bad(1, 7) = std::numeric_limits<double>::quiet_NaN();
    REQUIRE_INVALID(subspace::danco_dimension(bad, o), "subspace::danco_fit", "'X'", "finite");
    // Too few distinct points once duplicates are dropped.
    Eigen::MatrixXd dup(3, 40);
    for (Index j = 0; j < 40; ++j) dup.col(j) = X.col(j % 5);
    REQUIRE_INVALID(subspace::danco_dimension(dup, o), "subspace::danco_fit", "distinct");
    // Calibration built for another n or k.
    subspace::DancoCalibration cal(41, 10);
    REQUIRE_INVALID(subspace::danco_dimension(X, cal, o), "subspace::danco_fit", "calibration",
                    "n = 40");
    subspace::DancoCalibration cal_k(40, 5);
    REQUIRE_INVALID(subspace::danco_dimension(X, cal_k, o), "subspace::danco_fit", "calibration",
                    "k = ");
    REQUIRE_INVALID(subspace::DancoCalibration(40, 39), "subspace::DancoCalibration", "'k'");
    REQUIRE_INVALID(subspace::DancoCalibration(3, 2), "subspace::DancoCalibration", "'n'");
    REQUIRE_INVALID(cal.extend(0), "subspace::DancoCalibration::extend", "d_max");
}
