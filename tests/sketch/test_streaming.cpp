// Frequent Directions (error bound, merges), MUVERA FDE (closed forms, correlation with Chamfer,
// recall against brute force) and sketched gradient compression (unbiasedness, gradient
// descent converging).
#include <algorithm>
#include <cmath>
#include <limits>
#include <numeric>
#include <vector>

#include <Eigen/Eigenvalues>
#include <Eigen/SVD>

#include "subspace/sketch/fde.hpp"
#include "subspace/sketch/frequent_directions.hpp"
#include "subspace/sketch/gradient.hpp"

#include "support/test_util.hpp"

using subspace::Index;
using test_util::Mat;
using test_util::Vec;

namespace {

// ‖AᵀA − BᵀB‖₂ and the smallest eigenvalue of AᵀA − BᵀB.
std::pair<double, double> covariance_error(const Mat<double>& A, const Mat<double>& B) {
    const Mat<double> E = A.transpose() * A - B.transpose() * B;
    Eigen::SelfAdjointEigenSolver<Mat<double>> es(E);
    const auto& ev = es.eigenvalues();
    return {std::max(std::abs(ev(0)), std::abs(ev(ev.size() - 1))), ev(0)};
}

void check_fd_bound(const Mat<double>& A, const Mat<double>& B, Index ell) {
    const Eigen::VectorXd s = subspace::detail::singular_values(A);
    const auto err = covariance_error(A, B);
    const double scale = s(0) * s(0);
    CHECK(err.second >= -1e-9 * scale);  // AᵀA − BᵀB is PSD
    for (Index k = 0; k < ell; ++k) {
        const double tail = s.tail(s.size() - k).squaredNorm();
        CAPTURE(k, err.first, tail / double(ell - k));
        CHECK(err.first <= tail / double(ell - k) + 1e-9 * scale);
    }
}

Mat<double> fd_data(Index n, Index d, std::uint64_t seed) {
    Vec<double> sigma = test_util::geometric_spectrum(d, 0.8) * 10.0;
    Mat<double> A = test_util::with_spectrum<double>(n, d, sigma, seed);
    A += 0.05 * subspace::Rng(seed, 3).normal<double>(n, d);
    return A;
}

}  // namespace

TEMPLATE_TEST_CASE("Frequent Directions meets its covariance error bound", "[fd]", float, double) {
    using S = TestType;
    const Index n = 400, d = 30, ell = 8;
    const Mat<double> A = fd_data(n, d, 1);
    subspace::FrequentDirections<S> fd(ell, d);
    // Rows in blocks of varying size, and single rows.
    Index i = 0, b = 1;
    while (i < n) {
        const Index c = std::min(b, n - i);
        if (c == 1)
            fd.update(A.row(i).template cast<S>());
        else
            fd.update(A.middleRows(i, c).template cast<S>());
        i += c;
        b = (b * 3) % 17 + 1;
    }
    REQUIRE(fd.rows_seen() == n);
    const Mat<S> B = fd.sketch();
    REQUIRE(B.rows() <= ell);
    REQUIRE(B.cols() == d);
    if (std::is_same<S, double>::value) {
        check_fd_bound(A, B.template cast<double>(), ell);
        CHECK(covariance_error(A, B.template cast<double>()).first <=
              fd.total_shrinkage() * (1 + 1e-9));
    } else {
        const Eigen::VectorXd s = subspace::detail::singular_values(A);
        const double tail = s.tail(s.size() - 2).squaredNorm();
        CHECK(covariance_error(A, B.template cast<double>()).first <=
              tail / double(ell - 2) * 1.001);
    }
}

TEST_CASE("Frequent Directions keeps its bound after merges and is exact on few rows", "[fd]") {
    const Index d = 25, ell = 10;
    const Mat<double> A = fd_data(600, d, 2);
    subspace::FrequentDirections<double> f1(ell, d), f2(ell, d), f3(ell, d);
    f1.update(A.topRows(100));
    f2.update(A.middleRows(100, 350));
    f3.update(A.bottomRows(150));
    f2.merge(f3);
    f1.merge(f2);
    REQUIRE(f1.rows_seen() == 600);
    check_fd_bound(A, f1.sketch(), ell);
    // Self-merge doubles the stream.
    subspace::FrequentDirections<double> g(ell, d);
    g.update(A.topRows(50));
    g.merge(g);
    Mat<double> AA(100, d);
    AA << A.topRows(50), A.topRows(50);
    check_fd_bound(AA, g.sketch(), ell);
    // Fewer than ell rows: exact.
    subspace::FrequentDirections<double> h(ell, d);
    h.update(A.topRows(7));
    const Mat<double> B = h.sketch();
    REQUIRE(covariance_error(A.topRows(7), B).first <= 1e-10 * A.topRows(7).squaredNorm());
    // Errors.
    REQUIRE_INVALID(subspace::FrequentDirections<double>(0, 3), "subspace::FrequentDirections",
                    "'ell'");
    REQUIRE_INVALID(subspace::FrequentDirections<double>(3, 0), "'d'");
    REQUIRE_INVALID(h.update(Mat<double>::Ones(2, d + 1)), "FrequentDirections::update", "'rows'",
                    "25 columns");
    Mat<double> bad = Mat<double>::Ones(2, d);
    bad(1, 1) = std::numeric_limits<double>::quiet_NaN();
    REQUIRE_INVALID(h.update(bad), "'rows'", "finite");
    subspace::FrequentDirections<double> other(ell + 1, d);
    REQUIRE_INVALID(h.merge(other), "FrequentDirections::merge", "'other.ell()'");
}

TEST_CASE("FDE equals its closed forms without partitions and with one document point", "[fde]") {
    const Mat<double> Q = subspace::Rng(1).normal<double>(16, 5);
    const Mat<double> P = subspace::Rng(2).normal<double>(16, 7);
    subspace::FdeOptions one;
    one.simhash_bits = 0;
    one.repetitions = 1;
    const Vec<double> fq = subspace::fde_query(Q, one);
    const Vec<double> fp = subspace::fde_document(P, one);
    REQUIRE(fq.size() == 16);
    REQUIRE((fq - Q.rowwise().sum()).norm() <= 1e-12 * fq.norm());
    REQUIRE((fp - P.rowwise().mean()).norm() <= 1e-12 * fp.norm());
    // One document point fills every partition: <F_q, F_d> = R Σ_q <q, p> = R Chamfer.
    subspace::FdeOptions opt;
    opt.simhash_bits = 3;
    opt.repetitions = 4;
    const Mat<double> p1 = P.col(0);
    const double ip = subspace::fde_query(Q, opt).dot(subspace::fde_document(p1, opt));
    REQUIRE(ip == Approx(4.0 * subspace::chamfer_similarity(Q, p1)).epsilon(1e-12));
    REQUIRE(subspace::chamfer_similarity(Q, p1) == Approx((Q.transpose() * p1).sum()));
    // Sizes with inner and final projections.
    opt.projection_dim = 8;
    REQUIRE(subspace::fde_query(Q, opt).size() == 4 * 8 * 8);
    opt.final_dim = 100;
    REQUIRE(subspace::fde_document(P, opt).size() == 100);
}

TEST_CASE("FDE inner products track Chamfer similarity and retrieve its top documents",
          "[fde][statistics]") {
    // 60 documents of 24 unit vectors in R^32 around 3 document-specific centres; each query is
    // 8 noisy copies of vectors of one document.
    const Index dim = 32, ndoc = 60, mdoc = 24, mq = 8;
    subspace::RandomStream rs(5);
    std::vector<Mat<double>> docs, queries;
    for (Index t = 0; t < ndoc; ++t) {
        const Mat<double> C = subspace::Rng(100 + std::uint64_t(t)).normal<double>(dim, 3);
        Mat<double> D(dim, mdoc);
        for (Index j = 0; j < mdoc; ++j) {
            D.col(j) = C.col(j % 3) +
                       0.5 * subspace::Rng(200 + std::uint64_t(t)).normal<double>(dim, mdoc).col(j);
            D.col(j).normalize();
        }
        docs.push_back(D);
        Mat<double> Qt(dim, mq);
        for (Index j = 0; j < mq; ++j) {
            Qt.col(j) = D.col(static_cast<Index>(rs.next_below(mdoc))) +
                        0.3 * subspace::Rng(300 + std::uint64_t(t)).normal<double>(dim, mq).col(j);
            Qt.col(j).normalize();
        }
        queries.push_back(Qt);
    }
    subspace::FdeOptions opt;
    opt.simhash_bits = 4;
    opt.repetitions = 20;
    opt.seed = 7;
    std::vector<Vec<double>> fd_docs;
    for (const auto& D : docs) fd_docs.push_back(subspace::fde_document(D, opt));
    std::vector<double> xs, ys;
    Index hits = 0;
    for (Index q = 0; q < ndoc; ++q) {
        const Vec<double> fq = subspace::fde_query(queries[std::size_t(q)], opt);
        std::vector<double> ch(ndoc), fs(ndoc);
        for (Index t = 0; t < ndoc; ++t) {
            ch[std::size_t(t)] =
                subspace::chamfer_similarity(queries[std::size_t(q)], docs[std::size_t(t)]);
            fs[std::size_t(t)] = fq.dot(fd_docs[std::size_t(t)]) / double(opt.repetitions);
            xs.push_back(ch[std::size_t(t)]);
            ys.push_back(fs[std::size_t(t)]);
        }
        // recall@5: the brute-force Chamfer top document is among the FDE top 5.
        const auto best = std::max_element(ch.begin(), ch.end()) - ch.begin();
        std::vector<Index> order(static_cast<std::size_t>(ndoc));
        std::iota(order.begin(), order.end(), Index(0));
        std::partial_sort(order.begin(), order.begin() + 5, order.end(), [&](Index a, Index b) {
            return fs[std::size_t(a)] > fs[std::size_t(b)];
        });
        if (std::find(order.begin(), order.begin() + 5, Index(best)) != order.begin() + 5) ++hits;
    }
    const Eigen::Map<const Vec<double>> X(xs.data(), Index(xs.size())),
        Y(ys.data(), Index(ys.size()));
    const double corr =
        ((X.array() - X.mean()) * (Y.array() - Y.mean())).sum() /
        std::sqrt((X.array() - X.mean()).square().sum() * (Y.array() - Y.mean()).square().sum());
    const double recall = double(hits) / double(ndoc);
    CAPTURE(corr, recall);
    WARN("FDE vs Chamfer: Pearson correlation " << corr << ", recall@5 " << recall);
    CHECK(corr > 0.8);
    CHECK(recall >= 0.9);
}

TEST_CASE("FDE rejects bad input", "[fde][errors]") {
    const Mat<double> Q = Mat<double>::Ones(4, 3);
    subspace::FdeOptions o;
    o.simhash_bits = 21;
    REQUIRE_INVALID(subspace::fde_query(Q, o), "subspace::fde_query", "'simhash_bits'");
    o = {};
    o.repetitions = 0;
    REQUIRE_INVALID(subspace::fde_document(Q, o), "subspace::fde_document", "'repetitions'");
    o = {};
    o.projection_dim = -1;
    REQUIRE_INVALID(subspace::fde_query(Q, o), "'projection_dim'");
    o = {};
    o.final_dim = 1000000;
    REQUIRE_INVALID(subspace::fde_query(Q, o), "'final_dim'");
    REQUIRE_INVALID(subspace::fde_query(Mat<double>(4, 0)), "'P'", "non-empty");
    Mat<double> bad = Q;
    bad(0, 0) = std::numeric_limits<double>::infinity();
    REQUIRE_INVALID(subspace::fde_document(bad), "'P'", "finite");
    REQUIRE_INVALID(subspace::chamfer_similarity(Q, Mat<double>::Ones(5, 2)),
                    "subspace::chamfer_similarity", "'P'", "4 rows");
}

TEMPLATE_TEST_CASE("gradient compression is unbiased and gradient descent converges", "[gradient]",
                   float, double) {
    using S = TestType;
    const Index n = 120, k = 30;
    const Vec<S> g = subspace::Rng(1).normal<S>(n, 1).col(0);
    for (const auto kind : {subspace::SketchKind::srht, subspace::SketchKind::gaussian,
                            subspace::SketchKind::sparse_sign, subspace::SketchKind::count}) {
        const subspace::GradientCompressor<S> gc(n, k, kind, 3);
        REQUIRE(gc.compress(g, 0).size() == k);
        REQUIRE((gc.roundtrip(g, 5) - gc.roundtrip(g, 5)).norm() == 0);
        REQUIRE((gc.roundtrip(g, 5) - gc.roundtrip(g, 6)).norm() > 0);
        const Index T = 1000;
        Vec<double> mean = Vec<double>::Zero(n);
        double mse = 0;
        for (Index t = 0; t < T; ++t) {
            const Vec<double> r = gc.roundtrip(g, t).template cast<double>();
            mean += r / double(T);
            mse += (r - g.template cast<double>()).squaredNorm() / double(T);
        }
        const double gn = static_cast<double>(g.norm());
        // Each coordinate of the mean has sd about ||g|| sqrt(n / k) / sqrt(T n).
        CAPTURE(subspace::to_string(kind), (mean - g.template cast<double>()).norm() / gn,
                mse / (gn * gn));
        CHECK((mean - g.template cast<double>()).norm() <=
              5.0 * gn * std::sqrt(double(n) / double(k) / double(T)));
        CHECK(mse <= 3.0 * double(n) / double(k) * gn * gn);
    }
    // Gradient descent on 0.5 ||A x - b||² with compressed gradients.
    const Index m = 200;
    const Mat<double> A =
        test_util::with_spectrum<double>(m, n, Vec<double>::LinSpaced(n, 1.0, 0.4), 4);
    const Vec<double> b = subspace::Rng(5).normal<double>(m, 1).col(0);
    const Vec<double> xs = A.householderQr().solve(b);
    auto f = [&](const Vec<double>& x) { return 0.5 * (A * x - b).squaredNorm(); };
    const subspace::GradientCompressor<S> gc(n, k, subspace::SketchKind::srht, 9);
    Vec<double> x = Vec<double>::Zero(n);
    const double eta = 0.5 * double(k) / double(n);  // L = 1
    const double gap0 = f(x) - f(xs);
    for (Index t = 0; t < 600; ++t) {
        const Vec<S> grad = (A.transpose() * (A * x - b)).template cast<S>();
        x -= eta * gc.roundtrip(grad, t).template cast<double>();
    }
    const double gap = f(x) - f(xs);
    CAPTURE(gap0, gap);
    CHECK(gap <= (std::is_same<S, float>::value ? 1e-4 : 1e-6) * gap0);
    REQUIRE_INVALID(subspace::GradientCompressor<S>(10, 11), "subspace::GradientCompressor", "'k'");
    REQUIRE_INVALID(subspace::GradientCompressor<S>(0, 1), "'n'");
    REQUIRE_INVALID(gc.compress(Vec<S>::Ones(n + 1), 0), "GradientCompressor::compress", "'g'");
    REQUIRE_INVALID(gc.decompress(Vec<S>::Ones(k + 1), 0), "GradientCompressor::decompress", "'c'");
    REQUIRE_INVALID(gc.compress(Vec<S>::Ones(n), -1), "'step'");
}
