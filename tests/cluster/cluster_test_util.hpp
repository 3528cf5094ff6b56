// Shared helpers of the cluster tests: unions of subspaces with known labels, Hopkins155
// sequences copied under tests/data/cluster/hopkins.
#pragma once

#include <cmath>
#include <cstdint>
#include <cstring>
#include <fstream>
#include <iterator>
#include <string>
#include <vector>

#include <Eigen/Core>
#include <Eigen/QR>

#include "subspace/core/rng.hpp"

#include "support/test_util.hpp"

namespace cluster_test {

using Eigen::Index;
template <class S>
using Mat = Eigen::Matrix<S, Eigen::Dynamic, Eigen::Dynamic>;
template <class S>
using Vec = Eigen::Matrix<S, Eigen::Dynamic, 1>;

struct UnionOfSubspaces {
    Mat<double> X;           // d x n, columns are points
    Eigen::VectorXi labels;  // 0..k-1
    std::vector<Mat<double>> bases;
};

// k random subspaces of dimension r in R^d, `per` unit-norm points on each (Gaussian
// coefficients), plus Gaussian noise of standard deviation noise / sqrt(d) per entry.
inline UnionOfSubspaces union_of_subspaces(Index d, Index k, Index r, Index per, double noise,
                                           std::uint64_t seed) {
    UnionOfSubspaces u;
    u.X.resize(d, k * per);
    u.labels.resize(k * per);
    const subspace::Rng rng(seed, 11);
    for (Index s = 0; s < k; ++s) {
        Mat<double> B =
            test_util::random_orthonormal<double>(d, r, seed * 131 + static_cast<std::uint64_t>(s));
        const Mat<double> A =
            subspace::Rng(seed + 7 + static_cast<std::uint64_t>(s), 3).normal<double>(r, per);
        for (Index j = 0; j < per; ++j) {
            Vec<double> x = B * A.col(j);
            x /= x.norm();
            u.X.col(s * per + j) = x;
            u.labels(s * per + j) = static_cast<int>(s);
        }
        u.bases.push_back(B);
    }
    if (noise > 0)
        u.X += (noise / std::sqrt(static_cast<double>(d))) * rng.normal<double>(d, k * per);
    return u;
}

// Two subspaces of dimension r in R^d whose principal angles are all `angle` (radians): the
// second basis is cos(angle) B1 + sin(angle) B1⊥.
inline UnionOfSubspaces two_close_subspaces(Index d, Index r, Index per, double angle,
                                            std::uint64_t seed) {
    const Mat<double> Q = test_util::random_orthonormal<double>(d, 2 * r, seed);
    const Mat<double> B1 = Q.leftCols(r);
    const Mat<double> B2 = std::cos(angle) * B1 + std::sin(angle) * Q.rightCols(r);
    UnionOfSubspaces u;
    u.X.resize(d, 2 * per);
    u.labels.resize(2 * per);
    const Mat<double> A = subspace::Rng(seed + 5, 3).normal<double>(r, 2 * per);
    for (Index j = 0; j < 2 * per; ++j) {
        Vec<double> x = (j < per ? B1 : B2) * A.col(j);
        u.X.col(j) = x / x.norm();
        u.labels(j) = j < per ? 0 : 1;
    }
    u.bases = {B1, B2};
    return u;
}

struct HopkinsSequence {
    std::string name;
    Mat<double> X;
    Eigen::VectorXi labels;  // 1..n as stored
    int n_motions = 0;
};

inline HopkinsSequence load_hopkins(const std::string& name) {
    const std::string dir = test_util::test_data_dir() + "/cluster/hopkins/";
    HopkinsSequence s;
    s.name = name;
    std::ifstream fx(dir + name + ".X.f64", std::ios::binary),
        fs(dir + name + ".s.i32", std::ios::binary);
    REQUIRE(fx.good());
    REQUIRE(fs.good());
    std::vector<char> bx((std::istreambuf_iterator<char>(fx)), std::istreambuf_iterator<char>());
    std::vector<char> bs((std::istreambuf_iterator<char>(fs)), std::istreambuf_iterator<char>());
    const auto P = static_cast<Index>(bs.size() / 4);
    const auto rows = static_cast<Index>(bx.size() / 8) / P;
    s.X.resize(rows, P);
    std::memcpy(s.X.data(), bx.data(), static_cast<std::size_t>(rows * P) * 8);
    std::vector<std::int32_t> l(static_cast<std::size_t>(P));
    std::memcpy(l.data(), bs.data(), static_cast<std::size_t>(P) * 4);
    s.labels.resize(P);
    for (Index i = 0; i < P; ++i) s.labels(i) = l[static_cast<std::size_t>(i)];
    s.n_motions = s.labels.maxCoeff();
    return s;
}

}  // namespace cluster_test
