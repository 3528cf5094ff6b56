// Helpers of the lowrank tests: matrices with the spectra of issue 4, exact optimal errors,
// and a sparse copy.
#pragma once

#include <cmath>
#include <vector>

#include <Eigen/Core>
#include <Eigen/SVD>
#include <Eigen/SparseCore>

#include "subspace/lowrank.hpp"

#include "support/test_util.hpp"

namespace lowrank_test {

using subspace::Index;
using test_util::Mat;
using test_util::Vec;

enum class Spectrum { geometric, slow, flat_gap, low_rank_noise, rank_deficient };

inline const char* name(Spectrum s) {
    switch (s) {
        case Spectrum::geometric:
            return "geometric 0.9^i";
        case Spectrum::slow:
            return "slow 1/sqrt(i)";
        case Spectrum::flat_gap:
            return "flat with gap";
        case Spectrum::low_rank_noise:
            return "low rank plus noise";
        case Spectrum::rank_deficient:
            return "rank deficient";
    }
    return "";
}

/// m x n matrix (m >= n) with the given spectrum shape, in double.
inline Mat<double> make_matrix(Spectrum s, Index m, Index n, std::uint64_t seed) {
    Vec<double> sigma(n);
    for (Index i = 0; i < n; ++i) {
        const double x = static_cast<double>(i);
        switch (s) {
            case Spectrum::geometric:
                sigma(i) = std::pow(0.9, x);
                break;
            case Spectrum::slow:
                sigma(i) = 1.0 / std::sqrt(x + 1.0);
                break;
            case Spectrum::flat_gap:
                sigma(i) = i < 10 ? 1.0 : 0.1;
                break;
            case Spectrum::low_rank_noise:
                sigma(i) = i < 10 ? 10.0 - x : 0.0;
                break;
            case Spectrum::rank_deficient:
                sigma(i) = i < 6 ? 1.0 + x : 0.0;
                break;
        }
    }
    Mat<double> A = test_util::with_spectrum<double>(m, n, sigma, seed);
    if (s == Spectrum::low_rank_noise)
        A += 1e-3 * subspace::Rng(seed + 7, 3).normal<double>(m, n) / std::sqrt(double(m));
    return A;
}

/// Exact singular values (double).
inline Vec<double> exact_sv(const Mat<double>& A) { return subspace::detail::singular_values(A); }

/// ‖A − U diag(S) Vᵀ‖ spectral and Frobenius, in double.
template <class Scalar>
std::pair<double, double> errors(const Mat<double>& A, const subspace::SvdResult<Scalar>& r) {
    const Mat<double> E = A - r.U.template cast<double>() *
                                  r.S.template cast<double>().asDiagonal() *
                                  r.V.template cast<double>().transpose();
    return {exact_sv(E)(0), E.norm()};
}

/// Tail energy τ_{j}(σ) = (Σ_{i >= j} σ_i²)^{1/2} (0-based j).
inline double tail(const Vec<double>& s, Index j) {
    return j >= s.size() ? 0.0 : s.tail(s.size() - j).norm();
}

template <class Scalar>
Eigen::SparseMatrix<Scalar> to_sparse(const Mat<Scalar>& A) {
    return A.sparseView();
}

}  // namespace lowrank_test
