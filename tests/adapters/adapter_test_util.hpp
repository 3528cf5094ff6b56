// Helpers of the adapters tests: the test layer (W, X, T), forward tolerances, central finite
// differences, loss 0.5 ||Y - T||^2, and the reader of the numpy reference file
// tests/data/adapters/adapters_reference.txt.
#pragma once

#include <cmath>
#include <cstdint>
#include <fstream>
#include <limits>
#include <map>
#include <string>
#include <type_traits>

#include <Eigen/Core>

#include "subspace/core/rng.hpp"

#include "support/test_util.hpp"

namespace adapter_test {

using Eigen::Index;
template <class S>
using Mat = Eigen::Matrix<S, Eigen::Dynamic, Eigen::Dynamic>;
template <class S>
using Vec = Eigen::Matrix<S, Eigen::Dynamic, 1>;

/// The layer every adapter test starts from: W (out x in, entries N(0, 1/in)), input X (in x n)
/// and target T (out x n), drawn with the seeds Seed + 1, Seed + 2 and Seed + 3 (each test file
/// has its own Seed, e.g. `using Problem = LayerProblem<200>;`).
template <std::uint64_t Seed>
struct LayerProblem {
    Index out = 12, in = 10, n = 7, r = 3;
    Mat<double> W, X, T;
    LayerProblem() {
        W = subspace::Rng(Seed + 1).normal<double>(out, in) / std::sqrt(10.0);
        X = subspace::Rng(Seed + 2).normal<double>(in, n);
        T = subspace::Rng(Seed + 3).normal<double>(out, n);
    }
};

/// Tolerance of a forward pass (merged vs unmerged, unmerge) in S: 1e-12 (double), 1e-5 (float).
template <class S>
double tol_fwd() {
    return std::is_same<S, double>::value ? 1e-12 : 1e-5;
}

/// factor * machine epsilon of S.
template <class S>
double eps_tol(double factor) {
    return factor * static_cast<double>(std::numeric_limits<S>::epsilon());
}

/// max |a - b| / max(1, max |b|).
template <class DA, class DB>
double rel_max_diff(const Eigen::MatrixBase<DA>& a, const Eigen::MatrixBase<DB>& b) {
    const Mat<double> ad = a.template cast<double>();
    const Mat<double> bd = b.template cast<double>();
    REQUIRE(ad.rows() == bd.rows());
    REQUIRE(ad.cols() == bd.cols());
    return (ad - bd).cwiseAbs().maxCoeff() / std::max(1.0, bd.cwiseAbs().maxCoeff());
}

/// Central-difference gradient of loss() with respect to every entry of P (perturbed in place,
/// restored on return).
template <class Derived, class F>
Mat<double> fd_gradient(Eigen::MatrixBase<Derived>& P, F&& loss, double h = 1e-5) {
    Mat<double> g(P.rows(), P.cols());
    for (Index j = 0; j < P.cols(); ++j)
        for (Index i = 0; i < P.rows(); ++i) {
            const double old = P(i, j);
            P(i, j) = old + h;
            const double lp = loss();
            P(i, j) = old - h;
            const double lm = loss();
            P(i, j) = old;
            g(i, j) = (lp - lm) / (2 * h);
        }
    return g;
}

/// ||numeric - analytic||_F / ||numeric||_F (the analytic gradient must be nonzero).
template <class DA>
double fd_rel_err(const Mat<double>& numeric, const Eigen::MatrixBase<DA>& analytic) {
    const Mat<double> a = analytic.template cast<double>();
    REQUIRE(a.rows() == numeric.rows());
    REQUIRE(a.cols() == numeric.cols());
    REQUIRE(numeric.norm() > 0);
    return (numeric - a).norm() / numeric.norm();
}

/// 0.5 ||Y - T||_F^2.
inline double half_sq(const Mat<double>& Y, const Mat<double>& T) {
    return 0.5 * (Y - T).squaredNorm();
}

/// Named matrices of the reference file: lines "name rows cols" followed by rows*cols values in
/// row-major order (column vectors are rows x 1).
class Reference {
public:
    Reference() {
        const std::string path = test_util::test_data_dir() + "/adapters/adapters_reference.txt";
        std::ifstream in(path);
        INFO(path);
        REQUIRE(in.good());
        std::string name;
        while (in >> name) {
            if (name[0] == '#') {
                std::getline(in, name);
                continue;
            }
            Index r = 0, c = 0;
            in >> r >> c;
            Mat<double> M(r, c);
            for (Index i = 0; i < r; ++i)
                for (Index j = 0; j < c; ++j) in >> M(i, j);
            REQUIRE(in.good());
            m_items[name] = M;
        }
        REQUIRE(!m_items.empty());
    }
    const Mat<double>& operator[](const std::string& name) const {
        const auto it = m_items.find(name);
        INFO("reference item " << name);
        REQUIRE(it != m_items.end());
        return it->second;
    }
    double scalar(const std::string& name) const { return (*this)[name](0, 0); }

private:
    std::map<std::string, Mat<double>> m_items;
};

}  // namespace adapter_test
