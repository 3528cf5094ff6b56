// Helpers shared by the intrinsic-dimension tests: reference-data loading and a naive k-NN.
#pragma once

#include <algorithm>
#include <cstdio>
#include <fstream>
#include <map>
#include <sstream>
#include <string>
#include <utility>
#include <vector>

#include <Eigen/Core>

#include "subspace/intrinsic.hpp"

#include "support/test_util.hpp"

namespace intrinsic_test {

using Index = Eigen::Index;

inline std::string data_path(const std::string& name) {
    return test_util::test_data_dir() + "/intrinsic/" + name;
}

/// Raw little-endian float64, row-major n x D, returned as D x n (columns are points).
inline Eigen::MatrixXd read_points(const std::string& name, Index n, Index D) {
    Eigen::MatrixXd X(D, n);
    std::ifstream in(data_path(name), std::ios::binary);
    REQUIRE(in.good());
    in.read(reinterpret_cast<char*>(X.data()),
            static_cast<std::streamsize>(sizeof(double) * static_cast<std::size_t>(n * D)));
    REQUIRE(in.gcount() ==
            static_cast<std::streamsize>(sizeof(double) * static_cast<std::size_t>(n * D)));
    return X;
}

inline Eigen::VectorXd read_vector(const std::string& name, Index n) {
    Eigen::MatrixXd v = read_points(name, n, 1);
    return v.transpose();
}

struct RefSet {
    Index n = 0;
    Index D = 0;
    int true_id = 0;
    std::map<std::string, double> values;
};

/// skdim_reference.txt -> dataset -> estimator -> value.
inline std::map<std::string, RefSet> read_reference() {
    std::map<std::string, RefSet> out;
    std::ifstream in(data_path("skdim_reference.txt"));
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
        RefSet& r = out[name];
        r.n = n;
        r.D = D;
        r.true_id = t;
        r.values[est] = v;
    }
    return out;
}

/// Naive exact k-NN: all (squared distance, index) pairs sorted lexicographically.
template <class Scalar>
std::vector<std::vector<std::pair<Scalar, Index>>> naive_sorted(
    const Eigen::Matrix<Scalar, Eigen::Dynamic, Eigen::Dynamic>& X, bool skip_zero) {
    const Index n = X.cols();
    std::vector<std::vector<std::pair<Scalar, Index>>> all(static_cast<std::size_t>(n));
    for (Index i = 0; i < n; ++i) {
        auto& v = all[static_cast<std::size_t>(i)];
        for (Index j = 0; j < n; ++j) {
            if (j == i) continue;
            const Scalar d2 = (X.col(i) - X.col(j)).squaredNorm();
            if (skip_zero && d2 == Scalar(0)) continue;
            v.emplace_back(d2, j);
        }
        std::sort(v.begin(), v.end());
    }
    return all;
}

inline double rel_diff(double a, double b) { return std::abs(a - b) / std::abs(b); }

}  // namespace intrinsic_test
