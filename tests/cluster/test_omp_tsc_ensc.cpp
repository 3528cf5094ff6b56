// SSC-OMP (subspace-preserving supports on independent subspaces, least-squares coefficients on
// the support, k_max and residual threshold), TSC (the q largest |⟨x_i, x_j⟩| by brute force and
// the exp(−2 arccos) weights) and EnSC (the elastic-net optimality conditions of every column).
#include <algorithm>
#include <cmath>
#include <limits>
#include <numeric>
#include <vector>

#include <Eigen/Core>
#include <Eigen/QR>
#include <Eigen/SparseCore>

#include "subspace/cluster/ensc.hpp"
#include "subspace/cluster/ssc_omp.hpp"
#include "subspace/cluster/tsc.hpp"

#include "cluster_test_util.hpp"

namespace {

using cluster_test::Index;
using cluster_test::Mat;
using cluster_test::Vec;

Mat<double> unit_columns(Mat<double> X) {
    for (Index j = 0; j < X.cols(); ++j) X.col(j).normalize();
    return X;
}

}  // namespace

TEMPLATE_TEST_CASE("ssc_omp: subspace-preserving on independent subspaces, LS coefficients",
                   "[cluster]", float, double) {
    using S = TestType;
    const bool dbl = std::is_same<S, double>::value;
    // 4 subspaces of dimension 3 in R^20: independent (sum of dimensions 12 <= 20).
    const auto u = cluster_test::union_of_subspaces(20, 4, 3, 15, 0.0, 3);
    const Mat<S> X = u.X.cast<S>();
    const Mat<double> Xn = unit_columns(u.X);
    const Index n = X.cols();
    subspace::SscOmpOptions o;
    o.k_max = 10;
    o.tolerance = dbl ? 1e-8 : 1e-4;
    o.block_size = 16;  // several blocks
    const auto r = subspace::ssc_omp(X, o);
    const Mat<double> C = Mat<S>(r.C).template cast<double>();
    for (Index j = 0; j < n; ++j) {
        REQUIRE(C(j, j) == 0.0);
        std::vector<Index> supp;
        for (Index i = 0; i < n; ++i)
            if (C(i, j) != 0.0) {
                supp.push_back(i);
                REQUIRE(u.labels(i) == u.labels(j));  // subspace-preserving
            }
        // Noiseless: the residual threshold is reached with the subspace dimension.
        REQUIRE(supp.size() == 3);
        const double res = (Xn.col(j) - Xn * C.col(j)).norm();
        REQUIRE(res <= (dbl ? 1e-8 : 1e-4));
    }
    // W = |C| + |C|ᵀ.
    const Mat<double> W = Mat<S>(r.W).template cast<double>();
    const Mat<double> Wref = C.cwiseAbs() + Mat<double>(C.cwiseAbs().transpose());
    REQUIRE((W - Wref).cwiseAbs().maxCoeff() <= 4 * std::numeric_limits<S>::epsilon());

    SECTION("k_max respected; coefficients are the least-squares fit on the support") {
        const auto un = cluster_test::union_of_subspaces(20, 3, 5, 12, 0.2, 8);
        const Mat<double> Xu = unit_columns(un.X);
        subspace::SscOmpOptions o2;
        o2.k_max = 2;
        const auto r2 = subspace::ssc_omp(Mat<S>(un.X.cast<S>()), o2);
        const Mat<double> C2 = Mat<S>(r2.C).template cast<double>();
        for (Index j = 0; j < Xu.cols(); ++j) {
            std::vector<Index> supp;
            for (Index i = 0; i < Xu.cols(); ++i)
                if (C2(i, j) != 0.0) supp.push_back(i);
            REQUIRE(supp.size() == 2);
            Mat<double> XS(Xu.rows(), 2);
            for (Index k = 0; k < 2; ++k) XS.col(k) = Xu.col(supp[static_cast<std::size_t>(k)]);
            const Vec<double> cref = XS.colPivHouseholderQr().solve(Xu.col(j));
            for (Index k = 0; k < 2; ++k)
                REQUIRE(std::abs(C2(supp[static_cast<std::size_t>(k)], j) - cref(k)) <
                        (dbl ? 1e-10 : 1e-4) * (1 + std::abs(cref(k))));
            // The first selected point is the one most correlated with x_j.
            Index best = -1;
            double bv = -1;
            for (Index i = 0; i < Xu.cols(); ++i)
                if (i != j && std::abs(Xu.col(i).dot(Xu.col(j))) > bv) {
                    bv = std::abs(Xu.col(i).dot(Xu.col(j)));
                    best = i;
                }
            REQUIRE(std::find(supp.begin(), supp.end(), best) != supp.end());
        }
    }
}

TEMPLATE_TEST_CASE("tsc: q largest inner products with exp(-2 arccos) weights", "[cluster]", float,
                   double) {
    using S = TestType;
    const bool dbl = std::is_same<S, double>::value;
    const auto u = cluster_test::union_of_subspaces(15, 3, 4, 11, 0.1, 17);
    const Mat<double> Xn = unit_columns(u.X);
    const Index n = Xn.cols();
    subspace::TscOptions o;
    o.q = 4;
    o.block_size = 10;
    const auto r = subspace::tsc(Mat<S>(u.X.cast<S>()), o);
    const Mat<double> C = Mat<S>(r.C).template cast<double>();
    const Mat<double> G = Xn.transpose() * Xn;
    for (Index j = 0; j < n; ++j) {
        std::vector<Index> idx;
        for (Index i = 0; i < n; ++i)
            if (i != j) idx.push_back(i);
        std::sort(idx.begin(), idx.end(),
                  [&](Index a, Index b) { return std::abs(G(a, j)) > std::abs(G(b, j)); });
        Index cnt = 0;
        for (Index i = 0; i < n; ++i) cnt += C(i, j) != 0.0 ? 1 : 0;
        REQUIRE(cnt == 4);
        for (Index k = 0; k < 4; ++k) {
            const Index i = idx[static_cast<std::size_t>(k)];
            const double ref = std::exp(-2.0 * std::acos(std::min(1.0, std::abs(G(i, j)))));
            REQUIRE(std::abs(C(i, j) - ref) < (dbl ? 1e-12 : 1e-4));
        }
    }
    const Mat<double> W = Mat<S>(r.W).template cast<double>();
    const Mat<double> Wref = C + Mat<double>(C.transpose());
    REQUIRE((W - Wref).cwiseAbs().maxCoeff() <= 4 * std::numeric_limits<S>::epsilon());
}

TEMPLATE_TEST_CASE("ensc: every column satisfies the elastic-net optimality conditions",
                   "[cluster]", float, double) {
    using S = TestType;
    const bool dbl = std::is_same<S, double>::value;
    const auto u = cluster_test::union_of_subspaces(12, 3, 3, 40, 0.05, 29);
    const Mat<double> Xn = unit_columns(u.X);
    const Index n = Xn.cols();
    subspace::EnscOptions o;
    o.lambda = 0.9;
    o.alpha = 20;
    o.initial_support = 5;  // force several ORGEN active-set updates
    o.block_size = 50;
    o.cd_tolerance = dbl ? 1e-12 : 1e-6;
    o.max_cd_sweeps = 100000;
    const auto r = subspace::ensc(Mat<S>(u.X.cast<S>()), o);
    REQUIRE(r.converged);
    REQUIRE(r.iterations >= 2);
    const Mat<double> C = Mat<S>(r.C).template cast<double>();
    const Mat<double> G = Xn.transpose() * Xn;
    const double tol = dbl ? 1e-6 : 2e-2;
    Index nnz = 0;
    for (Index j = 0; j < n; ++j) {
        double mx = 0;
        for (Index i = 0; i < n; ++i)
            if (i != j) mx = std::max(mx, std::abs(G(i, j)));
        const double gamma = o.alpha * o.lambda / mx;
        const Vec<double> g = gamma * Xn.transpose() * (Xn.col(j) - Xn * C.col(j));
        REQUIRE(C(j, j) == 0.0);
        for (Index i = 0; i < n; ++i) {
            if (i == j) continue;
            const double c = C(i, j);
            if (c != 0.0) {
                ++nnz;
                REQUIRE(std::abs(g(i) - o.lambda * (c > 0 ? 1.0 : -1.0) - (1 - o.lambda) * c) <
                        tol);
            } else {
                REQUIRE(std::abs(g(i)) <= o.lambda + tol);
            }
        }
    }
    REQUIRE(nnz > 2 * n);
}
