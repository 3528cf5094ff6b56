/// \file subspace/intrinsic/benchmark_manifolds.hpp
/// \brief The synthetic benchmark suite of intrinsic-dimension estimation (24 manifolds of known
/// dimension), generated as scikit-dimension 0.3.4's `skdim.datasets.BenchmarkManifolds` does.
///
/// The suite is the one of M. Hein & J.-Y. Audibert 2005, "Intrinsic dimensionality estimation of
/// submanifolds in R^d" (ICML 2005, Section 4, manifolds M1...M13) extended by P. Campadelli,
/// E. Casiraghi, C. Ceruti & A. Rozza 2015, "Intrinsic dimension estimation: relevant techniques
/// and a benchmark framework" (Mathematical Problems in Engineering 2015:759567, Table 1: Mβ, MN1,
/// MN2, MP1...MP3). The formulas, default dimensions and sampling distributions are those of
/// scikit-dimension 0.3.4 (J. Bac, E. M. Mirkes, A. N. Gorban, I. Tyukin & A. Zinovyev 2021,
/// "Scikit-dimension: a Python package for intrinsic dimension estimation", Entropy 23:1368;
/// file skdim/datasets.py, class BenchmarkManifolds, itself adapted from GeoMLE), because that is
/// the reference our estimators are compared with. With U ~ uniform(0, 1), every point is
/// (d = intrinsic dimension, D = ambient dimension, default (d, D) in parentheses, trailing
/// coordinates up to D are zero):
///
/// - M1_Sphere (d = 10, D = 11): g / ‖g‖ with g ~ N(0, I_{d+1}), uniform on S^d ⊂ R^{d+1};
/// - M2_Affine_3to5 (3, 5): A p + b, p ~ U[0, 4)^3, A (5 x 3) and b fixed (below);
/// - M3_Nonlinear_4to6 (4, 6): (p₁² cos 2πp₀, p₂² sin 2πp₀, p₁ + p₂ + (p₁ − p₃)²,
///   p₁ − 2p₂ + (p₀ − p₃)², −p₁ − 2p₂ + (p₂ − p₃)², p₀² − p₁² + p₂² − p₃²), p ~ U[0, 1)^4;
/// - M4, M6, M8_Nonlinear (4, 8; 6, 36; 12, 72): D / (2d) identical copies of the 2d coordinates
///   (p_{i+1} cos 2πp_i, p_{i+1} sin 2πp_i), i < d, with p_d := p₀ and p ~ U[0, 1)^d;
/// - M5a_Helix1d (1, 3): ((2 + cos 8t) cos t, (2 + cos 8t) sin t, sin 8t), t = 2π/n + 2πU;
/// - M5b_Helix2d (2, 3): (r cos p, r sin p, p/2), r, p ~ U[0, 10π);
/// - M7_Roll (2, 3): (t cos t, h, t sin t), t = 1.5π(1 + 2U), h ~ U[0, 21);
/// - M9_Affine (20, 20): p ~ U[−2.5, 2.5)^d (skdim's embedding matrix is eye(D, d));
/// - M10a...d_Cubic (10, 11; 17, 18; 24, 25; 70, 71): the surface of the unit (d+1)-cube, face
///   by face (below);
/// - M11_Moebius (2, 3): ((1 + ρ/2 cos 5φ) cos φ, (1 + ρ/2 cos 5φ) sin φ, ρ/2 sin 5φ),
///   φ ~ U[0, 2π), ρ ~ U[−1, 1);
/// - M12_Norm (20, 20): N(0, I_d);
/// - M13a_Scurve (2, 3): (sin t, h, sign(t)(cos t − 1)), t = 3π(U − 1/2), h ~ U[0, 2);
/// - M13b_Spiral (1, 13): (100 cos t, 100 sin t, t), t ~ U[0, 10π);
/// - Mbeta (10, 40): (a, b, a, b), a_i = x_i sin(cos 2πx_i), b_i = x_i cos(sin 2πx_i),
///   x_i ~ Beta(10, 1/2);
/// - Mn1, Mn2_Nonlinear (18, 72; 24, 96): (a, b, a, b), a_i = tan(x_i cos x_{d−1−i}),
///   b_i = atan(x_{d−1−i} sin x_i), x ~ U[0, 1)^d;
/// - Mp1, Mp2, Mp3_Paraboloid (3, 12; 6, 21; 9, 30): (y, sin y, y²) with y = (x, ‖x‖²) in
///   R^{d+1}, x_i = 1 / (1 + E_i / E₀), E ~ Exp(1)^{d+1} (a multivariate Burr law);
///
/// with, for M2, A = [[1.2, −0.5, 0], [0.5, 0.9, 0], [−0.5, −0.2, 1], [0.4, −0.9, −0.1],
/// [1.1, −0.3, 0]] and b = (3, −1, 0, 0, 8). Cubes (M10): with n₁ = ⌊n / (2(d+1))⌋ + 1, point j
/// lies on face f = ⌊j / n₁⌋, whose coordinate ⌊f/2⌋ is f mod 2 while the other d of the first
/// d + 1 coordinates are U[0, 1); only the first n of the 2(d+1) n₁ points are kept, exactly as
/// skdim does (so the points come ordered by face and, when n₁ does not divide n evenly, the last
/// faces are short or empty: for M10d at n = 2500 the faces x₆₉ = 1, x₇₀ = 0 and x₇₀ = 1 receive
/// no point).
///
/// Our random streams are Philox (core/rng.hpp), not numpy's Mersenne Twister, so the points are
/// not skdim's points; the geometry and the sampling distribution are the same.
#pragma once

#include <cmath>
#include <cstdint>
#include <string>
#include <type_traits>
#include <vector>

#include <Eigen/Core>

#include "subspace/core/config.hpp"
#include "subspace/core/error.hpp"
#include "subspace/core/rng.hpp"
#include "subspace/detail/parallel.hpp"

namespace subspace {

/// \ingroup intrinsic
/// The 24 benchmark manifolds of scikit-dimension 0.3.4's `BenchmarkManifolds`, in its order.
/// (Identifiers keep skdim's names, e.g. "M10a_Cubic", so that they read as in the literature.)
enum class BenchmarkManifold {
    M1_Sphere,          ///< uniform 10-sphere in R^11
    M2_Affine_3to5,     ///< 3-dimensional affine subspace of R^5
    M3_Nonlinear_4to6,  ///< concentrated 4-dimensional figure in R^6
    M4_Nonlinear,       ///< 4-dimensional nonlinear manifold in R^8
    M5a_Helix1d,        ///< curve winding 8 times around a torus, in R^3
    M5b_Helix2d,        ///< helicoid (2-dimensional) in R^3
    M6_Nonlinear,       ///< 6-dimensional nonlinear manifold in R^36
    M7_Roll,            ///< Swiss roll in R^3
    M8_Nonlinear,       ///< 12-dimensional nonlinear manifold in R^72
    M9_Affine,          ///< uniform 20-dimensional cube in R^20
    M10a_Cubic,         ///< surface of the 11-cube (10-dimensional) in R^11
    M10b_Cubic,         ///< surface of the 18-cube (17-dimensional) in R^18
    M10c_Cubic,         ///< surface of the 25-cube (24-dimensional) in R^25
    M10d_Cubic,         ///< surface of the 71-cube (70-dimensional) in R^71
    M11_Moebius,        ///< band twisted 10 half-turns, in R^3
    M12_Norm,           ///< isotropic Gaussian in R^20
    M13a_Scurve,        ///< S-curve surface in R^3
    M13b_Spiral,        ///< helix curve of radius 100 in R^13
    Mbeta,              ///< 10-dimensional manifold with a non-uniform (Beta) density in R^40
    Mn1_Nonlinear,      ///< 18-dimensional nonlinear manifold in R^72
    Mn2_Nonlinear,      ///< 24-dimensional nonlinear manifold in R^96
    Mp1_Paraboloid,     ///< 3-dimensional paraboloid (Burr density) in R^12
    Mp2_Paraboloid,     ///< 6-dimensional paraboloid in R^21
    Mp3_Paraboloid      ///< 9-dimensional paraboloid in R^30
};

/// \ingroup intrinsic
/// One row of the benchmark table: skdim's name, default ambient dimension D and intrinsic
/// dimension d (skdim's `BenchmarkManifolds._dict_truth`), and what the manifold is.
struct BenchmarkManifoldInfo {
    BenchmarkManifold id;     ///< the manifold
    const char* name;         ///< skdim's name, e.g. "M1_Sphere"
    Index ambient_dim;        ///< default number of coordinates D (rows of the generated matrix)
    Index intrinsic_dim;      ///< true intrinsic dimension d
    const char* description;  ///< short description
};

/// \ingroup intrinsic
/// Additive noise of `benchmark_manifold`.
enum class BenchmarkNoise {
    gaussian,  ///< noise · N(0, 1) on every coordinate (skdim's noise_type "normal")
    uniform    ///< noise · (U(0, 1) − 1/2) on every coordinate (skdim's default noise_type)
};

/// \ingroup intrinsic
/// Options of `benchmark_manifold`. A zero dimension means the manifold's default; an override
/// must satisfy the manifold's constraint (the assertions of skdim's generator):
/// - free d ≥ 1, any D > d (zero-padded): M1_Sphere (default D = d + 1), M10*_Cubic (D = d + 1);
/// - free d ≥ 1, any D ≥ d (zero-padded): M9_Affine, M12_Norm (default D = d);
/// - free d ≥ 1, D a positive multiple of 2d (D / 2d copies): M4/M6/M8_Nonlinear (default: as
///   many copies as the manifold has, 1 for M4, 3 for M6 and M8);
/// - free d ≥ 1, D = 4d: Mbeta, Mn1/Mn2_Nonlinear; D = 3(d + 1): Mp1/Mp2/Mp3_Paraboloid;
/// - fixed d, any D ≥ 3 (zero-padded): M5a_Helix1d and M13b_Spiral (d = 1), M5b_Helix2d, M7_Roll
///   and M13a_Scurve (d = 2);
/// - fixed d and D: M2_Affine_3to5 (3, 5), M3_Nonlinear_4to6 (4, 6), M11_Moebius (2, 3).
struct BenchmarkManifoldOptions {
    Index ambient_dim = 0;    ///< number of coordinates D; 0 = the manifold's default
    Index intrinsic_dim = 0;  ///< intrinsic dimension d; 0 = the manifold's default
    double noise = 0.0;       ///< noise level (standard deviation, or width if uniform), >= 0
    BenchmarkNoise noise_type = BenchmarkNoise::gaussian;  ///< distribution of the noise
};

namespace detail {

enum class BenchmarkFamily {
    sphere,
    affine3to5,
    nonlinear4to6,
    nonlinear,
    helix1,
    helix2,
    roll,
    affine,
    cubic,
    moebius,
    norm,
    scurve,
    spiral,
    beta,
    campadelli_n,
    paraboloid
};

inline BenchmarkFamily benchmark_family(BenchmarkManifold m) {
    using M = BenchmarkManifold;
    using F = BenchmarkFamily;
    switch (m) {
        case M::M1_Sphere:
            return F::sphere;
        case M::M2_Affine_3to5:
            return F::affine3to5;
        case M::M3_Nonlinear_4to6:
            return F::nonlinear4to6;
        case M::M4_Nonlinear:
        case M::M6_Nonlinear:
        case M::M8_Nonlinear:
            return F::nonlinear;
        case M::M5a_Helix1d:
            return F::helix1;
        case M::M5b_Helix2d:
            return F::helix2;
        case M::M7_Roll:
            return F::roll;
        case M::M9_Affine:
            return F::affine;
        case M::M10a_Cubic:
        case M::M10b_Cubic:
        case M::M10c_Cubic:
        case M::M10d_Cubic:
            return F::cubic;
        case M::M11_Moebius:
            return F::moebius;
        case M::M12_Norm:
            return F::norm;
        case M::M13a_Scurve:
            return F::scurve;
        case M::M13b_Spiral:
            return F::spiral;
        case M::Mbeta:
            return F::beta;
        case M::Mn1_Nonlinear:
        case M::Mn2_Nonlinear:
            return F::campadelli_n;
        case M::Mp1_Paraboloid:
        case M::Mp2_Paraboloid:
        case M::Mp3_Paraboloid:
            return F::paraboloid;
    }
    return F::sphere;  // unreachable for valid enumerators (checked by the callers)
}

inline bool benchmark_valid_id(BenchmarkManifold m) {
    const auto v = static_cast<int>(m);
    return v >= static_cast<int>(BenchmarkManifold::M1_Sphere) &&
           v <= static_cast<int>(BenchmarkManifold::Mp3_Paraboloid);
}

inline void check_benchmark_id(const char* fn, BenchmarkManifold m) {
    if (!benchmark_valid_id(m))
        throw_invalid(fn, "m", "a BenchmarkManifold enumerator (0 to 23)",
                      to_text(static_cast<int>(m)));
}

/// Standard gamma deviate of shape a > 0 (Marsaglia & Tsang 2000, "A simple method for
/// generating gamma variables", ACM TOMS 26:363; for a < 1 the boost Ga(a) = Ga(a + 1) U^{1/a}).
inline double gamma_deviate(double a, RandomStream& rs) {
    if (a < 1.0) {
        const double g = gamma_deviate(a + 1.0, rs);
        return g * std::pow(rs.next_uniform(), 1.0 / a);
    }
    const double dd = a - 1.0 / 3.0;
    const double c = 1.0 / std::sqrt(9.0 * dd);
    for (;;) {
        double x = 0.0;
        double v = 0.0;
        do {
            x = rs.next_normal();
            v = 1.0 + c * x;
        } while (v <= 0.0);
        v = v * v * v;
        const double u = rs.next_uniform();
        if (std::log(u) < 0.5 * x * x + dd - dd * v + dd * std::log(v)) return dd * v;
    }
}

struct BenchmarkDims {
    Index ambient;
    Index intrinsic;
};

/// The (D, d) of a request, after defaults and the manifold's constraints.
inline BenchmarkDims resolve_benchmark_dims(const char* fn, BenchmarkManifold m,
                                            const BenchmarkManifoldInfo& info,
                                            const BenchmarkManifoldOptions& o) {
    check_nonnegative(fn, "opts.ambient_dim", o.ambient_dim);
    check_nonnegative(fn, "opts.intrinsic_dim", o.intrinsic_dim);
    const BenchmarkFamily fam = benchmark_family(m);
    const std::string who = std::string(" for ") + info.name;
    const bool fixed_d = fam == BenchmarkFamily::affine3to5 ||
                         fam == BenchmarkFamily::nonlinear4to6 || fam == BenchmarkFamily::helix1 ||
                         fam == BenchmarkFamily::helix2 || fam == BenchmarkFamily::roll ||
                         fam == BenchmarkFamily::moebius || fam == BenchmarkFamily::scurve ||
                         fam == BenchmarkFamily::spiral;
    if (fixed_d && o.intrinsic_dim != 0 && o.intrinsic_dim != info.intrinsic_dim)
        throw_invalid(fn, "opts.intrinsic_dim",
                      "0 (default) or " + to_text(info.intrinsic_dim) + who + " (fixed)",
                      to_text(o.intrinsic_dim));
    const Index d = o.intrinsic_dim != 0 ? o.intrinsic_dim : info.intrinsic_dim;
    Index D = o.ambient_dim;
    std::string rule;
    bool ok = true;
    switch (fam) {
        case BenchmarkFamily::sphere:
        case BenchmarkFamily::cubic:
            if (D == 0) D = d + 1;
            ok = D > d;
            rule = "greater than intrinsic_dim = " + to_text(d);
            break;
        case BenchmarkFamily::affine:
        case BenchmarkFamily::norm:
            if (D == 0) D = d;
            ok = D >= d;
            rule = "at least intrinsic_dim = " + to_text(d);
            break;
        case BenchmarkFamily::nonlinear: {
            const Index copies = info.ambient_dim / (2 * info.intrinsic_dim);
            if (D == 0) D = 2 * d * copies;
            ok = D >= 2 * d && D % (2 * d) == 0;
            rule = "a positive multiple of 2 * intrinsic_dim = " + to_text(2 * d);
            break;
        }
        case BenchmarkFamily::beta:
        case BenchmarkFamily::campadelli_n:
            if (D == 0) D = 4 * d;
            ok = D == 4 * d;
            rule = "4 * intrinsic_dim = " + to_text(4 * d);
            break;
        case BenchmarkFamily::paraboloid:
            if (D == 0) D = 3 * (d + 1);
            ok = D == 3 * (d + 1);
            rule = "3 * (intrinsic_dim + 1) = " + to_text(3 * (d + 1));
            break;
        case BenchmarkFamily::helix1:
        case BenchmarkFamily::helix2:
        case BenchmarkFamily::roll:
        case BenchmarkFamily::scurve:
        case BenchmarkFamily::spiral:
            if (D == 0) D = info.ambient_dim;
            ok = D >= 3;
            rule = "at least 3";
            break;
        case BenchmarkFamily::affine3to5:
        case BenchmarkFamily::nonlinear4to6:
        case BenchmarkFamily::moebius:
            if (D == 0) D = info.ambient_dim;
            ok = D == info.ambient_dim;
            rule = "0 (default) or " + to_text(info.ambient_dim) + " (fixed)";
            break;
    }
    if (!ok) throw_invalid(fn, "opts.ambient_dim", rule + who, to_text(o.ambient_dim));
    return {D, d};
}

/// Fills the first rows of Y (D x n, zero) with the noiseless points of manifold m.
inline void benchmark_points(BenchmarkManifold m, Index d, Index n, std::uint64_t seed,
                             Eigen::MatrixXd& Y) {
    constexpr double pi = 3.14159265358979323846;
    constexpr double two_pi = 2.0 * pi;
    const auto idx = static_cast<std::uint32_t>(m);
    const Rng rng(seed, 0x424D0000u + idx);
    const Index D = Y.rows();
    const double work = static_cast<double>(D) * static_cast<double>(n) * 20.0;
    switch (benchmark_family(m)) {
        case BenchmarkFamily::sphere: {
            Y.topRows(d + 1) = rng.normal<double>(d + 1, n);
            for (Index j = 0; j < n; ++j) {
                const double r = Y.col(j).head(d + 1).norm();
                if (r > 0.0)
                    Y.col(j).head(d + 1) /= r;
                else
                    Y(0, j) = 1.0;  // probability zero: keep the point on the sphere
            }
            break;
        }
        case BenchmarkFamily::affine3to5: {
            const Eigen::MatrixXd P = 4.0 * rng.uniform<double>(3, n);
            Eigen::Matrix<double, 5, 3> A;
            A << 1.2, -0.5, 0.0, 0.5, 0.9, 0.0, -0.5, -0.2, 1.0, 0.4, -0.9, -0.1, 1.1, -0.3, 0.0;
            Eigen::Matrix<double, 5, 1> b;
            b << 3.0, -1.0, 0.0, 0.0, 8.0;
            Y = (A * P).colwise() + b;
            break;
        }
        case BenchmarkFamily::nonlinear4to6: {
            const Eigen::MatrixXd P = rng.uniform<double>(4, n);
            parallel_for(
                n,
                [&](Index j) {
                    const double p0 = P(0, j), p1 = P(1, j), p2 = P(2, j), p3 = P(3, j);
                    Y(0, j) = p1 * p1 * std::cos(two_pi * p0);
                    Y(1, j) = p2 * p2 * std::sin(two_pi * p0);
                    Y(2, j) = p1 + p2 + (p1 - p3) * (p1 - p3);
                    Y(3, j) = p1 - 2.0 * p2 + (p0 - p3) * (p0 - p3);
                    Y(4, j) = -p1 - 2.0 * p2 + (p2 - p3) * (p2 - p3);
                    Y(5, j) = p0 * p0 - p1 * p1 + p2 * p2 - p3 * p3;
                },
                work);
            break;
        }
        case BenchmarkFamily::nonlinear: {
            const Eigen::MatrixXd P = rng.uniform<double>(d, n);
            const Index copies = D / (2 * d);
            parallel_for(
                n,
                [&](Index j) {
                    for (Index i = 0; i < d; ++i) {
                        const double r = P((i + 1) % d, j);
                        Y(2 * i, j) = r * std::cos(two_pi * P(i, j));
                        Y(2 * i + 1, j) = r * std::sin(two_pi * P(i, j));
                    }
                    for (Index c = 1; c < copies; ++c)
                        Y.col(j).segment(2 * d * c, 2 * d) = Y.col(j).head(2 * d);
                },
                work);
            break;
        }
        case BenchmarkFamily::helix1: {
            const Eigen::MatrixXd U = rng.uniform<double>(1, n);
            const double offset = two_pi / static_cast<double>(n);  // skdim's 2π/n shift
            parallel_for(
                n,
                [&](Index j) {
                    const double t = offset + U(0, j) * two_pi;
                    const double rad = 2.0 + std::cos(8.0 * t);
                    Y(0, j) = rad * std::cos(t);
                    Y(1, j) = rad * std::sin(t);
                    Y(2, j) = std::sin(8.0 * t);
                },
                work);
            break;
        }
        case BenchmarkFamily::helix2: {
            const Eigen::MatrixXd U = rng.uniform<double>(2, n);
            parallel_for(
                n,
                [&](Index j) {
                    const double r = 10.0 * pi * U(0, j);
                    const double p = 10.0 * pi * U(1, j);
                    Y(0, j) = r * std::cos(p);
                    Y(1, j) = r * std::sin(p);
                    Y(2, j) = 0.5 * p;
                },
                work);
            break;
        }
        case BenchmarkFamily::roll: {
            const Eigen::MatrixXd U = rng.uniform<double>(2, n);
            parallel_for(
                n,
                [&](Index j) {
                    const double t = 1.5 * pi * (1.0 + 2.0 * U(0, j));
                    Y(0, j) = t * std::cos(t);
                    Y(1, j) = 21.0 * U(1, j);
                    Y(2, j) = t * std::sin(t);
                },
                work);
            break;
        }
        case BenchmarkFamily::affine:
            Y.topRows(d) = (rng.uniform<double>(d, n).array() * 5.0 - 2.5).matrix();
            break;
        case BenchmarkFamily::cubic: {
            Y.topRows(d + 1) = rng.uniform<double>(d + 1, n);
            const Index per_face = n / (2 * (d + 1)) + 1;  // skdim: int(n / (2 (d + 1)) + 1)
            for (Index j = 0; j < n; ++j) {
                const Index face = j / per_face;
                Y(face / 2, j) = static_cast<double>(face % 2);
            }
            break;
        }
        case BenchmarkFamily::moebius: {
            const Eigen::MatrixXd U = rng.uniform<double>(2, n);
            parallel_for(
                n,
                [&](Index j) {
                    const double phi = U(0, j) * two_pi;
                    const double rho = U(1, j) * 2.0 - 1.0;
                    const double w = 1.0 + 0.5 * rho * std::cos(5.0 * phi);
                    Y(0, j) = w * std::cos(phi);
                    Y(1, j) = w * std::sin(phi);
                    Y(2, j) = 0.5 * rho * std::sin(5.0 * phi);
                },
                work);
            break;
        }
        case BenchmarkFamily::norm:
            Y.topRows(d) = rng.normal<double>(d, n);
            break;
        case BenchmarkFamily::scurve: {
            const Eigen::MatrixXd U = rng.uniform<double>(2, n);
            parallel_for(
                n,
                [&](Index j) {
                    const double t = 3.0 * pi * (U(0, j) - 0.5);
                    const double sgn = t > 0.0 ? 1.0 : (t < 0.0 ? -1.0 : 0.0);
                    Y(0, j) = std::sin(t);
                    Y(1, j) = 2.0 * U(1, j);
                    Y(2, j) = sgn * (std::cos(t) - 1.0);
                },
                work);
            break;
        }
        case BenchmarkFamily::spiral: {
            const Eigen::MatrixXd U = rng.uniform<double>(1, n);
            parallel_for(
                n,
                [&](Index j) {
                    const double t = 10.0 * pi * U(0, j);
                    Y(0, j) = 100.0 * std::cos(t);
                    Y(1, j) = 100.0 * std::sin(t);
                    Y(2, j) = t;
                },
                work);
            break;
        }
        case BenchmarkFamily::beta: {
            // Beta(10, 1/2) = G₁ / (G₁ + G₂), Gᵢ gamma; sequential rejection draws (one stream).
            RandomStream rs(seed, 0x424D0000u + idx);
            for (Index j = 0; j < n; ++j)
                for (Index i = 0; i < d; ++i) {
                    const double g1 = gamma_deviate(10.0, rs);
                    const double g2 = gamma_deviate(0.5, rs);
                    const double x = g1 / (g1 + g2);
                    Y(i, j) = x * std::sin(std::cos(two_pi * x));
                    Y(d + i, j) = x * std::cos(std::sin(two_pi * x));
                }
            Y.middleRows(2 * d, 2 * d) = Y.topRows(2 * d);
            break;
        }
        case BenchmarkFamily::campadelli_n: {
            const Eigen::MatrixXd X = rng.uniform<double>(d, n);
            parallel_for(
                n,
                [&](Index j) {
                    for (Index i = 0; i < d; ++i) {
                        const double xi = X(i, j);
                        const double xm = X(d - 1 - i, j);
                        Y(i, j) = std::tan(xi * std::cos(xm));
                        Y(d + i, j) = std::atan(xm * std::sin(xi));
                    }
                    Y.col(j).segment(2 * d, 2 * d) = Y.col(j).head(2 * d);
                },
                work);
            break;
        }
        case BenchmarkFamily::paraboloid: {
            const Eigen::MatrixXd E = -(rng.uniform<double>(d + 1, n).array().log()).matrix();
            parallel_for(
                n,
                [&](Index j) {
                    double sq = 0.0;
                    for (Index i = 0; i < d; ++i) {
                        const double x = 1.0 / (1.0 + E(i + 1, j) / E(0, j));
                        Y(i, j) = x;
                        sq += x * x;
                    }
                    Y(d, j) = sq;
                    for (Index i = 0; i <= d; ++i) {
                        const double y = Y(i, j);
                        Y(d + 1 + i, j) = std::sin(y);
                        Y(2 * (d + 1) + i, j) = y * y;
                    }
                },
                work);
            break;
        }
    }
}

}  // namespace detail

/// \ingroup intrinsic
/// The benchmark table, all 24 manifolds in skdim's order (`BenchmarkManifolds._dict_truth`):
/// name, default ambient dimension D, intrinsic dimension d and a description. Built once (a
/// function-local static, thread-safe); O(1).
inline const std::vector<BenchmarkManifoldInfo>& benchmark_manifolds() {
    using M = BenchmarkManifold;
    static const std::vector<BenchmarkManifoldInfo> table = {
        {M::M1_Sphere, "M1_Sphere", 11, 10, "10-sphere, uniform, in R^11"},
        {M::M2_Affine_3to5, "M2_Affine_3to5", 5, 3, "3-dimensional affine subspace of R^5"},
        {M::M3_Nonlinear_4to6, "M3_Nonlinear_4to6", 6, 4,
         "concentrated 4-dimensional figure in R^6, mistakable with a 3-dimensional one"},
        {M::M4_Nonlinear, "M4_Nonlinear", 8, 4, "4-dimensional nonlinear manifold in R^8"},
        {M::M5a_Helix1d, "M5a_Helix1d", 3, 1, "1-dimensional helix wound around a torus"},
        {M::M5b_Helix2d, "M5b_Helix2d", 3, 2, "2-dimensional helicoid"},
        {M::M6_Nonlinear, "M6_Nonlinear", 36, 6,
         "6-dimensional nonlinear manifold, 3 identical copies of its 12 coordinates"},
        {M::M7_Roll, "M7_Roll", 3, 2, "Swiss roll"},
        {M::M8_Nonlinear, "M8_Nonlinear", 72, 12,
         "12-dimensional (highly curved) nonlinear manifold, 3 identical copies of 24 coordinates"},
        {M::M9_Affine, "M9_Affine", 20, 20, "20-dimensional cube [-2.5, 2.5)^20"},
        {M::M10a_Cubic, "M10a_Cubic", 11, 10, "surface of the unit 11-cube (10-dimensional)"},
        {M::M10b_Cubic, "M10b_Cubic", 18, 17, "surface of the unit 18-cube (17-dimensional)"},
        {M::M10c_Cubic, "M10c_Cubic", 25, 24, "surface of the unit 25-cube (24-dimensional)"},
        {M::M10d_Cubic, "M10d_Cubic", 71, 70, "surface of the unit 71-cube (70-dimensional)"},
        {M::M11_Moebius, "M11_Moebius", 3, 2, "band twisted 10 half-turns (Moebius-like)"},
        {M::M12_Norm, "M12_Norm", 20, 20, "isotropic multivariate Gaussian"},
        {M::M13a_Scurve, "M13a_Scurve", 3, 2, "2-dimensional S-curve"},
        {M::M13b_Spiral, "M13b_Spiral", 13, 1, "1-dimensional helix curve of radius 100"},
        {M::Mbeta, "Mbeta", 40, 10,
         "10-dimensional manifold with a smooth non-uniform (Beta(10, 1/2)) density"},
        {M::Mn1_Nonlinear, "Mn1_Nonlinear", 72, 18,
         "nonlinearly embedded manifold of high intrinsic dimension (18)"},
        {M::Mn2_Nonlinear, "Mn2_Nonlinear", 96, 24,
         "nonlinearly embedded manifold of high intrinsic dimension (24)"},
        {M::Mp1_Paraboloid, "Mp1_Paraboloid", 12, 3,
         "3-dimensional paraboloid, nonlinearly embedded in R^(3(3+1)), multivariate Burr density"},
        {M::Mp2_Paraboloid, "Mp2_Paraboloid", 21, 6,
         "6-dimensional paraboloid, nonlinearly embedded in R^(3(6+1)), multivariate Burr density"},
        {M::Mp3_Paraboloid, "Mp3_Paraboloid", 30, 9,
         "9-dimensional paraboloid, nonlinearly embedded in R^(3(9+1)), multivariate Burr "
         "density"},
    };
    return table;
}

/// \ingroup intrinsic
/// The table row of manifold `m` (its default D and d). O(1).
/// \throws invalid_argument if `m` is not one of the 24 enumerators (e.g. a bad cast).
inline BenchmarkManifoldInfo benchmark_manifold_info(BenchmarkManifold m) {
    detail::check_benchmark_id("subspace::benchmark_manifold_info", m);
    return benchmark_manifolds()[static_cast<std::size_t>(m)];
}

/// \ingroup intrinsic
/// The manifold with skdim's name `name` (exact, case-sensitive: "M1_Sphere", ...,
/// "Mp3_Paraboloid"). O(24).
/// \throws invalid_argument naming the argument 'name' for an unknown name.
inline BenchmarkManifold benchmark_manifold_from_name(const std::string& name) {
    std::string all;
    for (const auto& info : benchmark_manifolds()) {
        if (name == info.name) return info.id;
        all += all.empty() ? "" : ", ";
        all += info.name;
    }
    detail::throw_invalid("subspace::benchmark_manifold_from_name", "name",
                          "one of the benchmark names (" + all + ")", "'" + name + "'");
}

/// \ingroup intrinsic
/// n points of benchmark manifold `m`, as a D x n matrix (columns are points), drawn as
/// scikit-dimension 0.3.4's `BenchmarkManifolds` draws them (see the file comment for every
/// formula), plus optional additive noise on all D coordinates.
///
/// Randomness: Philox (core/rng.hpp), stream fixed per manifold; the points are a pure function
/// of (m, n, seed, opts): same seed, same bits, whatever the number of threads. The points are
/// computed in double and rounded, so the float result is the rounded double result.
///
/// \code
/// Eigen::MatrixXd X = subspace::benchmark_manifold(subspace::BenchmarkManifold::M7_Roll, 2500);
/// // 3 x 2500, true intrinsic dimension benchmark_manifold_info(M7_Roll).intrinsic_dim = 2
/// \endcode
///
/// \param m     the manifold
/// \param n     number of points, >= 1
/// \param seed  Philox seed (default 0)
/// \param opts  dimension overrides (0 = default; see BenchmarkManifoldOptions for what each
///              manifold accepts) and noise (default none)
/// \returns D x n with D = opts.ambient_dim or the manifold's default.
/// Cost: O(D n) time and memory (one double D x n work matrix, plus the result for float).
/// \throws invalid_argument naming the function and the argument for n < 1, an invalid `m`,
/// negative or non-finite `opts.noise`, or a dimension override the manifold does not accept.
template <class Scalar = double>
Matrix<Scalar> benchmark_manifold(BenchmarkManifold m, Index n, std::uint64_t seed = 0,
                                  const BenchmarkManifoldOptions& opts = {}) {
    static_assert(std::is_floating_point<Scalar>::value,
                  "benchmark_manifold: Scalar must be a floating-point type");
    const char* fn = "subspace::benchmark_manifold";
    detail::check_benchmark_id(fn, m);
    detail::check_positive(fn, "n", n);
    detail::check_nonnegative(fn, "opts.noise", opts.noise);
    if (opts.noise_type != BenchmarkNoise::gaussian && opts.noise_type != BenchmarkNoise::uniform)
        detail::throw_invalid(fn, "opts.noise_type", "gaussian or uniform",
                              detail::to_text(static_cast<int>(opts.noise_type)));
    const BenchmarkManifoldInfo info = benchmark_manifold_info(m);
    const detail::BenchmarkDims dims = detail::resolve_benchmark_dims(fn, m, info, opts);
    Eigen::MatrixXd Y = Eigen::MatrixXd::Zero(dims.ambient, n);
    detail::benchmark_points(m, dims.intrinsic, n, seed, Y);
    if (opts.noise > 0.0) {
        const Rng noise_rng(seed, 0x424E0000u + static_cast<std::uint32_t>(m));
        if (opts.noise_type == BenchmarkNoise::gaussian)
            Y += opts.noise * noise_rng.normal<double>(dims.ambient, n);
        else
            Y.array() += opts.noise * (noise_rng.uniform<double>(dims.ambient, n).array() - 0.5);
    }
    if constexpr (std::is_same<Scalar, double>::value)
        return Y;
    else
        return Y.cast<Scalar>();
}

/// \ingroup intrinsic
/// As `benchmark_manifold(m, ...)` with the manifold given by skdim's name.
/// \throws invalid_argument for an unknown name (argument 'name') and as the enum overload.
template <class Scalar = double>
Matrix<Scalar> benchmark_manifold(const std::string& name, Index n, std::uint64_t seed = 0,
                                  const BenchmarkManifoldOptions& opts = {}) {
    return benchmark_manifold<Scalar>(benchmark_manifold_from_name(name), n, seed, opts);
}

}  // namespace subspace
